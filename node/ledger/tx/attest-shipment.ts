// attestShipment: customs binds one export declaration to receivables of the declaring exporter,
// never beyond its declared value over all attestations (docs/ledger.md).
import { toHex } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { attestShipmentTx } from "../../../sdk/transactions/attest-shipment.js";
import type { Event } from "../../../sdk/types.js";
import { encodeDeclaration, encodeDocumentRecord } from "../records.js";
import { KEY } from "../state.js";
import { getDeclaration, getDocument, getParty, hexOf, money, putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

/** Bound on record growth: every later attestation re-encodes the declaration whole. */
export const MAX_RECEIVABLES_PER_DECLARATION = 1000;

export const attestShipmentRule: TxRule<PayloadOf<"attestShipment">> = {
  format: attestShipmentTx,
  signers: ["CUSTOMS"],
  keys: (p) => [
    KEY.party(p.exporterId),
    KEY.declaration(hexOf(p.declarationFingerprint)),
    KEY.document(hexOf(p.declarationHash)),
    ...p.receivableIds.map((id) => KEY.receivable(id)),
  ],
  apply({ state, tx, payload: p, signer, block }) {
    const exporter = getParty(state, p.exporterId);
    if (!exporter || exporter.role !== "ENTERPRISE") reject("NOT_FOUND", `no ENTERPRISE party ${p.exporterId}`);
    const fpHex = toHex(p.declarationFingerprint);
    const declHashHex = toHex(p.declarationHash);
    let decl = getDeclaration(state, fpHex);
    if (decl) {
      if (decl.exporterId !== p.exporterId) reject("DECLARATION_REUSED", `declaration ${fpHex} was attested for exporter ${decl.exporterId}, not ${p.exporterId}`);
      const differs: string[] = [];
      if (toHex(decl.documentHash) !== declHashHex) differs.push(`document hash (attested ${toHex(decl.documentHash)})`);
      if (decl.declaredValue !== p.declaredValue) differs.push(`declared value (attested ${decl.declaredValue})`);
      if (decl.currency !== p.currency) differs.push(`currency (attested ${decl.currency})`);
      if (decl.exportDate !== p.exportDate) differs.push(`export date (attested ${decl.exportDate})`);
      if (differs.length > 0) reject("DECLARATION_CONFLICT", `declaration ${fpHex} differs from its earlier attestation in ${differs.join(", ")}`);
    } else {
      const doc = getDocument(state, declHashHex);
      if (doc) reject("DUPLICATE_DOCUMENT", `declaration document ${declHashHex} was anchored by ${doc.anchoredBy} as ${doc.documentType}`);
      decl = {
        fingerprint: p.declarationFingerprint,
        documentHash: p.declarationHash,
        exporterId: p.exporterId,
        declaredValue: p.declaredValue,
        currency: p.currency,
        exportDate: p.exportDate,
        customsId: signer.id,
        attestedTotal: 0n,
        receivableIds: [],
      };
      state.put(
        KEY.document(declHashHex),
        encodeDocumentRecord({ documentHash: p.declarationHash, documentType: "EXPORT_DECLARATION", anchoredBy: signer.id, receivableId: "", anchoredAt: block.time, txHash: tx.hash }),
      );
    }
    const receivables = p.receivableIds.map((id) => {
      const r = receivableOrReject(state, id, id);
      if (r.exporterId !== p.exporterId) reject("EXPORTER_MISMATCH", `receivable ${id} belongs to ${r.exporterId}, the declaration to ${p.exporterId}`, id);
      if (r.currency !== p.currency) reject("CURRENCY_MISMATCH", `receivable ${id} is in ${r.currency}, the declaration in ${p.currency}`, id);
      if (r.status !== "REGISTERED") reject("INVALID_STATE", `receivable ${id} is ${r.status}; only a REGISTERED receivable can be attested`, id);
      return r;
    });
    const adding = receivables.reduce((sum, r) => sum + r.amount, 0n);
    const total = decl.attestedTotal + adding;
    if (total > decl.declaredValue) {
      reject(
        "EXCEEDS_DECLARED_VALUE",
        `declaration ${fpHex} backs ${money(decl.attestedTotal, decl.currency)} of receivables already; ${money(adding, decl.currency)} more exceeds its declared value ${money(decl.declaredValue, decl.currency)}`,
      );
    }
    if (decl.receivableIds.length + receivables.length > MAX_RECEIVABLES_PER_DECLARATION) {
      reject("INVALID_STATE", `declaration ${fpHex} may back at most ${MAX_RECEIVABLES_PER_DECLARATION} receivables`);
    }
    const events: Event[] = [];
    for (const r of receivables) {
      putReceivable(state, { ...r, status: "ATTESTED", declarationFingerprint: p.declarationFingerprint, attestedBy: signer.id, updatedAt: block.time });
      events.push({ type: "receivableAttested", receivableId: r.id, declarationFingerprint: p.declarationFingerprint, customsId: signer.id });
    }
    state.put(KEY.declaration(fpHex), encodeDeclaration({ ...decl, attestedTotal: total, receivableIds: [...decl.receivableIds, ...p.receivableIds] }));
    return events;
  },
};
