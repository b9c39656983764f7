// The observers admitted on the ledger (state m/observers; DESIGN.md §12, docs/governance.md), read
// and written by the admission and removal rules beside this file. Removed observers stay listed: a removal is the
// network's decision and overrides a node's own p2p.observers config (node/net/observers.ts).
import { toHex } from "../../../sdk/bytes.js";
import type { ObserverRecord } from "../../../sdk/types.js";
import { decodeObserverSet, encodeObserverSet } from "../records.js";
import { KEY, type StateReader, type StateWriter } from "../state.js";

/** Most observers admitted at once (admitting one more: INVALID_STATE). */
export const MAX_ADMITTED_OBSERVERS = 256;
/** Removed observers remembered (the latest removals); older ones are forgotten. */
export const MAX_REMOVED_OBSERVERS = 256;

export function observerRecords(s: StateReader): ObserverRecord[] {
  const b = s.get(KEY.observers);
  return b ? decodeObserverSet(b).observers : [];
}

/** Writes the set: sorted by node key, the oldest removals beyond MAX_REMOVED_OBSERVERS dropped. */
export function putObserverRecords(s: StateWriter, records: readonly ObserverRecord[]): void {
  const removed = records.filter((r) => r.removedBy !== "").sort((a, b) => (a.removedAt === b.removedAt ? 0 : a.removedAt > b.removedAt ? -1 : 1));
  const forgotten = new Set(removed.slice(MAX_REMOVED_OBSERVERS));
  const kept = records.filter((r) => !forgotten.has(r)).sort((a, b) => (toHex(a.nodePublicKey) < toHex(b.nodePublicKey) ? -1 : 1));
  s.put(KEY.observers, encodeObserverSet({ observers: kept }));
}
