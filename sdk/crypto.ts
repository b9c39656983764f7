// The SDK's crypto: @noble/curves ed25519 and @noble/hashes sha256, browser-safe.
// The node's hot path uses node/crypto.ts (node:crypto) instead; both implement `Crypto` and
// test/vectors/ed25519.json proves they produce identical bytes (RFC 8032 signatures are
// deterministic, so identical keys and messages give identical signatures).
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 as nobleSha256, sha512 } from "@noble/hashes/sha2.js";
import { randomBytes as nobleRandomBytes } from "@noble/hashes/utils.js";

export const SEED_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** The operations the ledger needs from a crypto provider. Verification never throws. */
export interface Crypto {
  sha256(data: Uint8Array): Uint8Array;
  publicKeyFromSeed(seed: Uint8Array): Uint8Array;
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** false for any malformed key, signature or a signature that does not verify. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

export const nobleCrypto: Crypto = {
  sha256: (data) => nobleSha256(data),
  publicKeyFromSeed(seed) {
    checkSeed(seed);
    return ed25519.getPublicKey(seed);
  },
  sign(seed, message) {
    checkSeed(seed);
    return ed25519.sign(message, seed);
  },
  verify(publicKey, message, signature) {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
    if (!(message instanceof Uint8Array)) return false;
    try {
      return isStrongPublicKeyCached(publicKey) && verifyLikeOpenSsl(publicKey, message, signature);
    } catch {
      return false;
    }
  },
};

// ---- the acceptance rule --------------------------------------------------------------------------
//
// A signature is valid iff its key is strong (isStrongPublicKey: canonical, not of small order) and
// OpenSSL 3 (node:crypto, the node's hot path) accepts it, so that a client never calls valid what
// the ledger rejects, or the reverse (docs/hashing.md §7). The strong-key condition makes the rule
// the same on every OpenSSL the node runs on: OpenSSL 3.0 (Node 20) accepts forgeries on
// small-order and non-canonical keys that OpenSSL 3.5 (Node 24, current Node 22) refuses; no strong key differs.
//   1. S < L, else invalid (RFC 8032 §5.1.7 step 1; no malleable S + L).
//   2. A is decoded as ref10 ge_frombytes_vartime does: y is the low 255 bits reduced mod p
//      (non-canonical y >= p accepted), x recovered per RFC 8032 §5.1.3 step 2-3, the sign bit
//      applied even when x = 0; a y with no x is invalid. A of small order is NOT refused here.
//   3. k = SHA-512(R || A || M) mod L over the received bytes of R and A (§5.1.7 step 2).
//   4. Cofactorless: valid iff encode([S]B - [k]A) equals the 32 bytes of R exactly (§5.1.7
//      step 3 permits this instead of the cofactored equation), so a non-canonical R never passes.
// noble's own ed25519.verify differs on mixed-order R or A (it is cofactored), on small-order A
// (zip215: false refuses it) and on non-canonical A; test/vectors/ed25519.json holds each case.
// Keys of small order or non-canonical encoding admit universal forgeries under this rule, so
// they must be refused where keys enter the ledger: see isStrongPublicKey.

const Point = ed25519.Point;
/** Order of the prime subgroup, 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function numberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function verifyLikeOpenSsl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const r = signature.subarray(0, 32);
  const s = numberLE(signature.subarray(32, 64));
  if (s >= L) return false;
  const A = decodePointLenient(publicKey);
  if (!A) return false;
  const k = numberLE(sha512(concat3(r, publicKey, message))) % L;
  const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k)).toBytes();
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= check[i]! ^ r[i]!;
  return diff === 0;
}

/** ref10 / OpenSSL point decoding: y taken mod p, sign bit applied as given. Null if no such x. */
function decodePointLenient(bytes: Uint8Array): InstanceType<typeof Point> | null {
  const sign = bytes[31]! & 0x80;
  const y = (numberLE(bytes) & (2n ** 255n - 1n)) % P;
  const canonical = new Uint8Array(32);
  let v = y;
  for (let i = 0; i < 32; i++, v >>= 8n) canonical[i] = Number(v & 0xffn);
  canonical[31]! |= sign;
  try {
    // zip215 = true: accepts x = 0 with the sign bit set, as ref10 does; y is canonical by now.
    return Point.fromBytes(canonical, true);
  } catch {
    return null;
  }
}

function concat3(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length + c.length);
  out.set(a, 0);
  out.set(b, a.length);
  out.set(c, a.length + b.length);
  return out;
}

const strongKeys = new Map<string, boolean>();
/** isStrongPublicKey, remembered per key (a verifier sees the same few keys again and again). */
export function isStrongPublicKeyCached(publicKey: Uint8Array): boolean {
  let id = "";
  for (let i = 0; i < publicKey.length; i++) id += publicKey[i]!.toString(16).padStart(2, "0");
  let strong = strongKeys.get(id);
  if (strong === undefined) {
    strong = isStrongPublicKey(publicKey);
    if (strongKeys.size >= 10_000) strongKeys.clear();
    strongKeys.set(id, strong);
  }
  return strong;
}

/**
 * True iff `publicKey` is a key the ledger should accept for a party: 32 bytes, the canonical
 * encoding of a curve point (RFC 8032 §5.1.3: y < p, no "negative zero" x) and not of small order.
 * A small-order or non-canonical key lets anyone forge signatures that both verifiers accept.
 */
export function isStrongPublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  try {
    return !Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

export function randomBytes(n: number): Uint8Array {
  return nobleRandomBytes(n);
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) throw new TypeError(`an ed25519 seed is ${SEED_BYTES} bytes`);
}
