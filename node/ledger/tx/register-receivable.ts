// registerReceivable: an exporter registers an invoice; its id is the transaction hash. Rejected as
// DUPLICATE_DOCUMENT or DUPLICATE_RECEIVABLE across all parties, and as OVERDUE when its due date
// is already past on the block's UTC day (docs/ledger.md).
import { toHex, utf8 } from "../../../sdk/bytes.js";
import { isPastDue } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { registerReceivableTx } from "../../../sdk/transactions/register-receivable.js";
import type { Receivable } from "../../../sdk/types.js";

/** A new receivable: its buyer has neither acknowledged nor disputed it, and no assignment was notified (DESIGN.md §9). */
const NO_BUYERS_WORD = {
  acknowledgedAmount: 0n,
  acknowledgedDueDate: "",
  acknowledgedAt: 0n,
  disputed: false,
  disputeReason: "",
  disputedSince: 0n,
  payeeBankId: "",
  payeeAccountHash: new Uint8Array(0),
  payeeNotifiedAt: 0n,
} as const satisfies Partial<Receivable>;
import { encodeDocumentRecord } from "../records.js";
import { KEY } from "../state.js";
import { getDocument, getText, hexOf, invariant, partyOfRole, putReceivable, reject, type TxRule } from "./rule.js";

export const registerReceivableRule: TxRule<PayloadOf<"registerReceivable">> = {
  format: registerReceivableTx,
  signers: ["ENTERPRISE"],
  keys: (p, tx) => [
    KEY.document(hexOf(p.documentHash)),
    KEY.fingerprint(hexOf(p.fingerprint)),
    KEY.receivable(tx.hashHex),
    ...(p.buyerPartyId ? [KEY.party(p.buyerPartyId)] : []),
  ],
  createsReceivable: (p, tx) => [tx.hashHex, { exporterId: tx.body.signer, financings: [], currency: p.currency, dueDate: p.dueDate, buyerPartyId: p.buyerPartyId, buyerId: p.buyerId }],
  apply({ state, tx, payload: p, signer, block }) {
    const id = tx.hashHex;
    const docHex = toHex(p.documentHash);
    const fpHex = toHex(p.fingerprint);
    const doc = getDocument(state, docHex);
    if (doc) {
      reject("DUPLICATE_DOCUMENT", `document ${docHex} was anchored by ${doc.anchoredBy} as ${doc.documentType}`, doc.receivableId || id);
    }
    if (p.buyerPartyId) {
      if (p.buyerPartyId === signer.id) reject("UNKNOWN_PARTY", `an exporter is not its own buyer: buyerPartyId ${p.buyerPartyId} is the signer`);
      partyOfRole(state, p.buyerPartyId, "ENTERPRISE", "buyer");
    }
    const holder = getText(state, KEY.fingerprint(fpHex));
    if (holder !== undefined) reject("DUPLICATE_RECEIVABLE", `an invoice with fingerprint ${fpHex} is already receivable ${holder}`, holder);
    // After the duplicate checks, whose evidence (the receivable collided with) matters more.
    // An invoice due before the block's UTC day would be born overdue: nothing could finance it
    // (financeReceivable's OVERDUE) and it would only pollute the book. Due on the block's day is
    // fine, as financing on the due date is. Block time, never a clock: every validator agrees.
    if (isPastDue(p.dueDate, block.time)) reject("OVERDUE", `due date ${p.dueDate} is before the block's date: the invoice is already overdue`);
    invariant(!state.get(KEY.receivable(id)), `receivable ${id} exists but its transaction was not seen before`);
    const receivable: Receivable = {
      id,
      exporterId: signer.id,
      buyerId: p.buyerId,
      amount: p.amount,
      currency: p.currency,
      issueDate: p.issueDate,
      dueDate: p.dueDate,
      documentHash: p.documentHash,
      fingerprint: p.fingerprint,
      status: "REGISTERED",
      declarationFingerprint: new Uint8Array(0),
      attestedBy: "",
      financings: [],
      registeredAt: block.time,
      updatedAt: block.time,
      buyerPartyId: p.buyerPartyId ?? "",
      warrantPieceId: "",
      ...NO_BUYERS_WORD,
      extensionBankId: "",
      extensionDueDate: "",
      extensionProposedAt: 0n,
      extensions: 0,
    };
    putReceivable(state, receivable);
    state.put(KEY.fingerprint(fpHex), utf8(id));
    state.put(
      KEY.document(docHex),
      encodeDocumentRecord({ documentHash: p.documentHash, documentType: "INVOICE", anchoredBy: signer.id, receivableId: id, anchoredAt: block.time, txHash: tx.hash }),
    );
    return [{ type: "receivableRegistered", receivableId: id, exporterId: signer.id, amount: p.amount, currency: p.currency, dueDate: p.dueDate }];
  },
};
