// Format checks of transaction bodies and payloads (docs/ledger.md, "MALFORMED"). The SDK's
// builders run these before signing and the ledger runs the very same code in consensus, so a
// client can never build a transaction the ledger would reject as malformed, and vice versa.
// Browser-safe: no node:* imports. Everything here is a pure function of its input.
import { isStrongPublicKey } from "./crypto.js";
import { LedgerError } from "./errors.js";
import { NONCE_BYTES } from "./tx.js";
import { ROLES, type TxBody, type TxPayload } from "./types.js";

export const PARTY_ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const CHAIN_ID_RE = /^[a-z0-9][a-z0-9-]{2,62}$/;
/** Receivable and financing ids are the hex SHA-256 of their creating transaction's body. */
export const TX_ID_RE = /^[0-9a-f]{64}$/;
export const CURRENCY_RE = /^[A-Z]{3}$/; // ISO 4217 alphabetic code
export const COUNTRY_RE = /^[A-Z]{2}$/; // ISO 3166-1 alpha-2
export const LEI_RE = /^[0-9A-Z]{20}$/; // ISO 17442 (the check digits are not verified here)
export const DOCUMENT_TYPE_RE = /^[A-Z][A-Z_]{1,39}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// C0 and C1 control characters: never part of a name, a buyer identifier or a reason.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

export const HASH_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const U64_MAX = (1n << 64n) - 1n;

/** Document types that only the ledger anchors (by registerReceivable and attestShipment). */
export const RESERVED_DOCUMENT_TYPES: readonly string[] = ["INVOICE", "EXPORT_DECLARATION"];
export const BILL_OF_LADING = "BILL_OF_LADING";

/** Length caps, in Unicode code points. */
export const LIMITS = {
  partyNameChars: 200,
  buyerIdChars: 128,
  reasonChars: 500,
  receivableIdsPerAttestation: 100,
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

/** The UTC calendar day (days since 1970-01-01) a timestamp in ms falls on. */
export function utcDayOf(timeMs: bigint): bigint {
  const q = timeMs / MS_PER_DAY;
  return timeMs < 0n && q * MS_PER_DAY !== timeMs ? q - 1n : q;
}

// ---- payload checks ---------------------------------------------------------------------------

type Check = (value: unknown) => string | undefined;

const codePoints = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

const bytesOf =
  (n: number): Check =>
  (v) =>
    !(v instanceof Uint8Array) ? "must be bytes" : v.length !== n ? `must be ${n} bytes, got ${v.length}` : undefined;

const optionalBytesOf =
  (n: number): Check =>
  (v) =>
    v instanceof Uint8Array && v.length === 0 ? undefined : bytesOf(n)(v);

const matches =
  (re: RegExp, what: string): Check =>
  (v) =>
    typeof v !== "string" ? "must be a string" : re.test(v) ? undefined : `must be ${what}, got ${JSON.stringify(v.slice(0, 80))}`;

const text =
  (min: number, max: number): Check =>
  (v) => {
    if (typeof v !== "string") return "must be a string";
    const n = codePoints(v);
    if (n < min) return min === 1 ? "must not be empty" : `must have at least ${min} characters`;
    if (n > max) return `must have at most ${max} characters, got ${n}`;
    if (CONTROL_RE.test(v)) return "must not contain control characters";
    return undefined;
  };

const positiveAmount: Check = (v) =>
  typeof v !== "bigint" ? "must be a bigint count of minor units" : v <= 0n ? "must be greater than 0" : v > U64_MAX ? "exceeds 2^64-1" : undefined;

const date: Check = (v) => (isCalendarDate(v) ? undefined : `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(v)}`);

const partyId = matches(PARTY_ID_RE, "a party id (2-63 of a-z, 0-9, '-')");
const txId = matches(TX_ID_RE, "a transaction-hash id (64 lower-case hex digits)");
const currency = matches(CURRENCY_RE, "an ISO 4217 code like USD");
const hash32 = bytesOf(HASH_BYTES);

function firstIssue(obj: Record<string, unknown>, checks: Record<string, Check>): PayloadIssue | undefined {
  for (const [field, check] of Object.entries(checks)) {
    const message = check(obj[field]);
    if (message !== undefined) return { field, message };
  }
  return undefined;
}

const PAYLOAD_CHECKS: { [K in TxPayload["type"]]: (p: Extract<TxPayload, { type: K }>) => PayloadIssue | undefined } = {
  registerParty: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      id: partyId,
      role: (v) => (ROLES.includes(v as never) ? undefined : `must be one of ${ROLES.join(", ")}`),
      name: text(1, LIMITS.partyNameChars),
      country: matches(COUNTRY_RE, "an ISO 3166-1 alpha-2 code like DE"),
      // A small-order or non-canonical key would verify forged signatures (docs/hashing.md §7).
      publicKey: (v) => bytesOf(PUBLIC_KEY_BYTES)(v) ?? (isStrongPublicKey(v as Uint8Array) ? undefined : "must be a usable ed25519 public key (not of small order, canonically encoded)"),
      lei: (v) => (v === "" ? undefined : matches(LEI_RE, "empty or a 20-character LEI")(v)),
    }),
  registerReceivable: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      documentHash: hash32,
      fingerprint: hash32,
      buyerId: text(1, LIMITS.buyerIdChars),
      amount: positiveAmount,
      currency,
      issueDate: date,
      dueDate: date,
    }) ?? (dayNumber(p.dueDate) < dayNumber(p.issueDate) ? { field: "dueDate", message: `must not precede issueDate ${p.issueDate}` } : undefined),
  attestShipment: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      declarationFingerprint: hash32,
      declarationHash: hash32,
      exporterId: partyId,
      declaredValue: positiveAmount,
      currency,
      exportDate: date,
      receivableIds: (v) => {
        if (!Array.isArray(v)) return "must be an array";
        if (v.length === 0) return "must name at least one receivable";
        if (v.length > LIMITS.receivableIdsPerAttestation) return `must name at most ${LIMITS.receivableIdsPerAttestation} receivables, got ${v.length}`;
        const seen = new Set<string>();
        for (let i = 0; i < v.length; i++) {
          const bad = txId(v[i]);
          if (bad) return `[${i}] ${bad}`;
          if (seen.has(v[i])) return `[${i}] repeats ${v[i]}`;
          seen.add(v[i]);
        }
        return undefined;
      },
    }),
  financeReceivable: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      receivableId: txId,
      amount: positiveAmount,
      currency,
    }),
  recordRepayment: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      receivableId: txId,
      financingId: txId,
      amount: positiveAmount,
    }),
  cancelReceivable: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      receivableId: txId,
      reason: text(0, LIMITS.reasonChars),
    }),
  anchorDocument: (p) =>
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
};

