// The signed transaction envelope (proto SignedTx / TxBody): building, signing, hashing, decoding.
// The transaction hash is SHA-256 of the exact body bytes that were signed; the signature is
// ed25519 over TX_SIGNING_DOMAIN || body. Both node and SDK use this module with their own Crypto.
import { concatBytes, toHex, utf8 } from "./bytes.js";
import { CodecError, decode, decodeCanonical, encode } from "./codec.js";
import { randomBytes, type Crypto } from "./crypto.js";
import { MalformedError, toBytes, type BytesInput } from "./checks.js";
import type { TxPayload } from "./transactions/index.js";

export interface TxBodyOptions {
  chainId: string;
  /** the signing party's id, or the Signer itself */
  signer: string | { partyId: string };
  /** ms since the Unix epoch; defaults to this machine's clock (the ledger bounds it, TX_EXPIRED) */
  createdAt?: bigint | number;
  /** 16 bytes; random by default */
  nonce?: BytesInput;
}

/**
 * A payload in the signed envelope's body, unchecked: buildTxBody (builders.ts) checks it whatever
 * its type, a call that knows its type checks it with that type's format (validate.ts, checkTxBodyWith).
 */
export function unsignedTxBody(payload: TxPayload, opts: TxBodyOptions): TxBody {
  const createdAt = opts.createdAt ?? Date.now();
  if (typeof createdAt === "number" && !Number.isSafeInteger(createdAt)) throw new MalformedError("createdAt", "must be an integer count of ms");
  return {
    chainId: opts.chainId,
    signer: typeof opts.signer === "string" ? opts.signer : opts.signer?.partyId,
    createdAt: typeof createdAt === "number" ? BigInt(createdAt) : createdAt,
    nonce: opts.nonce === undefined ? randomBytes(NONCE_BYTES) : toBytes("nonce", opts.nonce),
    payload,
  };
}

/** The bytes a party signs (proto TxBody); their SHA-256 is the transaction hash. */
export interface TxBody {
  chainId: string;
  signer: string;
  createdAt: bigint;
  nonce: Uint8Array;
  payload: TxPayload;
}

export interface SignedTxWire {
  body: Uint8Array;
  signature: Uint8Array;
}

export const TX_SIGNING_DOMAIN = utf8("tradeledger/tx/v1\u0000");
export const NONCE_BYTES = 16;
/** Upper bound on an encoded SignedTx; larger ones are refused at the edge (413 / MALFORMED). */
export const MAX_TX_BYTES = 64 * 1024;

/** A transaction as the node handles it: decoded once, hashed once, bytes kept as received. */
export interface Tx {
  /** SignedTx bytes exactly as received. */
  bytes: Uint8Array;
  bodyBytes: Uint8Array;
  signature: Uint8Array;
  body: TxBody;
  hash: Uint8Array;
  hashHex: string;
}

export function encodeTxBody(body: TxBody): Uint8Array {
  return encode("TxBody", body);
}

export function txSigningBytes(bodyBytes: Uint8Array): Uint8Array {
  return concatBytes(TX_SIGNING_DOMAIN, bodyBytes);
}

export function signTx(crypto: Crypto, body: TxBody, seed: Uint8Array): Tx {
  const bodyBytes = encodeTxBody(body);
  const signature = crypto.sign(seed, txSigningBytes(bodyBytes));
  const bytes = encode("SignedTx", { body: bodyBytes, signature } satisfies SignedTxWire);
  const hash = crypto.sha256(bodyBytes);
  return { bytes, bodyBytes, signature, body, hash, hashHex: toHex(hash) };
}

/**
 * Decodes SignedTx bytes. Throws CodecError (MALFORMED) if the envelope or body is not a valid,
 * canonical message or has no payload. Does not check the signature (the signer's key lives in
 * the ledger); see verifyTxSignature.
 */
export function decodeTx(crypto: Pick<Crypto, "sha256">, bytes: Uint8Array): Tx {
  if (bytes.length > MAX_TX_BYTES) throw new CodecError("range", `transaction of ${bytes.length} bytes exceeds ${MAX_TX_BYTES}`, "SignedTx");
  const wire = decode<SignedTxWire>("SignedTx", bytes);
  const body = decodeCanonical<TxBody>("TxBody", wire.body);
  if (!body.payload) throw new CodecError("invalid", "transaction has no payload", "TxBody");
  const hash = crypto.sha256(wire.body);
  return { bytes, bodyBytes: wire.body, signature: wire.signature, body, hash, hashHex: toHex(hash) };
}

export function verifyTxSignature(crypto: Crypto, publicKey: Uint8Array, tx: Pick<Tx, "bodyBytes" | "signature">): boolean {
  return crypto.verify(publicKey, txSigningBytes(tx.bodyBytes), tx.signature);
}
