// The building blocks of format checks (docs/ledger.md, "MALFORMED"): identifiers, amounts, dates,
// byte strings and text, and the conversions of friendly builder inputs. Each transaction type's
// file (sdk/transactions/) composes them into its payload check, which the SDK's builders run before
// signing and the ledger runs in consensus. Browser-safe; imports nothing that imports it back, so
// the transaction-type files can use it at load time. Everything here is a pure function of its input.
import { isStrongPublicKey } from "./crypto.js";
import { LedgerError } from "./errors.js";

export const PARTY_ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const CHAIN_ID_RE = /^[a-z0-9][a-z0-9-]{2,62}$/;
/** Receivable and financing ids are the hex SHA-256 of their creating transaction's body. */
export const TX_ID_RE = /^[0-9a-f]{64}$/;
/** The shape of an ISO 4217 alphabetic code; `currency` below also requires it to be in ISO_4217_CURRENCIES. */
export const CURRENCY_RE = /^[A-Z]{3}$/;
export const COUNTRY_RE = /^[A-Z]{2}$/; // ISO 3166-1 alpha-2
export const LEI_RE = /^[0-9A-Z]{20}$/; // ISO 17442 (the check digits are not verified here)
export const DOCUMENT_TYPE_RE = /^[A-Z][A-Z_]{1,39}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// C0 and C1 control characters: never part of a name, a buyer identifier or a reason.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
// Characters that change how text around them is shown without being seen themselves: spoofing
// material in a name, a buyer identifier or a reason ("bank-a" that renders as another name,
// an order that renders reversed). Listed by code point rather than with \p{Cf}, whose meaning
// moves with the Unicode version of the JavaScript engine: this check is a consensus rule, and
// two validators on different Node releases must agree on every string. The list is every format
// character (general category Cf) of Unicode 15.1 plus the line and paragraph separators, the
// combining grapheme joiner and the Hangul fillers, which also render as nothing:
//   U+00AD soft hyphen; U+034F combining grapheme joiner; U+0600-0605, U+06DD, U+070F,
//   U+0890-0891, U+08E2 Arabic/Syriac number and abbreviation marks; U+061C Arabic letter mark;
//   U+115F, U+1160, U+3164, U+FFA0 Hangul fillers; U+180E Mongolian vowel separator;
//   U+200B-200D zero width space, non-joiner, joiner; U+200E-200F LRM, RLM;
//   U+2028-2029 line and paragraph separators; U+202A-202E bidi embeddings and overrides;
//   U+2060-2064 word joiner and invisible operators; U+2066-2069 bidi isolates;
//   U+206A-206F deprecated format characters; U+FEFF zero width no-break space (BOM);
//   U+FFF9-FFFB interlinear annotation; U+110BD, U+110CD Kaithi number signs;
//   U+13430-1343F Egyptian hieroglyph format controls; U+1BCA0-1BCA3 shorthand format controls;
//   U+1D173-1D17A musical symbol format controls; U+E0001, U+E0020-E007F tag characters.
const INVISIBLE_RE =
  /[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{110bd}\u{110cd}\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}]/u;