/** The first format problem of a payload, or undefined if it is well-formed. */
export function checkPayload(payload: TxPayload): PayloadIssue | undefined {
  if (payload === null || typeof payload !== "object") return { field: "payload", message: "missing" };
  const check = PAYLOAD_CHECKS[payload.type] as ((p: TxPayload) => PayloadIssue | undefined) | undefined;
  if (!check || !Object.prototype.hasOwnProperty.call(PAYLOAD_CHECKS, payload.type)) {
    return { field: "payload.type", message: `unknown transaction type ${JSON.stringify(payload.type)}` };
  }
  return check(payload);
}

/** The first format problem of a transaction body (envelope fields, then payload), or undefined. */
export function checkTxBody(body: TxBody): PayloadIssue | undefined {
  if (body === null || typeof body !== "object") return { field: "body", message: "missing" };
  const envelope = firstIssue(body as unknown as Record<string, unknown>, {
    chainId: matches(CHAIN_ID_RE, "a chain id (3-63 of a-z, 0-9, '-')"),
    signer: partyId,
    createdAt: (v) => (typeof v !== "bigint" ? "must be a bigint (ms)" : v < 0n || v > U64_MAX ? "out of range" : undefined),
    nonce: bytesOf(NONCE_BYTES),
  });
  if (envelope) return envelope;
  const issue = checkPayload(body.payload);
  return issue && { field: `payload.${issue.field}`, message: issue.message };
}

/** Throws MalformedError (a LedgerError with code MALFORMED) naming the first bad field. */
export function assertValidPayload<P extends TxPayload>(payload: P): P {
  const issue = checkPayload(payload);
  if (issue) throw new MalformedError(issue.field, issue.message);
  return payload;
}

/** Throws MalformedError naming the first bad field of the body. */
export function assertValidTxBody(body: TxBody): TxBody {
  const issue = checkTxBody(body);
  if (issue) throw new MalformedError(issue.field, issue.message);
  return body;
}

/** checkTxBody as one message ("payload.amount: must be greater than 0"), or null if well-formed. */
export function txBodyFormatError(body: TxBody): string | null {
  const issue = checkTxBody(body);
  return issue ? `${issue.field}: ${issue.message}` : null;
}
