// Signers: a party id with an ed25519 key that signs transaction bodies. The seed stays inside the
// signer's closure (not a property), so logging or serialising a Signer never leaks it. Browser-safe:
// @noble/curves by default; the node may pass its node:crypto provider.
import { toHex } from "./bytes.js";
import { encode } from "./codec.js";
import { nobleCrypto, randomBytes, SEED_BYTES, SIGNATURE_BYTES, type Crypto } from "./crypto.js";
import { encodeTxBody, MAX_TX_BYTES, txSigningBytes, type Tx } from "./tx.js";
import type { SignedTxWire, TxBody } from "./tx.js";
import { assertValidTxBody, MalformedError, PARTY_ID_RE } from "./validate.js";

export interface Signer {
  readonly partyId: string;
  readonly publicKey: Uint8Array;
  /** ed25519 signature of `message` (for a transaction: TX_SIGNING_DOMAIN || body bytes) */
  sign(message: Uint8Array): Uint8Array;
}

export interface GeneratedSigner extends Signer {
  /** the new key's seed, to be stored by the caller (it is not kept anywhere else) */
  exportSeedHex(): string;
}

const SEED_HEX_RE = /^[0-9a-fA-F]{64}$/;

function seedBytes(seed: string | Uint8Array): Uint8Array {
  if (seed instanceof Uint8Array) {
    if (seed.length !== SEED_BYTES) throw new MalformedError("seed", `must be ${SEED_BYTES} bytes`);
    return Uint8Array.from(seed);
  }
  if (typeof seed !== "string" || !SEED_HEX_RE.test(seed)) throw new MalformedError("seed", `must be ${SEED_BYTES} bytes as 64 hex digits`);
  const out = new Uint8Array(SEED_BYTES);
  for (let i = 0; i < SEED_BYTES; i++) out[i] = parseInt(seed.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function makeSigner(partyId: string, seed: Uint8Array, crypto: Crypto): Signer {
  if (typeof partyId !== "string" || !PARTY_ID_RE.test(partyId)) throw new MalformedError("partyId", "must be a party id (2-63 of a-z, 0-9, '-')");
  const publicKey = crypto.publicKeyFromSeed(seed);
  return { partyId, publicKey, sign: (message: Uint8Array) => crypto.sign(seed, message) };
}

/** A signer for `partyId` from its 32-byte ed25519 seed (hex or bytes). */
export function signerFromSeed(partyId: string, seed: string | Uint8Array, crypto: Crypto = nobleCrypto): Signer {
  return Object.freeze(makeSigner(partyId, seedBytes(seed), crypto));
}

/** A signer with a fresh random key; export its seed to keep it. */
export function generateSigner(partyId: string, crypto: Crypto = nobleCrypto): GeneratedSigner {
  const seed = randomBytes(SEED_BYTES);
  return Object.freeze({ ...makeSigner(partyId, seed, crypto), exportSeedHex: () => toHex(seed) });
}

/**
 * Signs a transaction body: validates it, encodes it, signs TX_SIGNING_DOMAIN || body and returns
 * the Tx (SignedTx bytes ready for POST /v1/txs, and the hash that identifies it). Throws
 * MalformedError if the body is malformed, is not the signer's, or encodes above MAX_TX_BYTES.
 */
export function signTransaction(signer: Signer, body: TxBody, crypto: Pick<Crypto, "sha256"> = nobleCrypto): Tx {
  if (body?.signer !== signer.partyId) throw new MalformedError("signer", `body is signed by ${String(body?.signer)}, this signer is ${signer.partyId}`);
  assertValidTxBody(body);
  const bodyBytes = encodeTxBody(body);
  const signature = signer.sign(txSigningBytes(bodyBytes));
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) throw new TypeError(`a signer must return a ${SIGNATURE_BYTES}-byte signature`);
  const bytes = encode("SignedTx", { body: bodyBytes, signature } satisfies SignedTxWire);
  if (bytes.length > MAX_TX_BYTES) throw new MalformedError("body", `encodes to ${bytes.length} bytes, above the ${MAX_TX_BYTES}-byte limit`);
  const hash = crypto.sha256(bodyBytes);
  return { bytes, bodyBytes, signature, body, hash, hashHex: toHex(hash) };
}
