// Duplicate-detection fingerprints of trade documents (DESIGN.md §3; byte layout and rules in
// docs/hashing.md §5-§6). A fingerprint is SHA-256(tag || length-prefixed normalised key fields):
// two spellings of one invoice number ("INV-001", "inv 001", "ＩＮＶ－００１") give one fingerprint,
// so the ledger can refuse the same receivable registered twice, by anyone, without seeing it.
// Browser-safe: @noble/hashes only, no node:* imports.
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, u32be, utf8 } from "./bytes.js";

export type FingerprintErrorKind =
  | "invalid_argument" // not a string / not an object
  | "invalid_field" // a party id, currency, country or carrier code that is not well formed
  | "lone_surrogate" // not well-formed UTF-16 (cannot be encoded as UTF-8)
  | "unassigned_code_point" // unassigned in this runtime's Unicode: its normal form is not stable
  | "too_long"
  | "empty_after_normalization"; // nothing left to identify the document

/** An input that cannot be fingerprinted. Maps to MALFORMED / 400 at the API edge. */
export class FingerprintError extends Error {
  override readonly name = "FingerprintError";
  readonly code = "MALFORMED" as const;
  constructor(
    readonly kind: FingerprintErrorKind,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Longest accepted raw reference (invoice, declaration, B/L number, buyer identifier), UTF-16 units. */
export const MAX_REFERENCE_LENGTH = 256;

/** Domain tags: a fingerprint of one document kind can never equal one of another kind. */
export const FINGERPRINT_TAGS = {
  invoice: utf8("tradeledger/fingerprint/invoice/v1\u0000"),
  declaration: utf8("tradeledger/fingerprint/export-declaration/v1\u0000"),
  billOfLading: utf8("tradeledger/fingerprint/bill-of-lading/v1\u0000"),
  warehouseReceipt: utf8("tradeledger/fingerprint/warehouse-receipt/v1\u0000"),
} as const;

// Party ids as the ledger defines them (proto/tradeledger.proto header).
const PARTY_ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
const LONE_SURROGATE_RE = /\p{Cs}/u;
const UNASSIGNED_RE = /\p{Cn}/u;
const NOT_LETTER_OR_NUMBER_RE = /[^\p{L}\p{N}]/gu;
const DECIMAL_DIGIT_RE = /\p{Nd}/gu;
const ASCII_RE = /^[\u0000-\u007f]*$/;

// ---- full case folding -------------------------------------------------------------------------

// Unicode full case folding (CaseFolding.txt statuses C and F; not S, not T) differs from the
// lower-case mapping of a single code point only for these characters (derived from Unicode 14
// CaseFolding.txt and checked against every assigned code point) and for Cherokee, which folds to
// upper case (handled in caseFold). Everything else folds to its own full lower-case mapping.
const FOLD_SPECIAL: ReadonlyMap<number, string> = new Map<number, string>([
  [0xb5, "\u03bc"], [0xdf, "\u0073\u0073"], [0x149, "\u02bc\u006e"], [0x17f, "\u0073"],
  [0x1f0, "\u006a\u030c"], [0x345, "\u03b9"], [0x390, "\u03b9\u0308\u0301"],
  [0x3b0, "\u03c5\u0308\u0301"], [0x3c2, "\u03c3"], [0x3d0, "\u03b2"], [0x3d1, "\u03b8"],
  [0x3d5, "\u03c6"], [0x3d6, "\u03c0"], [0x3f0, "\u03ba"], [0x3f1, "\u03c1"], [0x3f5, "\u03b5"],
  [0x587, "\u0565\u0582"], [0x1c80, "\u0432"], [0x1c81, "\u0434"], [0x1c82, "\u043e"],
  [0x1c83, "\u0441"], [0x1c84, "\u0442"], [0x1c85, "\u0442"], [0x1c86, "\u044a"], [0x1c87, "\u0463"],
  [0x1c88, "\ua64b"], [0x1e96, "\u0068\u0331"], [0x1e97, "\u0074\u0308"], [0x1e98, "\u0077\u030a"],
  [0x1e99, "\u0079\u030a"], [0x1e9a, "\u0061\u02be"], [0x1e9b, "\u1e61"], [0x1e9e, "\u0073\u0073"],
  [0x1f50, "\u03c5\u0313"], [0x1f52, "\u03c5\u0313\u0300"], [0x1f54, "\u03c5\u0313\u0301"],
  [0x1f56, "\u03c5\u0313\u0342"], [0x1f80, "\u1f00\u03b9"], [0x1f81, "\u1f01\u03b9"],
  [0x1f82, "\u1f02\u03b9"], [0x1f83, "\u1f03\u03b9"], [0x1f84, "\u1f04\u03b9"],
  [0x1f85, "\u1f05\u03b9"], [0x1f86, "\u1f06\u03b9"], [0x1f87, "\u1f07\u03b9"],
  [0x1f88, "\u1f00\u03b9"], [0x1f89, "\u1f01\u03b9"], [0x1f8a, "\u1f02\u03b9"],
  [0x1f8b, "\u1f03\u03b9"], [0x1f8c, "\u1f04\u03b9"], [0x1f8d, "\u1f05\u03b9"],
  [0x1f8e, "\u1f06\u03b9"], [0x1f8f, "\u1f07\u03b9"], [0x1f90, "\u1f20\u03b9"],
  [0x1f91, "\u1f21\u03b9"], [0x1f92, "\u1f22\u03b9"], [0x1f93, "\u1f23\u03b9"],
  [0x1f94, "\u1f24\u03b9"], [0x1f95, "\u1f25\u03b9"], [0x1f96, "\u1f26\u03b9"],
  [0x1f97, "\u1f27\u03b9"], [0x1f98, "\u1f20\u03b9"], [0x1f99, "\u1f21\u03b9"],
  [0x1f9a, "\u1f22\u03b9"], [0x1f9b, "\u1f23\u03b9"], [0x1f9c, "\u1f24\u03b9"],
  [0x1f9d, "\u1f25\u03b9"], [0x1f9e, "\u1f26\u03b9"], [0x1f9f, "\u1f27\u03b9"],
  [0x1fa0, "\u1f60\u03b9"], [0x1fa1, "\u1f61\u03b9"], [0x1fa2, "\u1f62\u03b9"],
  [0x1fa3, "\u1f63\u03b9"], [0x1fa4, "\u1f64\u03b9"], [0x1fa5, "\u1f65\u03b9"],
  [0x1fa6, "\u1f66\u03b9"], [0x1fa7, "\u1f67\u03b9"], [0x1fa8, "\u1f60\u03b9"],
  [0x1fa9, "\u1f61\u03b9"], [0x1faa, "\u1f62\u03b9"], [0x1fab, "\u1f63\u03b9"],
  [0x1fac, "\u1f64\u03b9"], [0x1fad, "\u1f65\u03b9"], [0x1fae, "\u1f66\u03b9"],
  [0x1faf, "\u1f67\u03b9"], [0x1fb2, "\u1f70\u03b9"], [0x1fb3, "\u03b1\u03b9"],
  [0x1fb4, "\u03ac\u03b9"], [0x1fb6, "\u03b1\u0342"], [0x1fb7, "\u03b1\u0342\u03b9"],
  [0x1fbc, "\u03b1\u03b9"], [0x1fbe, "\u03b9"], [0x1fc2, "\u1f74\u03b9"], [0x1fc3, "\u03b7\u03b9"],
  [0x1fc4, "\u03ae\u03b9"], [0x1fc6, "\u03b7\u0342"], [0x1fc7, "\u03b7\u0342\u03b9"],
  [0x1fcc, "\u03b7\u03b9"], [0x1fd2, "\u03b9\u0308\u0300"], [0x1fd3, "\u03b9\u0308\u0301"],
  [0x1fd6, "\u03b9\u0342"], [0x1fd7, "\u03b9\u0308\u0342"], [0x1fe2, "\u03c5\u0308\u0300"],
  [0x1fe3, "\u03c5\u0308\u0301"], [0x1fe4, "\u03c1\u0313"], [0x1fe6, "\u03c5\u0342"],
  [0x1fe7, "\u03c5\u0308\u0342"], [0x1ff2, "\u1f7c\u03b9"], [0x1ff3, "\u03c9\u03b9"],
  [0x1ff4, "\u03ce\u03b9"], [0x1ff6, "\u03c9\u0342"], [0x1ff7, "\u03c9\u0342\u03b9"],
  [0x1ffc, "\u03c9\u03b9"], [0xfb00, "\u0066\u0066"], [0xfb01, "\u0066\u0069"],
  [0xfb02, "\u0066\u006c"], [0xfb03, "\u0066\u0066\u0069"], [0xfb04, "\u0066\u0066\u006c"],
  [0xfb05, "\u0073\u0074"], [0xfb06, "\u0073\u0074"], [0xfb13, "\u0574\u0576"],
  [0xfb14, "\u0574\u0565"], [0xfb15, "\u0574\u056b"], [0xfb16, "\u057e\u0576"],
  [0xfb17, "\u0574\u056d"],
]);

/**
 * Unicode default full case folding, toCasefold(X) of The Unicode Standard §3.13 (CaseFolding.txt
 * C + F mappings, no Turkic T mappings). Unlike toLowerCase() it maps "ß" to "ss", "ς" to "σ",
 * "ﬁ" to "fi" and is not context-sensitive (no final-sigma rule).
 */
export function caseFold(text: string): string {
  if (ASCII_RE.test(text)) return text.toLowerCase();
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const special = FOLD_SPECIAL.get(cp);
    if (special !== undefined) out += special;
    else if (cp >= 0x13a0 && cp <= 0x13f5) out += ch; // Cherokee capitals are the folded form
    else if (cp >= 0x13f8 && cp <= 0x13fd) out += String.fromCodePoint(cp - 8);
    else if (cp >= 0xab70 && cp <= 0xabbf) out += String.fromCodePoint(cp - 0xab70 + 0x13a0);
    else out += ch.toLowerCase(); // one code point alone: no context rule applies
  }
  return out;
}

// ---- decimal digits --------------------------------------------------------------------------

// The code point of digit zero of every run of General_Category=Nd (Unicode 17.0). Unicode
// guarantees each Nd run is ten contiguous code points valued 0..9 (Unicode Standard §4.6).
const DIGIT_ZEROS: readonly number[] = [
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6,
  0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50,
  0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0,
  0x10d30, 0x10d40, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0,
  0x116d0, 0x116da, 0x11730, 0x118e0, 0x11950, 0x11bf0, 0x11c50, 0x11d50, 0x11da0, 0x11de0, 0x11f50,
  0x16130, 0x16a60, 0x16ac0, 0x16b50, 0x16d70, 0x1ccf0, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6,
  0x1e140, 0x1e2f0, 0x1e4f0, 0x1e5f1, 0x1e950, 0x1fbf0,
];

/** Numeric value 0..9 of a General_Category=Nd code point, or -1 if it is in no known run. */
export function decimalDigitValue(cp: number): number {
  let lo = 0;
  let hi = DIGIT_ZEROS.length - 1;
  let zero = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (DIGIT_ZEROS[mid]! <= cp) {
      zero = DIGIT_ZEROS[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return zero >= 0 && cp - zero <= 9 ? cp - zero : -1;
}

// ---- normalisation ----------------------------------------------------------------------------

function checkText(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== "string") throw new FingerprintError("invalid_argument", field, "must be a string");
  if (value.length > maxLength) throw new FingerprintError("too_long", field, `longer than ${maxLength} UTF-16 code units`);
  if (LONE_SURROGATE_RE.test(value)) throw new FingerprintError("lone_surrogate", field, "contains a lone surrogate (not well-formed Unicode)");
  if (UNASSIGNED_RE.test(value)) throw new FingerprintError("unassigned_code_point", field, "contains a code point unassigned in this runtime's Unicode version");
  return value;
}

/**
 * The normalised key of a document reference (invoice number, declaration number, B/L number,
 * buyer identifier), docs/hashing.md §5:
 *   1. compatibility caseless form NFKD(toCasefold(NFKD(toCasefold(NFD(X))))) (Unicode §3.13 D146),
 *   2. U+0131 (Turkish dotless i) -> "i", so Turkic and default case pairs of I all collide,
 *   3. every decimal digit (Nd) -> its ASCII digit,
 *   4. delete every code point that is not a letter (L*) or number (N*): spaces, punctuation,
 *      dashes, slashes, symbols, emoji, controls, format characters and combining marks,
 *   5. NFC.
 * Leading zeros stay significant: "INV-001" and "INV-0001" are different keys.
 */
export function normalizeReference(value: unknown, field = "reference"): string {
  const text = checkText(value, field, MAX_REFERENCE_LENGTH);
  const folded = caseFold(caseFold(text.normalize("NFD")).normalize("NFKD")).normalize("NFKD");
  const key = folded
    .replace(/\u0131/g, "i")
    .replace(DECIMAL_DIGIT_RE, (d) => {
      const v = decimalDigitValue(d.codePointAt(0)!);
      if (v < 0) throw new FingerprintError("unassigned_code_point", field, `digit U+${d.codePointAt(0)!.toString(16).toUpperCase()} is newer than this implementation's digit table`);
      return String.fromCharCode(0x30 + v);
    })
    .replace(NOT_LETTER_OR_NUMBER_RE, "")
    .normalize("NFC");
  if (key.length === 0) throw new FingerprintError("empty_after_normalization", field, "has no letters or digits");
  return key;
}

/** ISO 4217 alphabetic code: NFKC, surrounding white space removed, three letters, upper-cased. */
export function normalizeCurrency(value: unknown, field = "currency"): string {
  return asciiCode(value, field, /^[A-Za-z]{3}$/, "an ISO 4217 code of three letters");
}

/** ISO 3166-1 alpha-2 country code, upper-cased. */
export function normalizeCountry(value: unknown, field = "country"): string {
  return asciiCode(value, field, /^[A-Za-z]{2}$/, "an ISO 3166-1 alpha-2 code");
}

/** Carrier code: an NMFTA SCAC or SMDG liner code (2-4 letters), upper-cased. */
export function normalizeCarrierCode(value: unknown, field = "carrierScac"): string {
  return asciiCode(value, field, /^[A-Za-z]{2,4}$/, "a carrier code of 2-4 letters (SCAC)");
}

function asciiCode(value: unknown, field: string, re: RegExp, what: string): string {
  const text = checkText(value, field, 64).normalize("NFKC").trim();
  if (!re.test(text)) throw new FingerprintError("invalid_field", field, `must be ${what}`);
  return text.toUpperCase();
}

function partyId(value: unknown, field: string): string {
  if (typeof value !== "string") throw new FingerprintError("invalid_argument", field, "must be a string");
  if (!PARTY_ID_RE.test(value)) throw new FingerprintError("invalid_field", field, "must be a TradeLedger party id (2-63 of a-z, 0-9, '-')");
  return value;
}

function plainObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new FingerprintError("invalid_argument", what, "must be an object");
  return value as Record<string, unknown>;
}

/** The preimage of a fingerprint: tag || (u32be(byte length) || UTF-8 bytes) of each field. */
export function fingerprintPreimage(tag: Uint8Array, fields: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [tag];
  for (const f of fields) {
    const b = utf8(f);
    parts.push(u32be(b.length), b);
  }
  return concatBytes(...parts);
}

// ---- invoices -----------------------------------------------------------------------------------

export interface InvoiceFingerprintInput {
  /** The exporter's TradeLedger party id, used as given (already canonical). */
  sellerId: string;
  /** The buyer's identifier as printed on the invoice (register number, LEI, party id). */
  buyerId: string;
  invoiceNumber: string;
  currency: string;
}

/** The normalised fields that go into an invoice fingerprint, in preimage order. */
export function invoiceFingerprintKey(input: InvoiceFingerprintInput): InvoiceFingerprintInput {
  const o = plainObject(input, "invoice fingerprint input");
  return {
    sellerId: partyId(o.sellerId, "sellerId"),
    // The buyer identifier is free text chosen by the exporter, so it is normalised like a number:
    // "DE-HRB-204871" and "de hrb 204871" must not give two fingerprints for one invoice.
    buyerId: normalizeReference(o.buyerId, "buyerId"),
    invoiceNumber: normalizeReference(o.invoiceNumber, "invoiceNumber"),
    currency: normalizeCurrency(o.currency, "currency"),
  };
}

/** SHA-256(invoice tag || sellerId || buyer key || invoice number key || currency), 32 bytes. */
export function fingerprintInvoice(input: InvoiceFingerprintInput): Uint8Array {
  const k = invoiceFingerprintKey(input);
  return sha256(fingerprintPreimage(FINGERPRINT_TAGS.invoice, [k.sellerId, k.buyerId, k.invoiceNumber, k.currency]));
}

// ---- export declarations -------------------------------------------------------------------------

export interface DeclarationFingerprintInput {
  /** ISO 3166-1 alpha-2 country of the customs administration that issued the number. */
  country: string;
  /** The declaration number (China: the 18-digit entry number; EU: the MRN). */
  declarationNumber: string;
}

/**
 * A declaration is identified by its issuing customs administration (country) and its number:
 * national numbering schemes are unique per administration and already encode the office (the
 * Chinese number starts with the 4-digit customs code, the EU MRN with year and country). The
 * free-text office name is deliberately not part of the key: two spellings of it would give two
 * fingerprints for one declaration.
 */
export function declarationFingerprintKey(input: DeclarationFingerprintInput): DeclarationFingerprintInput {
  const o = plainObject(input, "declaration fingerprint input");
  return {
    country: normalizeCountry(o.country, "country"),
    declarationNumber: normalizeReference(o.declarationNumber, "declarationNumber"),
  };
}

export function fingerprintDeclaration(input: DeclarationFingerprintInput): Uint8Array {
  const k = declarationFingerprintKey(input);
  return sha256(fingerprintPreimage(FINGERPRINT_TAGS.declaration, [k.country, k.declarationNumber]));
}

// ---- bills of lading ----------------------------------------------------------------------------

export interface BillOfLadingFingerprintInput {
  /** The issuing carrier's code (SCAC, e.g. "MAEU"); required: B/L numbers are unique per carrier. */
  carrierScac: string;
  /** The transport document reference, with or without the carrier prefix. */
  blNumber: string;
}

/**
 * The carrier code is required: with it optional, one B/L would have two fingerprints (with and
 * without). Carriers commonly print the number with their SCAC in front ("MAEU" + "NBOHAM2610417"),
 * so a leading carrier code is removed from the number key: both spellings give one key.
 */
export function billOfLadingFingerprintKey(input: BillOfLadingFingerprintInput): BillOfLadingFingerprintInput {
  const o = plainObject(input, "bill of lading fingerprint input");
  const carrierScac = normalizeCarrierCode(o.carrierScac, "carrierScac");
  let blNumber = normalizeReference(o.blNumber, "blNumber");
  const prefix = carrierScac.toLowerCase();
  if (blNumber.length > prefix.length && blNumber.startsWith(prefix)) blNumber = blNumber.slice(prefix.length);
  return { carrierScac, blNumber };
}

export function fingerprintBillOfLading(input: BillOfLadingFingerprintInput): Uint8Array {
  const k = billOfLadingFingerprintKey(input);
  return sha256(fingerprintPreimage(FINGERPRINT_TAGS.billOfLading, [k.carrierScac, k.blNumber]));
}

// ---- warehouse receipts ---------------------------------------------------------------------------

export interface WarehouseReceiptFingerprintInput {
  /** The issuing custodian's TradeLedger party id (the warehouse operator), used as given. */
  custodianId: string;
  /** The receipt number as printed on the warehouse receipt. */
  receiptNumber: string;
}

/**
 * A warehouse receipt is identified by its issuer and its number: receipt numbers are unique per
 * warehouse operator, not across them, so two warehouses' "WR-0001" are two receipts. The issuer is
 * the custodian's party id (canonical already), never a printed name whose spellings would give one
 * receipt two fingerprints. The number is normalised like every reference: "WR-2026/0042" and
 * "wr 2026 0042" give one key.
 */
export function warehouseReceiptFingerprintKey(input: WarehouseReceiptFingerprintInput): WarehouseReceiptFingerprintInput {
  const o = plainObject(input, "warehouse receipt fingerprint input");
  return {
    custodianId: partyId(o.custodianId, "custodianId"),
    receiptNumber: normalizeReference(o.receiptNumber, "receiptNumber"),
  };
}

/** SHA-256(warehouse-receipt tag || custodianId || receipt number key): the `fingerprint` of an issueTitle of kind WAREHOUSE_RECEIPT. */
export function fingerprintWarehouseReceipt(input: WarehouseReceiptFingerprintInput): Uint8Array {
  const k = warehouseReceiptFingerprintKey(input);
  return sha256(fingerprintPreimage(FINGERPRINT_TAGS.warehouseReceipt, [k.custodianId, k.receiptNumber]));
}
