// Helpers for tests and measurement scripts that run real p2p nodes on loopback. Not used by the
// node itself.
import "../p2p/polyfill.js";
import { createHash } from "node:crypto";
import { nobleCrypto } from "../sdk/crypto.js";
import { peerIdFromNodePublicKey } from "../p2p/identity.js";
import type { Logger, PeerEntry } from "../p2p/types.js";

export interface TestIdentity {
  name: string;
  seed: Uint8Array;
  publicKey: Uint8Array;
  peerId: string;
}

/** A deterministic identity: the seed is sha256("tradeledger-test-node:" + name). */
export function testIdentity(name: string): TestIdentity {
  const seed = new Uint8Array(createHash("sha256").update(`tradeledger-test-node:${name}`).digest());
  const publicKey = nobleCrypto.publicKeyFromSeed(seed);
  return { name, seed, publicKey, peerId: peerIdFromNodePublicKey(publicKey) };
}

/** An allow-list entry for `id`, dialled at `addrs` (listen addresses with or without /p2p). */
export function peerEntry(id: TestIdentity, addrs: string[] = [], validator = true): PeerEntry {
  const entry: PeerEntry = { publicKey: id.publicKey, addrs: addrs.map(stripPeerId) };
  if (validator) entry.validatorId = id.name;
  else entry.name = id.name;
  return entry;
}

export function stripPeerId(addr: string): string {
  const i = addr.indexOf("/p2p/");
  return i < 0 ? addr : addr.slice(0, i);
}

/**
 * Poll `condition` every few milliseconds until it holds. The deadline only turns a hang into a
 * readable failure; it asserts nothing about speed.
 */
export async function waitFor(condition: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  fields: Record<string, unknown> | undefined;
}

/** A logger that records lines (and prints them when P2P_LOG is set). */
export function recordingLogger(prefix: string): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, fields });
      if (process.env.P2P_LOG) console.error(`[${prefix}] ${level} ${msg} ${fields ? JSON.stringify(fields) : ""}`);
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