// A UTF-16 surrogate without its pair: not a character, and not encodable as UTF-8.
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The currencies a transaction may name: the alphabetic codes of ISO 4217 ("Codes for the
 * representation of currencies", ISO 4217:2015), Table A.1 (current currency and funds code list)
 * as published by its maintenance agency, SIX Group, in the state of 2025-01-01, plus XCG (the
 * Caribbean guilder, added with effect from 2025-03-31; ANG stays until its withdrawal). Only codes
 * of money that circulates: the list's funds codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI), the
 * Uruguayan index unit UYW, precious metals (XAU, XAG, XPD, XPT), bond-market units (XBA-XBD), the
 * SDR (XDR), the SUCRE (XSU), the ADB unit of account (XUA), the testing code XTS and "no currency"
 * XXX are not accepted, nor codes already withdrawn by that date (HRK, CUC, SLL, ZWL, ...).
 *
 * A consensus rule (docs/ledger.md "Formats"): every validator must run the same table. A code the
 * agency adds or withdraws later changes what the ledger accepts, so this table changes only in a
 * release that all validators adopt together (docs/operator.md §9).
 */
export const ISO_4217_CURRENCIES: ReadonlySet<string> = new Set(
  (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD " +
    "CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
    "GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT " +
    "LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR " +
    "NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP " +
    "STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD " +
    "XCG XOF XPF YER ZAR ZMW ZWG"
  ).split(" "),
);

export const HASH_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const U64_MAX = (1n << 64n) - 1n;

/** Document types that only the ledger anchors (invoices at registration, declarations at attestation). */
export const RESERVED_DOCUMENT_TYPES: readonly string[] = ["INVOICE", "EXPORT_DECLARATION"];
export const BILL_OF_LADING = "BILL_OF_LADING";

/** Length caps, in Unicode code points. */
export const LIMITS = {
  partyNameChars: 200,
  buyerIdChars: 128,
  reasonChars: 500,
  receivableIdsPerAttestation: 100,
  /** invoices one warrant issue may name as its trade background */
  warrantSources: 100,
  /** outputs of one warrant transfer (DESIGN.md §7) */
  warrantOutputs: 16,
} as const;

/** The first problem found: the field (path in the payload) and what is wrong with it. */
export interface PayloadIssue {
  field: string;
  message: string;
}

/** A MALFORMED rejection raised client-side, naming the offending field. */
export class MalformedError extends LedgerError {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super("MALFORMED", `${field}: ${detail}`, undefined, 400);
  }
}

// ---- calendar dates ---------------------------------------------------------------------------

const MS_PER_DAY = 86_400_000n;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** A real proleptic-Gregorian date "YYYY-MM-DD", years 0001-9999. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/**
 * Days from 1970-01-01 to a calendar date (negative before it), by integer arithmetic only
 * (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil). Throws
 * RangeError if `date` is not a calendar date.
 */
export function dayNumber(date: string): bigint {
  if (!isCalendarDate(date)) throw new RangeError(`not a calendar date: ${String(date)}`);
  let y = BigInt(date.slice(0, 4));
  const m = BigInt(date.slice(5, 7));
  const d = BigInt(date.slice(8, 10));
  if (m <= 2n) y -= 1n;
  const era = (y >= 0n ? y : y - 399n) / 400n;
  const yoe = y - era * 400n;
  const doy = (153n * (m > 2n ? m - 3n : m + 9n) + 2n) / 5n + d - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146097n + doe - 719468n;
}

/**
 * The calendar date "YYYY-MM-DD" of a day number (days since 1970-01-01), the inverse of
 * dayNumber (Hinnant, civil_from_days); undefined outside years 0001-9999.
 */
export function dateOfDayNumber(day: bigint): string | undefined {
  const z = day + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  if (y < 1n || y > 9999n) return undefined;
  return `${y.toString().padStart(4, "0")}-${m.toString().padStart(2, "0")}-${d.toString().padStart(2, "0")}`;
}

/**
 * The calendar date after `date`, or undefined after 9999-12-31 (the last date a format accepts):
 * a range "due up to D" is then "due before dayAfter(D)", or unbounded above when there is none.
 * Throws RangeError if `date` is not a calendar date.
 */
export function dayAfter(date: string): string | undefined {
  return dateOfDayNumber(dayNumber(date) + 1n);
}

/** The UTC calendar day (days since 1970-01-01) a timestamp in ms falls on. */
export function utcDayOf(timeMs: bigint): bigint {
  const q = timeMs / MS_PER_DAY;
  return timeMs < 0n && q * MS_PER_DAY !== timeMs ? q - 1n : q;
}

// ---- payload checks ---------------------------------------------------------------------------

export type Check = (value: unknown) => string | undefined;

export const codePoints = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export const bytesOf =
  (n: number): Check =>
  (v) =>
    !(v instanceof Uint8Array) ? "must be bytes" : v.length !== n ? `must be ${n} bytes, got ${v.length}` : undefined;

export const optionalBytesOf =
  (n: number): Check =>
  (v) =>
    v instanceof Uint8Array && v.length === 0 ? undefined : bytesOf(n)(v);

export const matches =
  (re: RegExp, what: string): Check =>
  (v) =>
    typeof v !== "string" ? "must be a string" : re.test(v) ? undefined : `must be ${what}, got ${JSON.stringify(v.slice(0, 80))}`;

