// notifyAssignment: a bank with a live financing on a receivable tells its buyer, on the ledger,
// whom to pay: the hash of the payee account (DESIGN.md §9). While that bank finances the
// receivable, only it may change the payee (PAYEE_LOCKED).
import { firstIssue, hash32, toBytes, txId, type BytesInput } from "../checks.js";
import { equalBytes } from "../bytes.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface NotifyAssignment {
  receivableId: string;
  /** SHA-256 of the payee account (the account itself stays off the ledger), 32 bytes */
  payeeAccountHash: Uint8Array;
}
export type NotifyAssignmentPayload = { type: "notifyAssignment" } & NotifyAssignment;

export interface NotifyAssignmentInput {
  receivableId: string;
  payeeAccountHash: BytesInput;
}

export const notifyAssignmentTx: TxFormat<NotifyAssignmentPayload, NotifyAssignmentInput> = {
  type: "notifyAssignment",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, payeeAccountHash: hash32 }),
  build: (input) => ({ type: "notifyAssignment", receivableId: input.receivableId, payeeAccountHash: toBytes("payeeAccountHash", input.payeeAccountHash) }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    assignmentNotified: (e, p, tx) =>
      want(
        e.receivableId === p.receivableId && e.bankId === tx.signer && equalBytes(e.payeeAccountHash, p.payeeAccountHash),
        "receivable, bank or payee account differs from the transaction",
      ),
  },
};
