// transferWarrant: the holder of a piece spends it into new pieces, one per output (each backed by
// the recipient's invoice on the sender), and the remainder back to itself; a bank that financed a
// piece may sell it on to another bank, with no invoice (DESIGN.md §7).
import { firstIssue, MalformedError, type PayloadIssue, optionalTxId, partyId, positiveAmount, toAmount, txId, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";
import { pieceIdOf } from "./warrant-common.js";

export interface WarrantOutput {
  to: string;
  amount: bigint;
  /** the recipient's invoice on the sender (a receivable id); "" between banks */
  tradeRef: string;
}
export interface TransferWarrant {
  pieceId: string;
  outputs: WarrantOutput[];
}
export type TransferWarrantPayload = { type: "transferWarrant" } & TransferWarrant;
export interface TransferWarrantInput {
  pieceId: string;
  outputs: { to: string; amount: AmountInput; tradeRef?: string }[];
}

/** The first bad field of the outputs, named by its index ("outputs[2].amount"). */
function outputIssue(outputs: unknown[]): PayloadIssue | undefined {
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i] as Record<string, unknown> | null;
    if (o === null || typeof o !== "object") return { field: `outputs[${i}]`, message: "must be an output" };
    const issue = firstIssue(o, { to: partyId, amount: positiveAmount, tradeRef: optionalTxId });
    if (issue) return { field: `outputs[${i}].${issue.field}`, message: issue.message };
  }
  return undefined;
}

export const transferWarrantTx: TxFormat<TransferWarrantPayload, TransferWarrantInput> = {
  type: "transferWarrant",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId, outputs: (v) => (Array.isArray(v) ? (v.length === 0 ? "must have at least one output" : undefined) : "must be an array") }) ?? outputIssue(p.outputs),
  build: (i) => {
    if (!Array.isArray(i.outputs)) throw new MalformedError("outputs", "must be an array");
    return {
      type: "transferWarrant",
      pieceId: i.pieceId,
      outputs: i.outputs.map((o, n) => ({ to: o.to, amount: toAmount(`outputs[${n}].amount`, o.amount), tradeRef: o.tradeRef ?? "" })),
    };
  },
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: (p) => p.outputs.map((o) => o.tradeRef).filter((r) => r !== ""),
  carries: () => NOTHING_CARRIED,
  events: {
    pieceSpent: (e, p) => want(e.pieceId === p.pieceId, "spent piece differs from the transaction"),
    pieceCreated: (e, p, tx) => {
      if (e.parentId !== p.pieceId) return "new piece's parent differs from the spent piece";
      const i = p.outputs.findIndex((_, n) => pieceIdOf(tx.hashHex, n) === e.pieceId);
      if (i >= 0) {
        const o = p.outputs[i]!;
        return want(e.holderId === o.to && e.amount === o.amount && e.tradeRef === o.tradeRef, `output ${i}'s holder, amount or trade reference differs from the transaction`);
      }
      return want(e.pieceId === pieceIdOf(tx.hashHex, p.outputs.length) && e.holderId === tx.signer && e.tradeRef === "", "a new piece that is neither an output nor the sender's remainder");
    },
  },
};
