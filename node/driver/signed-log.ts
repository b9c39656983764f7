// The signed-message log: one JSON line for every consensus message this validator signed, written
// before the message leaves the process. It is evidence, not state: if a peer claims "your node
// signed two different blocks at view 3, seq 17", the operator has what the node actually sent;
// the fault campaign (tools/chaos/) reads these files to prove that no honest node ever signed two
// conflicting messages for one slot, across kills, restarts and restores.
//
// Each line: {"t":<ms>,"pid":<process id>,"k":"<slot>","d":"<hex>"} where the slot names what may
// be signed only once (PBFT, Castro & Liskov OSDI'99 §4.2-4.4) and d what was signed for it:
//   pp/<view>/<seq>  a pre-prepare (also each one inside a NEW-VIEW): digest:timestamp
//   p/<view>/<seq>   a prepare: digest          c/<view>/<seq>  a commit: digest
//   cp/<seq>         a checkpoint: state digest:timestamp
//   vc/<view>        a view-change: SHA-256 of its signing bytes
//   nv/<view>        a new-view: SHA-256 of its signing bytes
// STATUS messages are not logged (a replica legitimately signs many). Lines are written with
// writeSync (page cache: they survive kill -9 of the process); repeats of a slot already written
// with the same value are skipped, a different value is always written.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { toHex } from "../../sdk/bytes.js";
import { signingBytes, type ConsensusMessage, type PrePrepare } from "../../consensus/index.js";
import { nodeCrypto } from "../crypto.js";

export interface SignedEntry {
  /** the slot: what may be signed only once */
  k: string;
  /** what was signed for it */
  d: string;
}

/** The slot and value of a message signed by `self`, or [] if it is not one this log records. */
export function signedEntries(chainId: string, self: number, m: ConsensusMessage): SignedEntry[] {
  const pp = (p: PrePrepare | Omit<PrePrepare, "payload">): SignedEntry => ({ k: `pp/${p.view}/${p.seq}`, d: `${toHex(p.digest)}:${p.timestamp}` });
  switch (m.type) {
    case "pre-prepare":
      return m.replica === self ? [pp(m)] : [];
    case "prepare":
      return m.replica === self ? [{ k: `p/${m.view}/${m.seq}`, d: toHex(m.digest) }] : [];
    case "commit":
      return m.replica === self ? [{ k: `c/${m.view}/${m.seq}`, d: toHex(m.digest) }] : [];
    case "checkpoint":
      return m.replica === self ? [{ k: `cp/${m.seq}`, d: `${toHex(m.stateDigest)}:${m.timestamp}` }] : [];
    case "view-change":
      return m.replica === self ? [{ k: `vc/${m.view}`, d: toHex(nodeCrypto.sha256(signingBytes(chainId, nodeCrypto.sha256, m))) }] : [];
    case "new-view":
      if (m.replica !== self) return [];
      return [{ k: `nv/${m.view}`, d: toHex(nodeCrypto.sha256(signingBytes(chainId, nodeCrypto.sha256, m))) }, ...m.prePrepares.filter((p) => p.replica === self).map(pp)];
    default:
      return [];
  }
}

export class SignedMessageLog {
  private fd: number | undefined;
  /** recently written slots -> value, bounded (insertion order = age) */
  private readonly written = new Map<string, string>();

  constructor(
    readonly file: string,
    private readonly chainId: string,
    private readonly self: number,
    private readonly maxRemembered = 50_000,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "a", 0o600);
  }

  /** Records `m` if this replica signed it (call before the message is handed to the network). */
  record(m: ConsensusMessage): void {
    if (this.fd === undefined) return;
    let lines = "";
    for (const e of signedEntries(this.chainId, this.self, m)) {
      if (this.written.get(e.k) === e.d) continue;
      this.written.delete(e.k);
      this.written.set(e.k, e.d);
      if (this.written.size > this.maxRemembered) this.written.delete(this.written.keys().next().value!);
      lines += `{"t":${Date.now()},"pid":${process.pid},"k":"${e.k}","d":"${e.d}"}\n`;
    }
    if (lines) writeSync(this.fd, lines);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
