// Signatures for the simulator. `fast`: a keyed 128-bit hash per replica (four multiply-xor
// lanes, in the manner of MurmurHash3), about 20x cheaper here than HMAC-SHA-256. It is no
// cryptographic MAC, and need not be: the verifier maps a public key to its secret, a Byzantine
// replica is only ever handed its own signer, and the simulated adversary does not do
// cryptanalysis, so every forgery it attempts fails exactly as it would against ed25519.
// `ed25519`: the node's real crypto (node/crypto.ts), for a smaller set of seeds.
import { hash as oneShotHash } from "node:crypto";
import { nodeCrypto } from "../../node/crypto.js";
import { concatBytes, toHex, utf8 } from "../../sdk/bytes.js";
import type { Validator, VerifySignature } from "../../sdk/commit.js";

export type SimCryptoKind = "fast" | "ed25519";

export interface SimKeys {
  validators: Validator[];
  /** the signing function of replica i (handed only to replica i) */
  signer(i: number): (message: Uint8Array) => Uint8Array;
  verify: VerifySignature;
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(oneShotHash("sha256", data, "buffer"));
}

/** 16-byte keyed hash: four 32-bit lanes seeded by the key, mixed per 32-bit word, finalised with fmix32. */
export function keyedHash128(key: Uint32Array, data: Uint8Array): Uint8Array {
  let h1 = key[0]! ^ data.length;
  let h2 = key[1]!;
  let h3 = key[2]!;
  let h4 = key[3]!;
  const words = data.length >>> 2;
  for (let w = 0, i = 0; w < words; w++, i += 4) {
    const k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    h1 = Math.imul(h1 ^ k, 0x01000193) + h4;
    h2 = Math.imul(h2 ^ k, 0x5bd1e995) + h1;
    h3 = Math.imul(h3 ^ k, 0x85ebca6b) + h2;
    h4 = Math.imul(h4 ^ k, 0xc2b2ae35) + h3;
  }
  for (let i = words << 2; i < data.length; i++) {
    const k = data[i]! | 0x100;
    h1 = Math.imul(h1 ^ k, 0x01000193) + h4;
    h2 = Math.imul(h2 ^ k, 0x5bd1e995) + h1;
    h3 = Math.imul(h3 ^ k, 0x85ebca6b) + h2;
    h4 = Math.imul(h4 ^ k, 0xc2b2ae35) + h3;
  }
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, fmix32(h1 ^ h3));
  view.setUint32(4, fmix32(h2 + h1));
  view.setUint32(8, fmix32(h3 ^ h4));
  view.setUint32(12, fmix32(h4 + h2));
  return out;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function makeKeys(kind: SimCryptoKind, n: number, seed: bigint): SimKeys {
  const secrets = Array.from({ length: n }, (_, i) => sha256(utf8(`sim-key/${seed}/${i}`)));
  if (kind === "ed25519") {
    const validators = secrets.map((s, i) => ({ id: `validator-${i}`, publicKey: nodeCrypto.publicKeyFromSeed(s) }));
    return {
      validators,
      signer: (i) => (message) => nodeCrypto.sign(secrets[i]!, message),
      verify: (publicKey, message, signature) => nodeCrypto.verify(publicKey, message, signature),
    };
  }
  const validators = secrets.map((s, i) => ({ id: `validator-${i}`, publicKey: sha256(concatBytes(utf8("sim-public/"), s)) }));
  const keys = secrets.map((s) => new Uint32Array(s.buffer.slice(s.byteOffset, s.byteOffset + 16)));
  const byPublicKey = new Map(validators.map((v, i) => [toHex(v.publicKey), keys[i]!]));
  // consensus passes the validator set's own key objects: look those up by identity first
  const byKeyObject = new Map<Uint8Array, Uint32Array>(validators.map((v, i) => [v.publicKey, keys[i]!]));
  return {
    validators,
    signer: (i) => (message) => keyedHash128(keys[i]!, message),
    verify(publicKey, message, signature) {
      if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array) || signature.length !== 16) return false;
      const key = byKeyObject.get(publicKey) ?? byPublicKey.get(toHex(publicKey));
      if (!key) return false;
      const expected = keyedHash128(key, message);
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= expected[i]! ^ signature[i]!;
      return diff === 0;
    },
  };
}
