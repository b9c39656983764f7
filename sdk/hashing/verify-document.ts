// The lender's check (docs/hashing.md §6.4): a received document and its salts against what the
// ledger holds (document hash, fingerprint, amount, parties, dates). Browser-safe.
import { equalBytes, toHex } from "../bytes.js";
import {
  billOfLadingFingerprintKey,
  declarationFingerprintKey,
  FingerprintError,
  fingerprintBillOfLading,
  fingerprintDeclaration,
  fingerprintInvoice,
  invoiceFingerprintKey,
  normalizeCurrency,
  normalizeReference,
} from "../fingerprint.js";
import { buildTree, bytes32, readSalts } from "./document-hash.js";
import { HashingError } from "./limits.js";

// ---- the lender's check -------------------------------------------------------------------------

export type DocumentKind = "invoice" | "declaration" | "billOfLading";

/** documentType values of the sample shapes (and the ledger's anchor types) by kind. */
const KIND_BY_DOCUMENT_TYPE: Readonly<Record<string, DocumentKind>> = {
  COMMERCIAL_INVOICE: "invoice",
  INVOICE: "invoice",
  EXPORT_DECLARATION: "declaration",
  BILL_OF_LADING: "billOfLading",
};

/** What the ledger holds about the document (a receivable, an attestation or an anchor). */
export interface AnchoredDocument {
  documentHash: Uint8Array | string;
  /** Required for invoices and declarations; for a bill of lading when one was anchored. */
  fingerprint?: Uint8Array | string;
  /** Optional cross-checks of the ledger record against the document's own fields. */
  exporterId?: string;
  buyerId?: string;
  currency?: string;
  /** Minor units of `currency` (the ledger's amount / declared value). */
  amount?: bigint;
  issueDate?: string;
  dueDate?: string;
  exportDate?: string;
}

export type VerificationProblemCode =
  | "BAD_ANCHOR" // the anchored values are not 32-byte hashes
  | "DOCUMENT_INVALID" // the document cannot be hashed (HashingError)
  | "SALTS_MISMATCH" // salts missing, extra or malformed
  | "DOCUMENT_HASH_MISMATCH"
  | "UNKNOWN_KIND" // a fingerprint was given but the document kind is unknown
  | "KIND_MISMATCH" // kind given and documentType disagree
  | "FINGERPRINT_MISSING" // invoices and declarations always have one on the ledger
  | "FINGERPRINT_INPUTS_INVALID" // the document lacks or mangles the fields the fingerprint needs
  | "FINGERPRINT_MISMATCH"
  | "FIELD_MISMATCH"; // an anchored field (amount, currency, exporter...) disagrees with the document

export interface VerificationProblem {
  code: VerificationProblemCode;
  message: string;
}

export interface DocumentVerification {
  /** True iff there are no problems: hash, fingerprint and every given field agree. */
  ok: boolean;
  kind: DocumentKind | null;
  /** The root recomputed from the document and salts, hex (null if it could not be). */
  documentHash: string | null;
  documentHashMatches: boolean;
  /** The fingerprint recomputed from the document's own fields, hex. */
  fingerprint: string | null;
  /** null when no fingerprint applies (unknown kind, or a bill of lading anchored without one). */
  fingerprintMatches: boolean | null;
  /** The normalised fields the fingerprint was computed from, for display. */
  fingerprintKey: Record<string, string> | null;
  /** Names of anchored fields that disagree with the document. */
  mismatches: string[];
  problems: VerificationProblem[];
  /** Not failures, but worth a human look (e.g. NON_ASCII_REFERENCE: possible look-alike letters). */
  warnings: string[];
}

// ISO 4217 minor units that are not 2; X-codes other than these have none (gold, SDR, test).
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Decimal string (e.g. "152500.00") to minor units, or null if it is not one or not exact. */
export function decimalToMinorUnits(amount: unknown, currency: string): bigint | null {
  if (typeof amount !== "string") return null;
  const m = /^(0|[1-9][0-9]{0,30})(?:\.([0-9]{1,30}))?$/.exec(amount);
  const exponent = Object.hasOwn(MINOR_UNITS, currency) ? MINOR_UNITS[currency]! : currency.startsWith("X") ? undefined : 2;
  if (!m || exponent === undefined) return null;
  const frac = m[2] ?? "";
  if (frac.length > exponent && !/^0*$/.test(frac.slice(exponent))) return null;
  return BigInt(m[1]! + frac.slice(0, exponent).padEnd(exponent, "0"));
}

