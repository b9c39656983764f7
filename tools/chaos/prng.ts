// The campaign's seeded draws (tools/prng.ts): the same seed draws the same faults, targets and
// delays, so a failing campaign can be replayed with --seed.
import { prng as mulberry32 } from "../prng.js";

export function prng(seed: number): () => number {
  return mulberry32(seed >>> 0 || 0x9e3779b9);
}

/** An integer in [lo, hi]. */
export function between(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** A seeded Fisher-Yates shuffle (a copy). */
export function shuffle<T>(rand: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
