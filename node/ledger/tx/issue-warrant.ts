// issueWarrant: the obligor of a credit line promises to pay a supplier at maturity, against that
// supplier's invoices on it; the invoices are committed to the warrant for good (docs/warrants.md).
import { isPastDue } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { issueWarrantTx } from "../../../sdk/transactions/issue-warrant.js";
import { KEY } from "../state.js";
import { getCreditLine, invariant, money, partyOfRole, putCreditLine, putPiece, putReceivable, putWarrant, reject, type TxRule } from "./rule.js";
import { assertTenor, tradeBackground } from "./warrant-common.js";

export const issueWarrantRule: TxRule<PayloadOf<"issueWarrant">> = {
  format: issueWarrantTx,
  signers: ["ENTERPRISE"],
  keys: (p, tx) => [KEY.creditLine(p.lineId), KEY.party(p.holder), KEY.warrant(tx.hashHex), KEY.piece(tx.hashHex), ...p.sources.map((id) => KEY.receivable(id))],
  createsPieces: (p, tx) => [[tx.hashHex, { status: "HELD", holderId: p.holder, currency: p.currency, soldBy: "", obligorId: tx.body.signer, dueDate: "", maturityDate: p.maturityDate }]],
  apply({ state, tx, payload: p, signer, block, params }) {
    const line = getCreditLine(state, p.lineId);
    if (!line) reject("CREDIT_LINE_INVALID", `no credit line ${p.lineId}`);
    if (line.obligorId !== signer.id) reject("CREDIT_LINE_INVALID", `credit line ${line.id} is ${line.obligorId}'s, not ${signer.id}'s`);
    if (isPastDue(line.expiryDate, block.time)) reject("CREDIT_LINE_INVALID", `credit line ${line.id} expired on ${line.expiryDate}`);
    if (line.currency !== p.currency) reject("CREDIT_LINE_INVALID", `credit line ${line.id} is in ${line.currency}, not ${p.currency}`);
    if (line.outstanding + p.amount > line.limit) {
      reject("CREDIT_LINE_EXCEEDED", `credit line ${line.id} has ${money(line.outstanding, line.currency)} of ${money(line.limit, line.currency)} drawn; ${money(p.amount, p.currency)} more exceeds it`);
    }
    assertTenor(p.maturityDate, block.time, params);
    if (p.holder === signer.id) reject("NO_TRADE_BACKGROUND", "an obligor cannot issue a warrant to itself");
    partyOfRole(state, p.holder, "ENTERPRISE", "holder");
    let backing = 0n;
    const sources = p.sources.map((id) => {
      const r = tradeBackground(state, id, { seller: p.holder, buyer: signer.id, currency: p.currency });
      backing += r.amount;
      return r;
    });
    if (backing < p.amount) reject("NO_TRADE_BACKGROUND", `the sources' face values sum to ${money(backing, p.currency)}, less than the warrant's ${money(p.amount, p.currency)}`);

    const id = tx.hashHex;
    invariant(!state.get(KEY.warrant(id)) && !state.get(KEY.piece(id)), `warrant ${id} exists but its transaction was not seen before`);
    for (const r of sources) putReceivable(state, { ...r, warrantPieceId: id, updatedAt: block.time });
    const outstanding = line.outstanding + p.amount;
    putCreditLine(state, { ...line, outstanding, warrants: line.warrants + 1, updatedAt: block.time });
    putWarrant(state, {
      id,
      lineId: line.id,
      obligorId: signer.id,
      bankId: line.bankId,
      holderId: p.holder,
      amount: p.amount,
      currency: p.currency,
      maturityDate: p.maturityDate,
      sources: [...p.sources],
      settled: 0n,
      status: "ISSUED",
      issuedAt: block.time,
      updatedAt: block.time,
      writtenOff: 0n,
    });
    putPiece(state, {
      id,
      warrantId: id,
      parentId: "",
      holderId: p.holder,
      amount: p.amount,
      depth: 0,
      status: "HELD",
      offeredTo: "",
      financedBy: "",
      advance: 0n,
      tradeRef: "",
      children: [],
      obligorId: signer.id,
      currency: p.currency,
      maturityDate: p.maturityDate,
      createdAt: block.time,
      updatedAt: block.time,
      soldBy: "",
      dueDate: "",
      extensionDueDate: "",
      extensions: 0,
      writtenOff: 0n,
    });
    return [
      { type: "warrantIssued", warrantId: id, lineId: line.id, obligorId: signer.id, holderId: p.holder, amount: p.amount, currency: p.currency, maturityDate: p.maturityDate, lineOutstanding: outstanding },
      { type: "pieceCreated", pieceId: id, warrantId: id, parentId: "", holderId: p.holder, amount: p.amount, depth: 0, tradeRef: "" },
    ];
  },
};
