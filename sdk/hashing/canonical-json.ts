// RFC 8785 canonical JSON (docs/hashing.md §1): the text a JSON value is hashed or signed as, and
// the checks that refuse what has no JSON form rather than converting it. Browser-safe. The checks
// are exported for document-hash.ts, which applies them field by field; index.ts lists the SDK's.
import canonicalize from "canonicalize";
import { utf8 } from "../bytes.js";
import { DOCUMENT_LIMITS, HashingError } from "./limits.js";

export type JsonScalar = null | boolean | number | string;

export const LONE_SURROGATE_RE = /\p{Cs}/u;

// ---- RFC 8785 canonical JSON ------------------------------------------------------------------

export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(value).length === 0;
}

export function checkString(s: string, path: string, what: string): void {
  if (LONE_SURROGATE_RE.test(s)) throw new HashingError("lone_surrogate", `${what} contains a lone surrogate`, path);
}

export function checkArray(value: unknown[], path: string): void {
  if (Object.getPrototypeOf(value) !== Array.prototype) throw new HashingError("not_plain_object", "not a plain array", path);
  // Holes and extra own properties have no JSON form; JSON.stringify would silently change them.
  if (Object.keys(value).length !== value.length) throw new HashingError("not_plain_object", "array with holes or extra properties", path);
}

/** RFC 8785 §3.2.2 serialisation of a scalar (ECMAScript JSON.stringify of a checked value). */
export function canonicalScalar(value: unknown, path: string): string {
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

export function escapeToken(token: string): string {
  // RFC 6901 §3: "~" first, then "/".
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * Refuses what has no exact JSON form (HashingError with the JSON Pointer of the culprit): only
 * plain objects, arrays without holes, strings without lone surrogates, finite numbers, booleans
 * and null, nested at most DOCUMENT_LIMITS.maxDepth deep. A serialiser, like JSON.stringify,
 * would silently drop or convert the rest (undefined, functions, Dates, Maps, toJSON).
 */
export function assertJsonValue(value: unknown): void {
  const walk = (v: unknown, path: string, depth: number): void => {
    if (v === null || typeof v !== "object") {
      canonicalScalar(v, path);
      return;
    }
    if (depth >= DOCUMENT_LIMITS.maxDepth) throw new HashingError("too_deep", `nested deeper than ${DOCUMENT_LIMITS.maxDepth} levels`, path);
    if (Array.isArray(v)) {
      checkArray(v, path);
      v.forEach((item, i) => walk(item, `${path}/${i}`, depth + 1));
      return;
    }
    if (!isPlainObject(v)) throw new HashingError("not_plain_object", "not a plain object", path);
    for (const [k, item] of Object.entries(v)) {
      const childPath = `${path}/${escapeToken(k)}`;
      checkString(k, childPath, "member name");
      walk(item, childPath, depth + 1);
    }
  };
  walk(value, "", 0);
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a JSON value: object members sorted by the
 * UTF-16 code units of their names (§3.2.3), no white space, ECMAScript number and string
 * serialisation (§3.2.2). The value is checked first (assertJsonValue: anything without an exact
 * JSON form throws HashingError rather than being dropped or converted); the text is then the
 * `canonicalize` package's, the RFC authors' reference implementation for JavaScript.
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value);
  return canonicalize(value)!;
}

/** UTF-8 bytes of canonicalJson(value): what is hashed or signed when a whole JSON value is. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}
