// transferWarrant: the holder spends a piece into one new piece per output, each backed by the
// recipient's invoice on the sender, and the remainder back to itself; a bank sells a financed piece
// on to banks only, with no invoice (docs/warrants.md). Conservation: the new pieces' amounts sum
// to the spent piece's, so a warrant's live leaves always sum to its face value.
import { LIMITS } from "../../../sdk/checks.js";
import type { Event, Piece, Receivable } from "../../../sdk/types.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { transferWarrantTx } from "../../../sdk/transactions/transfer-warrant.js";
import { pieceIdOf } from "../../../sdk/transactions/warrant-common.js";
import { decodePiece, decodeWarrant } from "../records.js";
import { KEY } from "../state.js";
import { invariant, money, partyOfRole, pieceOrReject, putPiece, putReceivable, reject, type PieceKeyFields, type TxRule } from "./rule.js";
import { assertHolder, assertNotMatured, minPiece, tradeBackground } from "./warrant-common.js";

export const transferWarrantRule: TxRule<PayloadOf<"transferWarrant">> = {
  format: transferWarrantTx,
  signers: ["ENTERPRISE", "BANK"],
  keys(p, tx, loaded) {
    const keys = [
      KEY.piece(p.pieceId),
      ...p.outputs.flatMap((o, i) => [KEY.party(o.to), KEY.piece(pieceIdOf(tx.hashHex, i)), ...(o.tradeRef ? [KEY.receivable(o.tradeRef)] : [])]),
      KEY.piece(pieceIdOf(tx.hashHex, p.outputs.length)),
    ];
    // The new pieces name the warrant (and through it the line) without this rule reading them; a
    // later transaction of the same block that pays one of them reads both, and its own keys cannot
    // find them (its piece is not in the state before the block): name them here for the prefetch.
    const piece = loaded?.(KEY.piece(p.pieceId));
    if (piece) {
      const warrantKey = KEY.warrant(decodePiece(piece).warrantId);
      keys.push(warrantKey);
      const warrant = loaded?.(warrantKey);
      if (warrant) keys.push(KEY.creditLine(decodeWarrant(warrant).lineId));
    }
    return keys;
  },
  createsPieces(p, tx, pieceOf) {
    const piece = pieceOf(p.pieceId);
    if (!piece) return [];
    const bankSale = piece.status === "FINANCED";
    const child = (holderId: string) => ({ ...piece, holderId, status: bankSale ? ("FINANCED" as const) : ("HELD" as const), soldBy: bankSale ? piece.soldBy : "" });
    return [...p.outputs.map((o, i): [string, PieceKeyFields] => [pieceIdOf(tx.hashHex, i), child(o.to)]), [pieceIdOf(tx.hashHex, p.outputs.length), child(tx.body.signer)]];
  },
  apply({ state, tx, payload: p, signer, block, params }) {
    const piece = pieceOrReject(state, p.pieceId);
    assertHolder(piece, signer);
    // An enterprise passes on a piece it holds; a bank sells on a piece it financed.
    const bankSale = signer.role === "BANK";
    const movable = bankSale ? "FINANCED" : "HELD";
    if (piece.status !== movable) reject("INVALID_STATE", `piece ${piece.id} is ${piece.status}; a ${signer.role} transfers a ${movable} piece`);
    assertNotMatured(piece, block.time);
    if (piece.depth + 1 > params.maxWarrantDepth) reject("INVALID_SPLIT", `piece ${piece.id} is at depth ${piece.depth}; pieces go at most ${params.maxWarrantDepth} deep`);

    if (p.outputs.length > LIMITS.warrantOutputs) reject("INVALID_SPLIT", `${p.outputs.length} outputs; a transfer has at most ${LIMITS.warrantOutputs}`);
    const floor = minPiece(params, piece.currency);
    let total = 0n;
    const refs = new Set<string>();
    const backing: (Receivable | undefined)[] = [];
    for (const [i, o] of p.outputs.entries()) {
      if (o.amount < floor) reject("INVALID_SPLIT", `output ${i}: ${money(o.amount, piece.currency)} is below the smallest piece, ${money(floor, piece.currency)}`);
      if (o.to === signer.id) reject("INVALID_SPLIT", `output ${i} goes back to the sender; the remainder does that`);
      total += o.amount;
      if (bankSale) {
        if (o.tradeRef) reject("INVALID_SPLIT", `output ${i}: a bank's sale of a financed piece carries no invoice`);
        partyOfRole(state, o.to, "BANK", `output ${i}: recipient`);
        backing.push(undefined);
        continue;
      }
      partyOfRole(state, o.to, "ENTERPRISE", `output ${i}: recipient`);
      if (!o.tradeRef) reject("NO_TRADE_BACKGROUND", `output ${i} names no invoice of ${o.to} on ${signer.id}`);
      if (refs.has(o.tradeRef)) reject("TRADE_REF_USED", `output ${i}: invoice ${o.tradeRef} is named twice`);
      refs.add(o.tradeRef);
      const r = tradeBackground(state, o.tradeRef, { seller: o.to, buyer: signer.id, currency: piece.currency });
      if (r.amount < o.amount) reject("NO_TRADE_BACKGROUND", `output ${i}: invoice ${r.id} is for ${money(r.amount, r.currency)}, less than ${money(o.amount, piece.currency)}`);
      backing.push(r);
    }
    if (total > piece.amount) reject("INVALID_SPLIT", `outputs sum to ${money(total, piece.currency)}, more than the piece's ${money(piece.amount, piece.currency)}`);
    const remainder = piece.amount - total;
    if (remainder > 0n && remainder < floor) reject("INVALID_SPLIT", `the remainder ${money(remainder, piece.currency)} would be below the smallest piece, ${money(floor, piece.currency)}`);

    const events: Event[] = [{ type: "pieceSpent", pieceId: piece.id, warrantId: piece.warrantId }];
    const children: string[] = [];
    const create = (index: number, holderId: string, amount: bigint, tradeRef: string): void => {
      const id = pieceIdOf(tx.hashHex, index);
      invariant(!state.get(KEY.piece(id)), `piece ${id} exists but its transaction was not seen before`);
      const child: Piece = {
        ...piece,
        id,
        parentId: piece.id,
        holderId,
        amount,
        depth: piece.depth + 1,
        status: bankSale ? "FINANCED" : "HELD",
        offeredTo: "",
        financedBy: bankSale ? holderId : "",
        advance: 0n,
        tradeRef,
        children: [],
        createdAt: block.time,
        updatedAt: block.time,
        // a bank sale's pieces keep whom the first bank bought from and the due date as extended;
        // a pending proposal and the count of extensions stay with the spent piece
        soldBy: bankSale ? piece.soldBy : "",
        dueDate: piece.dueDate,
        extensionDueDate: "",
        extensions: 0,
        writtenOff: 0n,
      };
      putPiece(state, child);
      children.push(id);
      events.push({ type: "pieceCreated", pieceId: id, warrantId: piece.warrantId, parentId: piece.id, holderId, amount, depth: child.depth, tradeRef });
    };
    p.outputs.forEach((o, i) => create(i, o.to, o.amount, o.tradeRef));
    if (remainder > 0n) create(p.outputs.length, signer.id, remainder, "");
    for (const [i, r] of backing.entries()) if (r) putReceivable(state, { ...r, warrantPieceId: children[i]!, updatedAt: block.time });
    putPiece(state, { ...piece, status: "SPENT", children, extensionDueDate: "", updatedAt: block.time });
    return events;
  },
};
