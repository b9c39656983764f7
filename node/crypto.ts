// The node's crypto: node:crypto (OpenSSL) ed25519 and sha256, ~11x faster than noble for
// verification on this machine. Key objects are cached because building one from raw bytes
// costs about as much as a verification.
import { createPrivateKey, createPublicKey, hash as oneShotHash, sign as nodeSign, verify as nodeVerify, type KeyObject } from "node:crypto";
import { isStrongPublicKey, PUBLIC_KEY_BYTES, SEED_BYTES, SIGNATURE_BYTES, type Crypto } from "../sdk/crypto.js";
import { toHex } from "../sdk/bytes.js";

// DER prefixes of PKCS#8 (private) and SPKI (public) ed25519 keys (RFC 8410 §7, §4).
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

const MAX_CACHED_KEYS = 100_000;
const publicKeys = new Map<string, KeyObject | null>();
const privateKeys = new Map<string, KeyObject>();

function publicKeyObject(raw: Uint8Array): KeyObject | null {
  const id = toHex(raw);
  let key = publicKeys.get(id);
  if (key === undefined) {
    try {
      // A weak key (small order, non-canonical) verifies nothing, whatever the OpenSSL version
      // (docs/hashing.md §7): decided once per key, here, off the per-signature path.
      key = isStrongPublicKey(raw) ? createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" }) : null;
    } catch {
      key = null; // not a point on the curve: remember the failure too
    }
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) throw new TypeError(`an ed25519 seed is ${SEED_BYTES} bytes`);
  const id = toHex(seed);
  let key = privateKeys.get(id);
  if (!key) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
    if (privateKeys.size >= 1024) privateKeys.clear();
    privateKeys.set(id, key);
  }
  return key;
}

export const nodeCrypto: Crypto = {
  sha256(data) {
    // The one-shot hash skips a Hash object per call: half the cost for transaction-sized inputs.
    return new Uint8Array(oneShotHash("sha256", data, "buffer"));
  },
  publicKeyFromSeed(seed) {
    const der = createPublicKey(privateKeyObject(seed)).export({ format: "der", type: "spki" });
    return new Uint8Array(der.subarray(der.length - PUBLIC_KEY_BYTES));
  },
  sign(seed, message) {
    return new Uint8Array(nodeSign(null, message, privateKeyObject(seed)));
  },
  verify(publicKey, message, signature) {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
    if (!(message instanceof Uint8Array)) return false;
    const key = publicKeyObject(publicKey);
    if (!key) return false;
    try {
      return nodeVerify(null, message, key, signature);
    } catch {
      return false;
    }
  },
};
