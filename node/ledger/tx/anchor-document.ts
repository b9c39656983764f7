// anchorDocument: any writing party anchors another trade document by hash, optionally linked to a
// receivable; a bill of lading number backs receivables of one exporter only (docs/ledger.md).
import { toHex, utf8 } from "../../../sdk/bytes.js";
import { BILL_OF_LADING } from "../../../sdk/checks.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { anchorDocumentTx } from "../../../sdk/transactions/anchor-document.js";
import type { Receivable } from "../../../sdk/types.js";
import { encodeDocumentRecord } from "../records.js";
import { KEY } from "../state.js";
import { getDocument, getText, hexOf, receivableOrReject, reject, type TxRule } from "./rule.js";

export const anchorDocumentRule: TxRule<PayloadOf<"anchorDocument">> = {
  format: anchorDocumentTx,
  signers: ["BANK", "CUSTOMS", "ENTERPRISE"],
  keys(p) {
    const keys = [KEY.document(hexOf(p.documentHash))];
    if (p.receivableId) keys.push(KEY.receivable(p.receivableId));
    if (p.billOfLadingFingerprint?.length) keys.push(KEY.billOfLading(hexOf(p.billOfLadingFingerprint)));
    return keys;
  },
  apply({ state, tx, payload: p, signer, block }) {
    const hasBillOfLading = p.billOfLadingFingerprint.length > 0;
    if (hasBillOfLading && p.receivableId === "" && signer.role !== "ENTERPRISE") {
      reject("MALFORMED", `a ${BILL_OF_LADING} fingerprint must name its exporter: link a receivable or sign as the exporter`);
    }
    const docHex = toHex(p.documentHash);
    const doc = getDocument(state, docHex);
    if (doc) reject("DUPLICATE_DOCUMENT", `document ${docHex} was anchored by ${doc.anchoredBy} as ${doc.documentType}`);
    let linked: Receivable | undefined;
    if (p.receivableId !== "") {
      linked = receivableOrReject(state, p.receivableId);
      if (signer.role === "ENTERPRISE" && linked.exporterId !== signer.id) {
        reject("UNAUTHORIZED", `receivable ${linked.id} belongs to ${linked.exporterId}; an enterprise links documents to its own receivables only`);
      }
    }
    if (hasBillOfLading) {
      const exporterId = linked ? linked.exporterId : signer.id;
      const blHex = toHex(p.billOfLadingFingerprint);
      const backs = getText(state, KEY.billOfLading(blHex));
      if (backs !== undefined && backs !== exporterId) reject("BILL_OF_LADING_REUSED", `bill of lading ${blHex} already backs receivables of ${backs}, not ${exporterId}`);
      if (backs === undefined) state.put(KEY.billOfLading(blHex), utf8(exporterId));
    }
    state.put(
      KEY.document(docHex),
      encodeDocumentRecord({ documentHash: p.documentHash, documentType: p.documentType, anchoredBy: signer.id, receivableId: p.receivableId, anchoredAt: block.time, txHash: tx.hash }),
    );
    return [{ type: "documentAnchored", documentHash: p.documentHash, documentType: p.documentType, receivableId: p.receivableId }];
  },
};
