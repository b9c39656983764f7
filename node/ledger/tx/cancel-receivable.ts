// cancelReceivable: the exporter withdraws its receivable while nothing is financed, freeing its
// invoice's fingerprint and document hash and its share of the declaration (docs/ledger.md).
import { toHex } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { cancelReceivableTx } from "../../../sdk/transactions/cancel-receivable.js";
import { encodeDeclaration } from "../records.js";
import { decodeReceivable } from "../records.js";
import { KEY } from "../state.js";
import { getDeclaration, getDocument, getText, invariant, putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

export const cancelReceivableRule: TxRule<PayloadOf<"cancelReceivable">> = {
  format: cancelReceivableTx,
  signers: ["ENTERPRISE"],
  keys(p, _tx, loaded) {
    const key = KEY.receivable(p.receivableId);
    const bytes = loaded?.(key);
    if (!bytes) return [key];
    // What cancelling frees: found in the receivable record itself.
    const r = decodeReceivable(bytes);
    const keys = [key, KEY.fingerprint(toHex(r.fingerprint)), KEY.document(toHex(r.documentHash))];
    if (r.declarationFingerprint.length > 0) keys.push(KEY.declaration(toHex(r.declarationFingerprint)));
    return keys;
  },
  apply({ state, payload: p, signer, block }) {
    const r = receivableOrReject(state, p.receivableId);
    if (r.exporterId !== signer.id) reject("UNAUTHORIZED", `receivable ${r.id} belongs to ${r.exporterId}; only its exporter cancels it`);
    if (r.warrantPieceId) reject("TRADE_REF_USED", `receivable ${r.id} backs digital-warrant piece ${r.warrantPieceId} and can no longer be cancelled`);
    const cancellable = r.status === "REGISTERED" || (r.status === "ATTESTED" && r.financings.length === 0);
    if (!cancellable) reject("INVALID_STATE", `receivable ${r.id} is ${r.status}; only a REGISTERED or unfinanced ATTESTED receivable can be cancelled`);
    const fpHex = toHex(r.fingerprint);
    invariant(getText(state, KEY.fingerprint(fpHex)) === r.id, `fingerprint ${fpHex} is not held by live receivable ${r.id}`);
    state.del(KEY.fingerprint(fpHex));
    const docHex = toHex(r.documentHash);
    invariant(getDocument(state, docHex)?.receivableId === r.id, `invoice document ${docHex} is not anchored for receivable ${r.id}`);
    state.del(KEY.document(docHex));
    if (r.status === "ATTESTED") {
      const declHex = toHex(r.declarationFingerprint);
      const decl = getDeclaration(state, declHex);
      invariant(decl && decl.attestedTotal >= r.amount && decl.receivableIds.includes(r.id), `declaration ${declHex} does not back receivable ${r.id}`);
      state.put(
        KEY.declaration(declHex),
        encodeDeclaration({ ...decl, attestedTotal: decl.attestedTotal - r.amount, receivableIds: decl.receivableIds.filter((id) => id !== r.id) }),
      );
    }
    putReceivable(state, { ...r, status: "CANCELLED", updatedAt: block.time });
    return [{ type: "receivableCancelled", receivableId: r.id }];
  },
};
