// registerReceivable: an exporter registers an invoice by its document hash and duplicate
// fingerprint (DESIGN.md §2-3); the receivable's id is the transaction hash.
import { z } from "zod";
import { Amount, CalendarDate, Currency, Hex32, PartyId } from "../api/primitives.js";
import { currency, date, partyId, dayNumber, firstIssue, hash32, LIMITS, positiveAmount, text, toAmount, toBytes, type AmountInput, type BytesInput } from "../checks.js";
import { want, type TxFormat } from "./format.js";

export interface RegisterReceivable {
  documentHash: Uint8Array;
  fingerprint: Uint8Array;
  buyerId: string;
  amount: bigint;
  currency: string;
  issueDate: string;
  dueDate: string;
  /** the buyer's party id when the buyer is a registered ENTERPRISE (DESIGN.md §9); "" if not on the network */
  buyerPartyId: string;
}
export type RegisterReceivablePayload = { type: "registerReceivable" } & RegisterReceivable;

export interface RegisterReceivableInput {
  documentHash: BytesInput;
  fingerprint: BytesInput;
  buyerId: string;
  amount: AmountInput;
  currency: string;
  issueDate: string;
  dueDate: string;
  buyerPartyId?: string;
}

const RegisterReceivableJson = z.object({
  type: z.literal("registerReceivable"),
  documentHash: Hex32,
  fingerprint: Hex32,
  buyerId: z.string(),
  amount: Amount,
  currency: Currency,
  issueDate: CalendarDate,
  dueDate: CalendarDate,
  buyerPartyId: z.union([z.literal(""), PartyId]).describe("the buyer's party id when the buyer is on the network; empty otherwise"),
});

export const registerReceivableTx: TxFormat<RegisterReceivablePayload, RegisterReceivableInput, typeof RegisterReceivableJson> = {
  type: "registerReceivable",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      documentHash: hash32,
      fingerprint: hash32,
      buyerId: text(1, LIMITS.buyerIdChars),
      amount: positiveAmount,
      currency,
      issueDate: date,
      dueDate: date,
      buyerPartyId: (v) => (v === "" || v === undefined ? undefined : partyId(v)),
    }) ?? (dayNumber(p.dueDate) < dayNumber(p.issueDate) ? { field: "dueDate", message: `must not precede issueDate ${p.issueDate}` } : undefined),
  build: (input) => ({
    type: "registerReceivable",
    documentHash: toBytes("documentHash", input.documentHash),
    fingerprint: toBytes("fingerprint", input.fingerprint),
    buyerId: input.buyerId,
    amount: toAmount("amount", input.amount),
    currency: input.currency,
    issueDate: input.issueDate,
    dueDate: input.dueDate,
    buyerPartyId: input.buyerPartyId ?? "",
  }),
  targets: "receivable",
  target: (_p, txHashHex) => txHashHex,
  receivablesNamed: () => [],
  carries: (p) => ({ documents: [p.documentHash], fingerprints: [p.fingerprint] }),
  json: RegisterReceivableJson,
  events: {
    receivableRegistered: (e, p, tx) =>
      want(
        e.receivableId === tx.hashHex && e.exporterId === tx.signer && e.amount === p.amount && e.currency === p.currency && e.dueDate === p.dueDate,
        "receivable id, exporter, amount, currency or due date differs from the transaction",
      ),
  },
};
