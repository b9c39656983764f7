// Document hashing (DESIGN.md §3): RFC 8785 canonical JSON, the salted per-field Merkle root that
// is anchored on the ledger as a document's hash, selective disclosure of one field with an audit
// path, and verifyDocument, the lender's check of a received document against the ledger.
// docs/hashing.md specifies every byte; test/vectors/hashing.json pins them.
// Browser-safe: @noble/hashes only, no node:* imports.
import { sha256 } from "@noble/hashes/sha2.js";
import { hexToBytes, randomBytes } from "@noble/hashes/utils.js";
import { compareBytes, equalBytes, isHex, toHex, utf8 } from "./bytes.js";
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
} from "./fingerprint.js";
import { inclusionProof, rootOfLeafHashes, verifyInclusion, type MerkleTags } from "./merkle.js";

// ---- errors and limits --------------------------------------------------------------------------

export type HashingErrorKind =
  | "invalid_argument" // an argument of the wrong type (salts not an object, path not a string...)
  | "unsupported_type" // undefined, function, symbol, bigint: not JSON
  | "not_plain_object" // class instances, Map, Date, arrays with holes or extra properties
  | "non_finite_number" // NaN, Infinity (RFC 8785 §3.2.2.3 has no form for them)
  | "lone_surrogate" // a string or key that is not well-formed UTF-16 (RFC 8785 §3.2.2.2)
  | "too_deep"
  | "too_large"
  | "bad_salt" // not 32 bytes of lower-case hex, or two fields with one salt
  | "salt_mismatch" // salts for paths the document does not have, or fields without a salt
  | "bad_random" // the injected random source returned something other than 32 bytes
  | "unknown_path"; // discloseField: the document has no field at that path

/** A value that cannot be hashed safely. Maps to MALFORMED / 400 at the API edge. */
export class HashingError extends Error {
  override readonly name = "HashingError";
  readonly code = "MALFORMED" as const;
  constructor(
    readonly kind: HashingErrorKind,
    message: string,
    /** JSON Pointer (RFC 6901) of the offending value, when there is one. */
    readonly path?: string,
  ) {
    super(path === undefined ? message : `${path === "" ? "(root)" : path}: ${message}`);
  }
}

/** Limits every implementation enforces identically (docs/hashing.md §2.5). */
export const DOCUMENT_LIMITS = {
  /** Objects and arrays nested inside one another, the root included (so pointers have <= 32 tokens). */
  maxDepth: 32,
  /** Leaves (every scalar, object and array, the root included). */
  maxLeaves: 65_536,
  /** UTF-8 bytes of one JSON Pointer. */
  maxPathBytes: 4_096,
  /** UTF-8 bytes of one canonical scalar. */
  maxValueBytes: 1_048_576,
  /** Sum of path and value bytes over all leaves. */
  maxTotalBytes: 8_388_608,
} as const;

export const SALT_BYTES = 32;

/** Merkle domain tags of document trees: distinct from each other and from RFC 6962's 0x00/0x01. */
export const DOCUMENT_TAGS: MerkleTags = {
  leaf: utf8("tradeledger/doc/v1/leaf\u0000"),
  node: utf8("tradeledger/doc/v1/node\u0000"),
  empty: utf8("tradeledger/doc/v1/empty\u0000"),
};

export type FieldType = "null" | "boolean" | "number" | "string" | "object" | "array";

/** One-byte type codes in the leaf preimage. */
export const FIELD_TYPE_CODES: Readonly<Record<FieldType, number>> = {
  null: 0x01,
  boolean: 0x02,
  number: 0x03,
  string: 0x04,
  object: 0x05,
  array: 0x06,
};

type JsonScalar = null | boolean | number | string;

const LONE_SURROGATE_RE = /\p{Cs}/u;
// RFC 6901 §3: a pointer is a sequence of "/" + token, "~" only as "~0" or "~1".
const POINTER_RE = /^(?:\/(?:[^~/]|~[01])*)*$/u;

// ---- RFC 8785 canonical JSON ------------------------------------------------------------------

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(value).length === 0;
}

function checkString(s: string, path: string, what: string): void {
  if (LONE_SURROGATE_RE.test(s)) throw new HashingError("lone_surrogate", `${what} contains a lone surrogate`, path);
}

