// admitObserver: a BANK or REGULATOR admits a non-voting node (an auditor's or regulator's observer)
// to the network (DESIGN.md §12, docs/governance.md). From the block that commits it, every node's
// p2p gater accepts the node key: no config edit, no restart.
import { equalBytes, toHex } from "../bytes.js";
import { firstIssue, partyId, toBytes, type BytesInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";
import { newKeyCheck } from "./key-possession.js";

export interface AdmitObserver {
  /** the observer's ed25519 node key: its libp2p identity (`tradeledger init` prints it) */
  nodePublicKey: Uint8Array;
  /** the registered party that operates the node */
  partyId: string;
}
export type AdmitObserverPayload = { type: "admitObserver" } & AdmitObserver;
export interface AdmitObserverInput {
  nodePublicKey: BytesInput;
  partyId: string;
}

export const admitObserverTx: TxFormat<AdmitObserverPayload, AdmitObserverInput> = {
  type: "admitObserver",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { nodePublicKey: newKeyCheck, partyId }),
  build: (i) => ({ type: "admitObserver", nodePublicKey: toBytes("nodePublicKey", i.nodePublicKey), partyId: i.partyId }),
  targets: "observer",
  target: (p) => (p.nodePublicKey instanceof Uint8Array ? toHex(p.nodePublicKey) : ""),
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    observerAdmitted: (e, p, tx) => want(equalBytes(e.nodePublicKey, p.nodePublicKey) && e.partyId === p.partyId && e.admittedBy === tx.signer, "node key, operator or admitting party differs from the transaction"),
  },
};
