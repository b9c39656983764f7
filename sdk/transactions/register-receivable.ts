// registerReceivable: an exporter registers an invoice by its document hash and duplicate
// fingerprint (DESIGN.md §2-3); the receivable's id is the transaction hash.
import { currency, date, partyId, dayNumber, firstIssue, hash32, LIMITS, MalformedError, positiveAmount, text, toAmount, toBytes, type AmountInput, type BytesInput } from "../checks.js";
import { fingerprintInvoice } from "../fingerprint.js";
import { hashDocument, type DocumentCommitment, type HashDocumentOptions } from "../hashing/document-hash.js";
import { decimalToMinorUnits } from "../hashing/verify-document.js";
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

export const registerReceivableTx: TxFormat<RegisterReceivablePayload, RegisterReceivableInput> = {
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
  events: {
    receivableRegistered: (e, p, tx) =>
      want(
        e.receivableId === tx.hashHex && e.exporterId === tx.signer && e.amount === p.amount && e.currency === p.currency && e.dueDate === p.dueDate,
        "receivable id, exporter, amount, currency or due date differs from the transaction",
      ),
  },
};

// ---- from the invoice itself ------------------------------------------------------------------

export interface InvoiceRegistrationOptions extends HashDocumentOptions {
  /** the buyer's party id when the buyer is on the network (DESIGN.md §9) */
  buyerPartyId?: string;
}

export interface InvoiceRegistration {
  payload: RegisterReceivablePayload;
  /** the salted Merkle commitment (docs/hashing.md); keep `salts` with the document */
  commitment: DocumentCommitment;
  fingerprint: Uint8Array;
}

function field(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const k of path.split(".")) {
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function stringField(doc: unknown, path: string): string {
  const v = field(doc, path);
  if (typeof v !== "string" || v === "") throw new MalformedError(path, "the invoice must carry it as a non-empty string");
  return v;
}

/**
 * Everything an exporter anchors for an invoice, computed from the invoice alone (the sample shape
 * of examples/documents/commercial-invoice.json): its document hash (fresh salts unless given),
 * its fingerprint from seller.partyId, buyer.identifier, invoiceNumber and currency (docs/hashing.md
 * §6), and the payload with the amount in minor units. The fingerprint is taken from the same
 * fields a lender's verifyDocument recomputes, so the two can never disagree.
 */
export function invoiceRegistration(document: unknown, opts: InvoiceRegistrationOptions = {}): InvoiceRegistration {
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw new MalformedError("document", "an invoice is a JSON object");
  const cur = stringField(document, "currency");
  const key = { sellerId: stringField(document, "seller.partyId"), buyerId: stringField(document, "buyer.identifier"), invoiceNumber: stringField(document, "invoiceNumber"), currency: cur };
  const amount = decimalToMinorUnits(field(document, "totalAmount"), cur);
  if (amount === null) throw new MalformedError("totalAmount", `is not an exact decimal amount of ${cur} (e.g. "152500.00")`);
  const commitment = hashDocument(document, { ...(opts.salts ? { salts: opts.salts } : {}), ...(opts.random ? { random: opts.random } : {}) });
  const fingerprint = fingerprintInvoice(key);
  const payload = registerReceivableTx.build({
    documentHash: commitment.root,
    fingerprint,
    buyerId: key.buyerId,
    amount,
    currency: cur,
    issueDate: stringField(document, "issueDate"),
    dueDate: stringField(document, "dueDate"),
    ...(opts.buyerPartyId !== undefined ? { buyerPartyId: opts.buyerPartyId } : {}),
  });
  return { payload, commitment, fingerprint };
}