function checkArray(value: unknown[], path: string): void {
  if (Object.getPrototypeOf(value) !== Array.prototype) throw new HashingError("not_plain_object", "not a plain array", path);
  // Holes and extra own properties have no JSON form; JSON.stringify would silently change them.
  if (Object.keys(value).length !== value.length) throw new HashingError("not_plain_object", "array with holes or extra properties", path);
}

/** RFC 8785 §3.2.2 serialisation of a scalar (ECMAScript JSON.stringify of a checked value). */
function canonicalScalar(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // §3.2.2.3: Number::toString; -0 serialises as "0". NaN and Infinity have no JSON form.
      if (!Number.isFinite(value)) throw new HashingError("non_finite_number", `${value} is not a finite number`, path);
      return JSON.stringify(value);
    case "string":
      checkString(value, path, "string");
      return JSON.stringify(value); // §3.2.2.2
    default:
      throw new HashingError("unsupported_type", `a ${typeof value} is not a JSON value`, path);
  }
}

function escapeToken(token: string): string {
  // RFC 6901 §3: "~" first, then "/".
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a JSON value: object members sorted by the
 * UTF-16 code units of their names (§3.2.3), no white space, ECMAScript number and string
 * serialisation (§3.2.2). Only plain objects, arrays, strings, finite numbers, booleans and null
 * are accepted; anything else throws HashingError rather than being dropped or converted.
 */
export function canonicalJson(value: unknown): string {
  const walk = (v: unknown, path: string, depth: number): string => {
    if (v === null || typeof v !== "object") return canonicalScalar(v, path);
    if (depth >= DOCUMENT_LIMITS.maxDepth) throw new HashingError("too_deep", `nested deeper than ${DOCUMENT_LIMITS.maxDepth} levels`, path);
    if (Array.isArray(v)) {
      checkArray(v, path);
      return `[${v.map((item, i) => walk(item, `${path}/${i}`, depth + 1)).join(",")}]`;
    }
    if (!isPlainObject(v)) throw new HashingError("not_plain_object", "not a plain object", path);
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record).sort(); // default sort compares UTF-16 code units (§3.2.3)
    const parts: string[] = [];
    for (const k of keys) {
      const childPath = `${path}/${escapeToken(k)}`;
      checkString(k, childPath, "member name");
      parts.push(`${JSON.stringify(k)}:${walk(record[k], childPath, depth + 1)}`);
    }
    return `{${parts.join(",")}}`;
  };
  return walk(value, "", 0);
}

/** UTF-8 bytes of canonicalJson(value): what is hashed or signed when a whole JSON value is. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}

// ---- flattening a document into fields ----------------------------------------------------------

interface Field {
  path: string;
  pathBytes: Uint8Array;
  type: FieldType;
  /** The scalar, or the member count of an object or array. */
  raw: JsonScalar;
  /** RFC 8785 text of raw. */
  json: string;
  valueBytes: Uint8Array;
}

function scalarType(value: JsonScalar): FieldType {
  if (value === null) return "null";
  return typeof value as "boolean" | "number" | "string";
}

/**
 * Every node of the JSON tree becomes one field, addressed by its RFC 6901 JSON Pointer: each
 * scalar with its canonical JSON, and each object and array (the root included) with its member
 * count. Committing to containers makes the mapping injective: {} vs [] vs absent, and
 * {"a":["x"]} vs {"a":{"0":"x"}} (same pointer "/a/0") all give different leaf sets.
 */
