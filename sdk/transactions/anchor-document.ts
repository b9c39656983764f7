// anchorDocument: any writing party anchors another trade document (bill of lading, packing list,
// certificate of origin, ...) by hash, optionally linked to a receivable (DESIGN.md §2).
import { toHex } from "../bytes.js";
import { BILL_OF_LADING, DOCUMENT_TYPE_RE, firstIssue, hash32, HASH_BYTES, matches, optionalBytesOf, RESERVED_DOCUMENT_TYPES, toBytes, txId, type BytesInput } from "../checks.js";
import { want, type TxFormat } from "./format.js";
import { equalBytes } from "../bytes.js";

export interface AnchorDocument {
  documentHash: Uint8Array;
  documentType: string;
  receivableId: string;
  billOfLadingFingerprint: Uint8Array;
}
export type AnchorDocumentPayload = { type: "anchorDocument" } & AnchorDocument;

export interface AnchorDocumentInput {
  documentHash: BytesInput;
  documentType: string;
  receivableId?: string;
  billOfLadingFingerprint?: BytesInput;
}

export const anchorDocumentTx: TxFormat<AnchorDocumentPayload, AnchorDocumentInput> = {
  type: "anchorDocument",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      documentHash: hash32,
      documentType: (v) => {
        const bad = matches(DOCUMENT_TYPE_RE, "an upper-case type like BILL_OF_LADING")(v);
        if (bad) return bad;
        return RESERVED_DOCUMENT_TYPES.includes(v as string) ? `${String(v)} is anchored by its own transaction type, not anchorDocument` : undefined;
      },
      receivableId: (v) => (v === "" ? undefined : txId(v)),
      billOfLadingFingerprint: (v) => {
        const bad = optionalBytesOf(HASH_BYTES)(v);
        if (bad) return bad;
        return (v as Uint8Array).length > 0 && p.documentType !== BILL_OF_LADING ? `only a ${BILL_OF_LADING} carries a bill of lading fingerprint` : undefined;
      },
    }),
  build: (input) => ({
    type: "anchorDocument",
    documentHash: toBytes("documentHash", input.documentHash),
    documentType: input.documentType,
    receivableId: input.receivableId ?? "",
    billOfLadingFingerprint: toBytes("billOfLadingFingerprint", input.billOfLadingFingerprint),
  }),
  targets: "document",
  target: (p) => toHex(p.documentHash),
  receivablesNamed: (p) => (p.receivableId ? [p.receivableId] : []),
  carries: (p) => ({ documents: [p.documentHash], fingerprints: [] }),
  events: {
    documentAnchored: (e, p) =>
      want(equalBytes(e.documentHash, p.documentHash) && e.documentType === p.documentType && e.receivableId === p.receivableId, "document hash, type or link differs from the transaction"),
  },
};
