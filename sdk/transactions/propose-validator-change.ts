// proposeValidatorChange: a current validator's party proposes adding or removing one validator, or
// replacing one validator's node key in its place (ROTATE_KEY; DESIGN.md §12, docs/governance.md §4). The proposal's id is this transaction's hash; the proposer's
// approval counts, and 2f + 1 of the current validators' parties decide it (each by an approval transaction).
// Consensus switches to the new set at the epoch boundary after the deciding block.
import { bytesOf, firstIssue, partyId, PUBLIC_KEY_BYTES, toBytes, type BytesInput } from "../checks.js";
import { isStrongPublicKey } from "../crypto.js";
import { equalBytes } from "../bytes.js";
import { VALIDATOR_CHANGE_KINDS, type ValidatorChangeKind } from "../types.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";
import { proofCheck } from "./key-possession.js";

export interface ProposeValidatorChange {
  change: ValidatorChangeKind;
  /** the validator's ed25519 node key (signs consensus messages; its libp2p identity); for ROTATE_KEY its current key */
  nodePublicKey: Uint8Array;
  /** the party that runs it */
  partyId: string;
  /** ROTATE_KEY only: the node key the validator signs with from the switch on (absent or empty otherwise) */
  newNodePublicKey?: Uint8Array;
  /** ROTATE_KEY only: the new key's signature over the node-key possession message (key-possession.ts; absent or empty otherwise) */
  newNodeKeyProof?: Uint8Array;
}
export type ProposeValidatorChangePayload = { type: "proposeValidatorChange" } & ProposeValidatorChange;

export interface ProposeValidatorChangeInput {
  change: ValidatorChangeKind;
  nodePublicKey: BytesInput;
  partyId: string;
  /** ROTATE_KEY only: the new node key */
  newNodePublicKey?: BytesInput;
  /** ROTATE_KEY only: its possession proof (nodeKeyPossessionProof; `tradeledger keys node-possession`) */
  newNodeKeyProof?: BytesInput;
}

const NO_KEY = new Uint8Array(0);
const nodeKey = (v: unknown) =>
  bytesOf(PUBLIC_KEY_BYTES)(v) ?? (isStrongPublicKey(v as Uint8Array) ? undefined : "must be a usable ed25519 public key (not of small order, canonically encoded)");
/** ROTATE_KEY names a usable key other than the current one; ADD and REMOVE name none. */
function newNodeKeyIssue(change: unknown, current: unknown, v: unknown): string | undefined {
  if (change !== "ROTATE_KEY") return v === undefined || (v instanceof Uint8Array && v.length === 0) ? undefined : "only a ROTATE_KEY names a new node key";
  const issue = nodeKey(v);
  if (issue) return issue;
  return current instanceof Uint8Array && equalBytes(current, v as Uint8Array) ? "must differ from the validator's current node key" : undefined;
}
/** ROTATE_KEY carries the new key's 64-byte possession proof; ADD and REMOVE carry none. */
function proofIssue(change: unknown, v: unknown): string | undefined {
  if (change !== "ROTATE_KEY") return v === undefined || (v instanceof Uint8Array && v.length === 0) ? undefined : "only a ROTATE_KEY carries a node-key possession proof";
  if (v === undefined || (v instanceof Uint8Array && v.length === 0)) return "a ROTATE_KEY carries the new key's possession proof (tradeledger keys node-possession)";
  return proofCheck(v);
}
const changeKind = (v: unknown) => ((VALIDATOR_CHANGE_KINDS as readonly unknown[]).includes(v) ? undefined : `must be one of ${VALIDATOR_CHANGE_KINDS.join(", ")}`);

export const proposeValidatorChangeTx: TxFormat<ProposeValidatorChangePayload, ProposeValidatorChangeInput> = {
  type: "proposeValidatorChange",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, { change: changeKind, nodePublicKey: nodeKey, partyId }) ??
    firstIssue(p as unknown as Record<string, unknown>, { newNodePublicKey: (v) => newNodeKeyIssue(p.change, p.nodePublicKey, v), newNodeKeyProof: (v) => proofIssue(p.change, v) }),
  build: (i) => ({
    type: "proposeValidatorChange",
    change: i.change,
    nodePublicKey: toBytes("nodePublicKey", i.nodePublicKey),
    partyId: i.partyId,
    ...(i.newNodePublicKey !== undefined ? { newNodePublicKey: toBytes("newNodePublicKey", i.newNodePublicKey) } : {}),
    ...(i.newNodeKeyProof !== undefined ? { newNodeKeyProof: toBytes("newNodeKeyProof", i.newNodeKeyProof) } : {}),
  }),
  targets: "proposal",
  target: (_p, hashHex) => hashHex,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    validatorChangeProposed: (e, p, tx) =>
      want(
        e.proposalId === tx.hashHex &&
          e.proposer === tx.signer &&
          e.change === p.change &&
          e.partyId === p.partyId &&
          equalBytes(e.nodePublicKey, p.nodePublicKey) &&
          equalBytes(e.newNodePublicKey ?? NO_KEY, p.newNodePublicKey ?? NO_KEY),
        "proposal id, proposer, change, party or node key differs from the transaction",
      ),
  },
};