function flatten(doc: unknown): Field[] {
  const fields: Field[] = [];
  let totalBytes = 0;
  const add = (path: string, type: FieldType, raw: JsonScalar, json: string): void => {
    if (fields.length >= DOCUMENT_LIMITS.maxLeaves) throw new HashingError("too_large", `more than ${DOCUMENT_LIMITS.maxLeaves} fields`, path);
    const pathBytes = utf8(path);
    const valueBytes = utf8(json);
    if (pathBytes.length > DOCUMENT_LIMITS.maxPathBytes) throw new HashingError("too_large", `path longer than ${DOCUMENT_LIMITS.maxPathBytes} bytes`, path);
    if (valueBytes.length > DOCUMENT_LIMITS.maxValueBytes) throw new HashingError("too_large", `value longer than ${DOCUMENT_LIMITS.maxValueBytes} bytes`, path);
    totalBytes += pathBytes.length + valueBytes.length;
    if (totalBytes > DOCUMENT_LIMITS.maxTotalBytes) throw new HashingError("too_large", `document larger than ${DOCUMENT_LIMITS.maxTotalBytes} bytes`, path);
    fields.push({ path, pathBytes, type, raw, json, valueBytes });
  };
  const walk = (v: unknown, path: string, depth: number): void => {
    if (v === null || typeof v !== "object") {
      add(path, scalarType(v as JsonScalar), v as JsonScalar, canonicalScalar(v, path));
      return;
    }
    if (depth >= DOCUMENT_LIMITS.maxDepth) throw new HashingError("too_deep", `nested deeper than ${DOCUMENT_LIMITS.maxDepth} levels`, path);
    if (Array.isArray(v)) {
      checkArray(v, path);
      add(path, "array", v.length, String(v.length));
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}/${i}`, depth + 1);
      return;
    }
    if (!isPlainObject(v)) throw new HashingError("not_plain_object", "not a plain object", path);
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record);
    add(path, "object", keys.length, String(keys.length));
    for (const k of keys) {
      const childPath = `${path}/${escapeToken(k)}`;
      checkString(k, childPath, "member name");
      walk(record[k], childPath, depth + 1);
    }
  };
  walk(doc, "", 0);
  // Leaves are ordered by the bytes of the UTF-8 pointer (unsigned, shorter prefix first).
  // Pointers are unique, so the order is total.
  fields.sort((a, b) => compareBytes(a.pathBytes, b.pathBytes));
  return fields;
}

// ---- leaves and roots ---------------------------------------------------------------------------

/** LEAF_TAG || u32be(len path) || path || type || salt || u32be(len value) || value. */
function leafInput(pathBytes: Uint8Array, type: FieldType, salt: Uint8Array, valueBytes: Uint8Array): Uint8Array {
  // Written into one buffer: this runs once per field, and hashing a document is dominated by it
  // and SHA-256. Equal to merkle.ts leafHash(sha256, data, DOCUMENT_TAGS)'s input.
  const tag = DOCUMENT_TAGS.leaf;
  const out = new Uint8Array(tag.length + 4 + pathBytes.length + 1 + SALT_BYTES + 4 + valueBytes.length);
  const view = new DataView(out.buffer);
  out.set(tag, 0);
  let off = tag.length;
  view.setUint32(off, pathBytes.length);
  out.set(pathBytes, (off += 4));
  out[(off += pathBytes.length)] = FIELD_TYPE_CODES[type];
  out.set(salt, (off += 1));
  view.setUint32((off += SALT_BYTES), valueBytes.length);
  out.set(valueBytes, off + 4);
  return out;
}

/**
 * The bytes hashed for one field: LEAF_TAG || u32be(len path) || path || type || salt ||
 * u32be(len value) || value, with path the UTF-8 JSON Pointer and value the UTF-8 canonical JSON.
 */
export function leafPreimage(path: string, type: FieldType, canonicalValue: string, salt: Uint8Array): Uint8Array {
  checkLeafArgs(path, type, canonicalValue, salt);
  return leafInput(utf8(path), type, salt, utf8(canonicalValue));
}

/** SHA-256 of leafPreimage(...): one leaf of a document tree. */
export function documentLeafHash(path: string, type: FieldType, canonicalValue: string, salt: Uint8Array): Uint8Array {
  checkLeafArgs(path, type, canonicalValue, salt);
  return sha256(leafInput(utf8(path), type, salt, utf8(canonicalValue)));
}

function checkLeafArgs(path: unknown, type: unknown, value: unknown, salt: unknown): void {
  if (typeof path !== "string" || typeof value !== "string") throw new HashingError("invalid_argument", "path and value must be strings");
  if (typeof type !== "string" || !Object.hasOwn(FIELD_TYPE_CODES, type)) throw new HashingError("invalid_argument", `unknown field type ${String(type)}`);
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_BYTES) throw new HashingError("bad_salt", `a salt is ${SALT_BYTES} bytes`);
}

export interface DocumentLeaf {
  /** RFC 6901 JSON Pointer of the field ("" is the whole document). */
  path: string;
  type: FieldType;
  /** RFC 8785 text of the value; for objects and arrays, the member count. */
  value: string;
  leaf: Uint8Array;
}

export interface DocumentCommitment {
  /** The document hash: what is anchored on the ledger. */
  root: Uint8Array;
  rootHex: string;
  /** Salt of every field, lower-case hex, by path. Keep them: without them no one can verify. */
  salts: Record<string, string>;
  /** Every leaf, in tree order. */
  leaves: DocumentLeaf[];
}

export interface HashDocumentOptions {
  /** Salts to reuse, by path (lower-case hex, 32 bytes each); fields without one get a fresh one. */
  salts?: Record<string, string>;
  /** Random source for new salts (default: crypto.getRandomValues through @noble/hashes). */
  random?: (n: number) => Uint8Array;
}

/**
 * The default salt source: crypto.getRandomValues (through @noble/hashes) in chunks of up to
 * 64 KiB, its per-call limit, since one call per salt costs more than hashing the field.
 */
function batchedRandom(): (n: number) => Uint8Array {
  let pool = new Uint8Array(0);
  let used = 0;
  let chunk = 1024;
  return (n) => {
    if (used + n > pool.length) {
      pool = randomBytes(Math.max(n, chunk));
      used = 0;
      chunk = Math.min(chunk * 4, 65_536);
    }
    return pool.subarray(used, (used += n));
  };
}

interface Tree {
  fields: Field[];
  salts: Uint8Array[];
  saltHex: string[];
  leaves: Uint8Array[];
  root: Uint8Array;
}

function readSalts(salts: unknown): Map<string, string> {
  if (typeof salts !== "object" || salts === null || Array.isArray(salts)) throw new HashingError("invalid_argument", "salts must be an object of path -> hex");
  const out = new Map<string, string>();
  for (const [path, hex] of Object.entries(salts)) {
    if (!isHex(hex, SALT_BYTES)) throw new HashingError("bad_salt", `salt must be ${SALT_BYTES} bytes of lower-case hex`, path);
    out.set(path, hex);
  }
  return out;
}

function buildTree(doc: unknown, given: Map<string, string>, random: ((n: number) => Uint8Array) | null): Tree {
  const fields = flatten(doc);
  const known = new Set(fields.map((f) => f.path));
  const extra = [...given.keys()].filter((p) => !known.has(p));
  if (extra.length > 0) throw new HashingError("salt_mismatch", `salts for paths the document does not have: ${extra.slice(0, 5).map((p) => JSON.stringify(p)).join(", ")}`);
  const salts: Uint8Array[] = [];
  const saltHex: string[] = [];
  const seen = new Set<string>();
  const leaves: Uint8Array[] = [];
  for (const f of fields) {
    let hex = given.get(f.path);
    let salt: Uint8Array;
    if (hex !== undefined) salt = hexToBytes(hex);
    else {
      if (!random) throw new HashingError("salt_mismatch", "no salt for this field", f.path);
      const r = random(SALT_BYTES);
      if (!(r instanceof Uint8Array) || r.length !== SALT_BYTES) throw new HashingError("bad_random", `the random source must return ${SALT_BYTES} bytes`);
      salt = Uint8Array.from(r);
      hex = toHex(salt);
    }
    // A salt shared by two fields lets whoever sees one of them brute-force the other.
    if (seen.has(hex)) throw new HashingError("bad_salt", "the same salt is used for two fields", f.path);
    seen.add(hex);
    salts.push(salt);
    saltHex.push(hex);
    leaves.push(sha256(leafInput(f.pathBytes, f.type, salt, f.valueBytes)));
  }
  return { fields, salts, saltHex, leaves, root: rootOfLeafHashes(sha256, leaves, DOCUMENT_TAGS) };
}

/**
 * The salted Merkle commitment of a JSON document (docs/hashing.md §2-§3). Throws HashingError
 * for anything that cannot be hashed safely; never converts or drops a value.
 */
export function hashDocument(doc: unknown, opts: HashDocumentOptions = {}): DocumentCommitment {
  if (typeof opts !== "object" || opts === null) throw new HashingError("invalid_argument", "options must be an object");
  if (opts.random !== undefined && typeof opts.random !== "function") throw new HashingError("invalid_argument", "random must be a function");
  const given = opts.salts === undefined ? new Map<string, string>() : readSalts(opts.salts);
  const tree = buildTree(doc, given, opts.random ?? batchedRandom());
  const salts: Record<string, string> = {};
  tree.fields.forEach((f, i) => (salts[f.path] = tree.saltHex[i]!));
  return {
    root: tree.root,
    rootHex: toHex(tree.root),
    salts,
    leaves: tree.fields.map((f, i) => ({ path: f.path, type: f.type, value: f.json, leaf: tree.leaves[i]! })),
  };
}

// ---- selective disclosure -----------------------------------------------------------------------

/**
 * One field shown to a third party, provable against the anchored root. JSON-serialisable. It
 * reveals the field, its salt, its position and the number of fields; the siblings are hashes of
 * salted leaves, so nothing about any other field's value.
 */
export interface Disclosure {
  path: string;
  type: FieldType;
  /** The scalar; for an object or array, its member count. */
  value: JsonScalar;
  /** 32-byte salt, lower-case hex. */
  salt: string;
  index: number;
  leafCount: number;
  /** RFC 6962 §2.1.1 audit path, sibling hashes from the leaf up, lower-case hex. */
  proof: string[];
}

/** Discloses the field at `path` (RFC 6901). `salts` must be exactly the document's salts. */
export function discloseField(doc: unknown, salts: Record<string, string>, path: string): Disclosure {
  if (typeof path !== "string") throw new HashingError("invalid_argument", "path must be a string (RFC 6901 JSON Pointer)");
  const tree = buildTree(doc, readSalts(salts), null);
  const index = tree.fields.findIndex((f) => f.path === path);
  if (index < 0) throw new HashingError("unknown_path", "the document has no field at this path", path);
  const f = tree.fields[index]!;
  return {
    path,
    type: f.type,
    value: f.raw,
    salt: tree.saltHex[index]!,
    index,
    leafCount: tree.leaves.length,
    proof: inclusionProof(sha256, tree.leaves, index, DOCUMENT_TAGS).map(toHex),
  };
}

function bytes32(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value.length === 32 ? value : null;
  return isHex(value, 32) ? hexToBytes(value) : null;
}

/** Canonical value text of a disclosed field, or null if value and type do not fit together. */
function disclosedValue(type: unknown, value: unknown): string | null {
  switch (type) {
    case "null":
      return value === null ? "null" : null;
    case "boolean":
      return typeof value === "boolean" ? String(value) : null;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? JSON.stringify(value) : null;
    case "string":
      return typeof value === "string" && !LONE_SURROGATE_RE.test(value) ? JSON.stringify(value) : null;
    case "object":
    case "array":
      return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
    default:
      return null;
  }
}

/** True iff `disclosure` proves its field under `root` (32 bytes or hex). Never throws. */
export function verifyDisclosure(root: Uint8Array | string, disclosure: unknown): boolean {
  try {
    const rootBytes = bytes32(root);
    if (!rootBytes || typeof disclosure !== "object" || disclosure === null) return false;
    const d = disclosure as Record<string, unknown>;
    const { path, type, index, leafCount, proof } = d;
    if (typeof path !== "string" || !POINTER_RE.test(path) || LONE_SURROGATE_RE.test(path)) return false;
    const json = disclosedValue(type, d.value);
    if (json === null) return false;
    if (!isHex(d.salt, SALT_BYTES)) return false;
    const salt = hexToBytes(d.salt);
    if (!Number.isSafeInteger(leafCount) || (leafCount as number) < 1 || (leafCount as number) > DOCUMENT_LIMITS.maxLeaves) return false;
    if (!Number.isSafeInteger(index)) return false;
    if (!Array.isArray(proof) || proof.length > 32 || !proof.every((p) => isHex(p, 32))) return false;
    const pathBytes = utf8(path);
    const valueBytes = utf8(json);
    if (pathBytes.length > DOCUMENT_LIMITS.maxPathBytes || valueBytes.length > DOCUMENT_LIMITS.maxValueBytes) return false;
    const leaf = sha256(leafInput(pathBytes, type as FieldType, salt, valueBytes));
    return verifyInclusion(sha256, leaf, index as number, leafCount as number, proof.map((p: string) => hexToBytes(p)), rootBytes, DOCUMENT_TAGS);
  } catch {
    return false;
  }
}

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
