// The SDK's crypto: @noble/curves ed25519 and @noble/hashes sha256, browser-safe.
// The node's hot path uses node/crypto.ts (node:crypto) instead; both implement `Crypto` and
// test/vectors/ed25519.json proves they produce identical bytes (RFC 8032 signatures are
// deterministic, so identical keys and messages give identical signatures).
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
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
      // zip215: false gives RFC 8032 / node:crypto (OpenSSL) acceptance rules, so the SDK and the
      // node accept exactly the same signatures.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};

export function randomBytes(n: number): Uint8Array {
  return nobleRandomBytes(n);
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) throw new TypeError(`an ed25519 seed is ${SEED_BYTES} bytes`);
}