export const text =
  (min: number, max: number): Check =>
  (v) => {
    if (typeof v !== "string") return "must be a string";
    const n = codePoints(v);
    if (n < min) return min === 1 ? "must not be empty" : `must have at least ${min} characters`;
    if (n > max) return `must have at most ${max} characters, got ${n}`;
    if (CONTROL_RE.test(v)) return "must not contain control characters";
    const invisible = INVISIBLE_RE.exec(v);
    if (invisible) return `must not contain invisible or bidi format characters (U+${invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`;
    if (LONE_SURROGATE_RE.test(v)) return "must be well-formed Unicode (a lone surrogate)";
    return undefined;
  };

/** Whether `s` has a character a displayed identifier must not carry (see text()). */
export function hasInvisibleCharacters(s: string): boolean {
  return CONTROL_RE.test(s) || INVISIBLE_RE.test(s) || LONE_SURROGATE_RE.test(s);
}

export const positiveAmount: Check = (v) =>
  typeof v !== "bigint" ? "must be a bigint count of minor units" : v <= 0n ? "must be greater than 0" : v > U64_MAX ? "exceeds 2^64-1" : undefined;

export const date: Check = (v) => (isCalendarDate(v) ? undefined : `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(v)}`);

export const partyId = matches(PARTY_ID_RE, "a party id (2-63 of a-z, 0-9, '-')");
export const txId = matches(TX_ID_RE, "a transaction-hash id (64 lower-case hex digits)");
export const currency: Check = (v) =>
  typeof v !== "string"
    ? "must be a string"
    : ISO_4217_CURRENCIES.has(v)
      ? undefined
      : `must be an ISO 4217 currency code like USD (circulating currencies only: no funds, metals, test or unknown codes), got ${JSON.stringify(v.slice(0, 80))}`;
export const hash32 = bytesOf(HASH_BYTES);
/** A credit line id: chosen by the granting bank, in the form of a party id. */
export const lineId = matches(PARTY_ID_RE, "a credit line id (2-63 of a-z, 0-9, '-')");
/** "" or a transaction-hash id. */
export const optionalTxId: Check = (v) => (v === "" || v === undefined ? undefined : txId(v));

/** An optional flag: true, false or absent (absent reads as false). */
export const optionalFlag: Check = (v) => (v === undefined || typeof v === "boolean" ? undefined : "must be true or false");

/** An array of 1..max distinct transaction-hash ids. */
export const txIdList =
  (max: number, what: string): Check =>
  (v) => {
    if (!Array.isArray(v)) return "must be an array";
    if (v.length === 0) return `must name at least one ${what}`;
    if (v.length > max) return `must name at most ${max} ${what}s, got ${v.length}`;
    const seen = new Set<string>();
    for (let i = 0; i < v.length; i++) {
      const bad = txId(v[i]);
      if (bad) return `[${i}] ${bad}`;
      if (seen.has(v[i])) return `[${i}] repeats ${v[i]}`;
      seen.add(v[i]);
    }
    return undefined;
  };

/** The first failing check of an object's fields, in the order given. */
export function firstIssue(obj: Record<string, unknown>, checks: Record<string, Check>): PayloadIssue | undefined {
  for (const [field, check] of Object.entries(checks)) {
    const message = check(obj[field]);
    if (message !== undefined) return { field, message };
  }
  return undefined;
}

// ---- builder inputs ---------------------------------------------------------------------------

/** A count of minor units: a bigint, or its decimal string ("152500", never "1525.00"). */
export type AmountInput = bigint | string;
/** Raw bytes, or the same as hex (either case, no 0x prefix). */
export type BytesInput = Uint8Array | string;

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function toAmount(field: string, value: AmountInput): bigint {
  let amount: bigint;
  if (typeof value === "bigint") amount = value;
  else if (typeof value === "string" && DECIMAL_RE.test(value)) amount = BigInt(value);
  else throw new MalformedError(field, "must be a bigint or a decimal string of minor units (no sign, point or exponent)");
  if (amount > U64_MAX) throw new MalformedError(field, "exceeds 2^64-1");
  return amount;
}

export function toBytes(field: string, value: BytesInput | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (value instanceof Uint8Array) return Uint8Array.from(value); // a copy: later mutation of the input cannot alter the payload
  if (typeof value === "string" && HEX_RE.test(value)) {
    const out = new Uint8Array(value.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  throw new MalformedError(field, "must be bytes or an even-length hex string");
}
