// The LevelDB handle as the repositories see it, and small helpers over it.
import type { Level } from "level";
import { prefixEnd } from "./encoding.js";

export type Db = Level<Uint8Array, Uint8Array>;

/** ClassicLevel's extras that `level`'s universal typings omit (Node always gets ClassicLevel). */
export interface ClassicExtras {
  getProperty(property: string): string;
}

export interface RangeOptions {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
  limit?: number;
}

/** Range options covering every key that starts with `prefix`. */
export function prefixRange(prefix: Uint8Array): { gte: Uint8Array; lt?: Uint8Array } {
  const end = prefixEnd(prefix);
  return end ? { gte: prefix, lt: end } : { gte: prefix };
}

export const EMPTY = new Uint8Array(0);

/** Buffers from LevelDB as plain Uint8Array views (so deep equality in tests and callers is uniform). */
export function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
