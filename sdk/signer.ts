// Signers: a party id with an ed25519 key that signs transaction bodies and signed reads.
// `Signer.sign` is asynchronous so that the key may live anywhere: in memory, in an HSM (PKCS#11,
// node/keys/pkcs11.ts), in a cloud KMS. A key held in memory is a LocalSigner, which can also sign
// synchronously (signTransactionSync) for code that builds many transactions in a loop (tests,
// benchmarks, load generators). The seed stays inside the signer's closure (not a property), so
// logging or serialising a Signer never leaks it. Browser-safe: @noble/curves by default; the node
// may pass its node:crypto provider.
import { toHex } from "./bytes.js";
import { encode } from "./codec.js";
import { nobleCrypto, randomBytes, SEED_BYTES, SIGNATURE_BYTES, type Crypto } from "./crypto.js";
import { encodeTxBody, MAX_TX_BYTES, txSigningBytes, type Tx } from "./tx.js";
import type { SignedTxWire, TxBody } from "./tx.js";
import { checkTxBody, MalformedError, PARTY_ID_RE, type PayloadIssue } from "./validate.js";

export interface Signer {
  readonly partyId: string;
  readonly publicKey: Uint8Array;
  /**
   * Resolves to the 64-byte ed25519 signature of `message` (for a transaction:
   * TX_SIGNING_DOMAIN || body bytes; for a signed read: readSigningBytes). RFC 8032 pure ed25519:
   * the message itself is signed, not a pre-hash, so an HSM must offer CKM_EDDSA or equivalent.
   */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A signer whose key is in this process's memory: it can also sign synchronously. */
export interface LocalSigner extends Signer {
  signSync(message: Uint8Array): Uint8Array;
}

export interface GeneratedSigner extends LocalSigner {
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

export function assertPartyId(partyId: string): void {
  if (typeof partyId !== "string" || !PARTY_ID_RE.test(partyId)) throw new MalformedError("partyId", "must be a party id (2-63 of a-z, 0-9, '-')");
}

function makeSigner(partyId: string, seed: Uint8Array, crypto: Crypto): LocalSigner {
  assertPartyId(partyId);
  const publicKey = crypto.publicKeyFromSeed(seed);
  const signSync = (message: Uint8Array) => crypto.sign(seed, message);
  return { partyId, publicKey, signSync, sign: async (message: Uint8Array) => signSync(message) };
}

/** A signer for `partyId` from its 32-byte ed25519 seed (hex or bytes). */
export function signerFromSeed(partyId: string, seed: string | Uint8Array, crypto: Crypto = nobleCrypto): LocalSigner {
  return Object.freeze(makeSigner(partyId, seedBytes(seed), crypto));
}

/** A signer with a fresh random key; export its seed to keep it. */
export function generateSigner(partyId: string, crypto: Crypto = nobleCrypto): GeneratedSigner {
  const seed = randomBytes(SEED_BYTES);
  return Object.freeze({ ...makeSigner(partyId, seed, crypto), exportSeedHex: () => toHex(seed) });
}

/** The body checked, encoded, and the bytes to sign; shared by the asynchronous and synchronous paths. */
function prepare(signer: Pick<Signer, "partyId">, body: TxBody, check: (body: TxBody) => PayloadIssue | undefined): { bodyBytes: Uint8Array; signingBytes: Uint8Array } {
  if (body?.signer !== signer.partyId) throw new MalformedError("signer", `body is signed by ${String(body?.signer)}, this signer is ${signer.partyId}`);
  const issue = check(body);
  if (issue) throw new MalformedError(issue.field, issue.message);
  const bodyBytes = encodeTxBody(body);
  return { bodyBytes, signingBytes: txSigningBytes(bodyBytes) };
}

function assemble(body: TxBody, bodyBytes: Uint8Array, signature: unknown, crypto: Pick<Crypto, "sha256">): Tx {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) throw new TypeError(`a signer must return a ${SIGNATURE_BYTES}-byte signature`);
  const bytes = encode("SignedTx", { body: bodyBytes, signature } satisfies SignedTxWire);
  if (bytes.length > MAX_TX_BYTES) throw new MalformedError("body", `encodes to ${bytes.length} bytes, above the ${MAX_TX_BYTES}-byte limit`);
  const hash = crypto.sha256(bodyBytes);
  return { bytes, bodyBytes, signature, body, hash, hashHex: toHex(hash) };
}

/**
 * Signs a transaction body: validates it, encodes it, has the signer sign TX_SIGNING_DOMAIN || body
 * and resolves to the Tx (SignedTx bytes ready for POST /v1/txs, and the hash that identifies it).
 * Rejects with MalformedError if the body is malformed, is not the signer's, or encodes above
 * MAX_TX_BYTES (before the signer is asked), and with TypeError if the signer returns no signature.
 */
export async function signTransaction(signer: Signer, body: TxBody, crypto: Pick<Crypto, "sha256"> = nobleCrypto): Promise<Tx> {
  const { bodyBytes, signingBytes } = prepare(signer, body, checkTxBody);
  return assemble(body, bodyBytes, await signer.sign(signingBytes), crypto);
}

/**
 * signTransaction with the body checked by `check` (validate.ts's checkTxBodyWith and the type's own
 * check, e.g. registerInvoice's) instead of checkTxBody, which carries every type's format.
 */
export async function signCheckedTransaction(signer: Signer, body: TxBody, check: (body: TxBody) => PayloadIssue | undefined, crypto: Pick<Crypto, "sha256"> = nobleCrypto): Promise<Tx> {
  const { bodyBytes, signingBytes } = prepare(signer, body, check);
  return assemble(body, bodyBytes, await signer.sign(signingBytes), crypto);
}

/** signTransaction for a key in memory, synchronously (tests, benchmarks, load generators). */
export function signTransactionSync(signer: LocalSigner, body: TxBody, crypto: Pick<Crypto, "sha256"> = nobleCrypto): Tx {
  const { bodyBytes, signingBytes } = prepare(signer, body, checkTxBody);
  return assemble(body, bodyBytes, signer.signSync(signingBytes), crypto);
}