function get(doc: unknown, ...keys: string[]): unknown {
  let v: unknown = doc;
  for (const k of keys) {
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Country of the customs administration: `customsCountry`, else the code in `customsOffice` ("CN3104 ..."). */
function declarationCountry(doc: unknown): unknown {
  const explicit = get(doc, "customsCountry");
  if (explicit !== undefined) return explicit;
  const office = get(doc, "customsOffice");
  if (typeof office !== "string") return undefined;
  // Customs office codes begin with the ISO 3166 country code followed by digits (CN3104, DE004850).
  const m = /^([A-Za-z]{2})[0-9][0-9A-Za-z]*(?:\s|$)/.exec(office.normalize("NFKC").trim());
  return m ? m[1] : undefined;
}

/** The fingerprint inputs a document of `kind` carries, by the sample shapes (docs/hashing.md §6). */
function fingerprintOf(kind: DocumentKind, doc: unknown): { key: Record<string, string>; fingerprint: Uint8Array } {
  switch (kind) {
    case "invoice": {
      const input = {
        sellerId: get(doc, "seller", "partyId") as string,
        buyerId: get(doc, "buyer", "identifier") as string,
        invoiceNumber: get(doc, "invoiceNumber") as string,
        currency: get(doc, "currency") as string,
      };
      return { key: { ...invoiceFingerprintKey(input) }, fingerprint: fingerprintInvoice(input) };
    }
    case "declaration": {
      const input = { country: declarationCountry(doc) as string, declarationNumber: get(doc, "declarationNumber") as string };
      return { key: { ...declarationFingerprintKey(input) }, fingerprint: fingerprintDeclaration(input) };
    }
    case "billOfLading": {
      const input = { carrierScac: get(doc, "carrierCode") as string, blNumber: get(doc, "transportDocumentReference") as string };
      return { key: { ...billOfLadingFingerprintKey(input) }, fingerprint: fingerprintBillOfLading(input) };
    }
  }
}

/** Key fields that are free-text references (as opposed to codes and party ids). */
const REFERENCE_KEY_FIELDS = new Set(["buyerId", "invoiceNumber", "declarationNumber", "blNumber"]);

/** The document's own values of the anchored cross-check fields, by kind. */
function documentFields(kind: DocumentKind, doc: unknown): Record<string, unknown> {
  switch (kind) {
    case "invoice":
      return {
        exporterId: get(doc, "seller", "partyId"),
        buyerId: get(doc, "buyer", "identifier"),
        currency: get(doc, "currency"),
        amount: get(doc, "totalAmount"),
        issueDate: get(doc, "issueDate"),
        dueDate: get(doc, "dueDate"),
      };
    case "declaration":
      return {
        exporterId: get(doc, "exporter", "partyId"),
        currency: get(doc, "declaredValue", "currency"),
        amount: get(doc, "declaredValue", "amount"),
        exportDate: get(doc, "exportDate"),
      };
    case "billOfLading":
      return {};
  }
}

function sameNormalized(a: unknown, b: unknown, normalize: (v: unknown) => string): boolean {
  try {
    return normalize(a) === normalize(b);
  } catch {
    return false;
  }
}

/**
 * The lender's check of a received document against what the ledger holds: recomputes the
 * document hash from the document and salts, and the fingerprint from the document's own fields
 * (never from values the exporter supplies separately), then compares both with `anchored`. An
 * exporter who anchored a fingerprint of different (or invented) fields fails here. Invoices take
 * seller.partyId, buyer.identifier, invoiceNumber and currency (docs/hashing.md §6). `kind`
 * defaults to the document's documentType. Never throws: every failure is a listed problem.
 */
export function verifyDocument(doc: unknown, salts: Record<string, string>, anchored: AnchoredDocument, kind?: DocumentKind): DocumentVerification {
  const result: DocumentVerification = {
    ok: false,
    kind: null,
    documentHash: null,
    documentHashMatches: false,
    fingerprint: null,
    fingerprintMatches: null,
    fingerprintKey: null,
    mismatches: [],
    problems: [],
    warnings: [],
  };
  const problem = (code: VerificationProblemCode, message: string): void => void result.problems.push({ code, message });
  try {
    if (typeof anchored !== "object" || anchored === null) {
      problem("BAD_ANCHOR", "anchored must be an object with documentHash");
      return result;
    }
    // 1. the document hash
    const anchoredHash = bytes32(anchored.documentHash);
    if (!anchoredHash) problem("BAD_ANCHOR", "anchored.documentHash must be 32 bytes (Uint8Array or lower-case hex)");
    let given: Map<string, string> | null = null;
    try {
      given = readSalts(salts);
    } catch (err) {
      problem("SALTS_MISMATCH", (err as Error).message);
    }
    if (given) {
      try {
        const tree = buildTree(doc, given, null);
        result.documentHash = toHex(tree.root);
        result.documentHashMatches = anchoredHash !== null && equalBytes(tree.root, anchoredHash);
        if (anchoredHash && !result.documentHashMatches) problem("DOCUMENT_HASH_MISMATCH", "the document and salts do not give the anchored document hash");
      } catch (err) {
        if (err instanceof HashingError && (err.kind === "salt_mismatch" || err.kind === "bad_salt")) problem("SALTS_MISMATCH", err.message);
        else problem("DOCUMENT_INVALID", (err as Error).message);
      }
    }

    // 2. the kind
    const documentType = get(doc, "documentType");
    const typeKind = typeof documentType === "string" && Object.hasOwn(KIND_BY_DOCUMENT_TYPE, documentType) ? KIND_BY_DOCUMENT_TYPE[documentType]! : null;
    if (kind !== undefined && kind !== "invoice" && kind !== "declaration" && kind !== "billOfLading") {
      problem("UNKNOWN_KIND", `unknown document kind ${String(kind)}`);
      return finish(result);
    }
    if (kind !== undefined && typeKind !== null && kind !== typeKind) problem("KIND_MISMATCH", `kind ${kind} but documentType ${String(documentType)}`);
    result.kind = kind ?? typeKind;

    // 3. the fingerprint, from the document's own fields
    const anchoredFp = anchored.fingerprint === undefined ? undefined : bytes32(anchored.fingerprint);
    if (anchoredFp === null) problem("BAD_ANCHOR", "anchored.fingerprint must be 32 bytes (Uint8Array or lower-case hex)");
    if (result.kind === null) {
      if (anchored.fingerprint !== undefined) problem("UNKNOWN_KIND", "a fingerprint was given but the document kind is unknown; pass kind");
      return finish(result);
    }
    // Invoices and declarations always have a fingerprint on the ledger: without it the check that
    // catches a fake one would silently not run. A bill of lading may be anchored without one.
    const expectFingerprint = anchored.fingerprint !== undefined || result.kind !== "billOfLading";
    if (anchored.fingerprint === undefined && expectFingerprint)
      problem("FINGERPRINT_MISSING", `the ledger holds a fingerprint for every ${result.kind}; pass it as anchored.fingerprint`);
    try {
      const { key, fingerprint } = fingerprintOf(result.kind, doc);
      result.fingerprintKey = key;
      result.fingerprint = toHex(fingerprint);
      if (anchoredFp) {
        result.fingerprintMatches = equalBytes(fingerprint, anchoredFp);
        if (!result.fingerprintMatches) problem("FINGERPRINT_MISMATCH", "the anchored fingerprint is not the fingerprint of this document's fields");
      } else if (expectFingerprint) result.fingerprintMatches = false;
      // Normalisation does not map look-alike letters of other scripts (Cyrillic "А" vs Latin "A").
      for (const [name, value] of Object.entries(key))
        if (REFERENCE_KEY_FIELDS.has(name) && !/^[a-z0-9]+$/.test(value)) result.warnings.push(`NON_ASCII_REFERENCE:${name}`);
    } catch (err) {
      if (!(err instanceof FingerprintError)) throw err;
      if (expectFingerprint) {
        result.fingerprintMatches = false;
        problem("FINGERPRINT_INPUTS_INVALID", err.message);
      }
    }

    // 4. the ledger record's other fields against the document's
    const fields = documentFields(result.kind, doc);
    const check = (name: keyof AnchoredDocument, same: (docValue: unknown, anchoredValue: unknown) => boolean): void => {
      if (anchored[name] === undefined || !Object.hasOwn(fields, name)) return;
      if (!same(fields[name], anchored[name])) result.mismatches.push(name);
    };
    check("exporterId", (a, b) => a === b);
    check("buyerId", (a, b) => sameNormalized(a, b, (v) => normalizeReference(v)));
    check("currency", (a, b) => sameNormalized(a, b, (v) => normalizeCurrency(v)));
    check("issueDate", (a, b) => a === b);
    check("dueDate", (a, b) => a === b);
    check("exportDate", (a, b) => a === b);
    check("amount", (a, b) => {
      if (typeof b !== "bigint") return false;
      let currency: string;
      try {
        currency = normalizeCurrency(fields.currency);
      } catch {
        return false;
      }
      const minor = decimalToMinorUnits(a, currency);
      return minor !== null && minor === b;
    });
    if (result.mismatches.length > 0) problem("FIELD_MISMATCH", `the ledger record disagrees with the document on: ${result.mismatches.join(", ")}`);
  } catch (err) {
    problem("DOCUMENT_INVALID", err instanceof Error ? err.message : String(err));
  }
  return finish(result);
}

function finish(result: DocumentVerification): DocumentVerification {
  result.ok = result.problems.length === 0 && result.documentHashMatches;
  return result;
}
