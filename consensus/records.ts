// Compaction of the write-ahead records: what a restarted replica still needs (docs/consensus.md
// §4.2). The node may replace its record log by compactRecords(log) at any time, typically after
// a stable-checkpoint record; Replica.restore gives the same replica from either.
import type { PersistedRecord } from "./types.js";

function seqOf(r: PersistedRecord): bigint | undefined {
  switch (r.kind) {
    case "pre-prepare":
      return r.prePrepare.seq;
    case "prepare":
      return r.prepare.seq;
    case "prepared":
      return r.certificate.prePrepare.seq;
    default:
      return undefined;
  }
}

function viewOf(r: PersistedRecord): bigint | undefined {
  switch (r.kind) {
    case "pre-prepare":
      return r.prePrepare.view;
    case "prepare":
      return r.prepare.view;
    default:
      return undefined;
  }
}

/**
 * Keeps: the latest stable checkpoint; the latest new-view and own view-changes above it; the
 * pre-prepares and prepares of the latest installed view above the checkpoint; per seq above the
 * checkpoint, the prepared certificate of the highest view. Everything else is implied by these
 * or below the low water mark (PBFT §4.3 garbage collection).
 */
export function compactRecords(records: readonly PersistedRecord[]): PersistedRecord[] {
  let stable: PersistedRecord | undefined;
  let newView: PersistedRecord | undefined;
  for (const r of records) {
    if (r.kind === "stable-checkpoint" && (!stable || (stable.kind === "stable-checkpoint" && r.checkpoint.seq > stable.checkpoint.seq))) stable = r;
    if (r.kind === "new-view" && (!newView || (newView.kind === "new-view" && r.newView.view > newView.newView.view))) newView = r;
  }
  const low = stable?.kind === "stable-checkpoint" ? stable.checkpoint.seq : 0n;
  const activeView = newView?.kind === "new-view" ? newView.newView.view : 0n;
  const bestPrepared = new Map<bigint, PersistedRecord>();
  const out: PersistedRecord[] = [];
  if (stable) out.push(stable);
  if (newView) out.push(newView);
  for (const r of records) {
    // own view-changes above the installed view: a new primary may still ask for any of them
    if (r.kind === "view-change" && r.viewChange.view > activeView) out.push(r);
    const seq = seqOf(r);
    if (seq === undefined || seq <= low) continue;
    if (r.kind === "prepared") {
      const have = bestPrepared.get(seq);
      if (!have || (have.kind === "prepared" && have.certificate.prePrepare.view <= r.certificate.prePrepare.view)) bestPrepared.set(seq, r);
      continue;
    }
    if (viewOf(r) === activeView) out.push(r);
  }
  out.push(...bestPrepared.values());
  return out;
}
