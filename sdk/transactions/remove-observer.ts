// removeObserver: a BANK or REGULATOR removes an admitted observer (DESIGN.md §12,
// docs/governance.md): from the block that commits it, validators disconnect and refuse the node.
import { equalBytes, toHex } from "../bytes.js";
import { bytesOf, firstIssue, LIMITS, PUBLIC_KEY_BYTES, text, toBytes, type BytesInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface RemoveObserver {
  nodePublicKey: Uint8Array;
  reason: string;
}
export type RemoveObserverPayload = { type: "removeObserver" } & RemoveObserver;
export interface RemoveObserverInput {
  nodePublicKey: BytesInput;
  reason: string;
}

export const removeObserverTx: TxFormat<RemoveObserverPayload, RemoveObserverInput> = {
  type: "removeObserver",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { nodePublicKey: bytesOf(PUBLIC_KEY_BYTES), reason: text(1, LIMITS.reasonChars) }),
  build: (i) => ({ type: "removeObserver", nodePublicKey: toBytes("nodePublicKey", i.nodePublicKey), reason: i.reason }),
  targets: "observer",
  target: (p) => (p.nodePublicKey instanceof Uint8Array ? toHex(p.nodePublicKey) : ""),
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    observerRemoved: (e, p, tx) => want(equalBytes(e.nodePublicKey, p.nodePublicKey) && e.removedBy === tx.signer && e.reason === p.reason, "node key, removing party or reason differs from the transaction"),
  },
};
