// The encrypted keystore: an ed25519 seed sealed under a passphrase, in a JSON file whose public part
// (party id, public key, parameters) is readable without it. Browser-safe (@noble/hashes scrypt,
// @noble/ciphers XChaCha20-Poly1305); the node passes node:crypto's scrypt, which is the same
// function (RFC 7914) and several times faster.
//
//   key  = scrypt(NFKC(passphrase) as UTF-8, salt, N, r, p, 32)        RFC 7914 §2
//   seal = XChaCha20-Poly1305(key, nonce(24), seed(32), aad)           draft-irtf-cfrg-xchacha
//   aad  = KEYSTORE_AAD_DOMAIN || UTF-8 JSON of [format, kind, partyId, publicKey, N, r, p, salt]
//
// The header is authenticated as associated data, so a file whose party id, public key or KDF
// parameters were edited does not open; a wrong passphrase and a tampered file both fail the tag.
import { scrypt as nobleScrypt } from "@noble/hashes/scrypt.js";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { fromHex, toHex } from "./bytes.js";
import { nobleCrypto, randomBytes, SEED_BYTES, type Crypto } from "./crypto.js";
import { MalformedError, PARTY_ID_RE } from "./validate.js";
import { signerFromSeed, type LocalSigner } from "./signer.js";

export const KEYSTORE_FORMAT = "tradeledger-keystore/v1" as const;
const KEYSTORE_AAD_DOMAIN = "tradeledger/keystore/v1\u0000";

/**
 * scrypt cost parameters. The default N = 2^17, r = 8 (128 MiB; 0.37 s native on an idle core, 0.76 s
 * native and 1.9 s noble under heavy load) sits between the examples of RFC 7914 §2 for interactive logins (2^14) and file
 * encryption (2^20): a node opens its key at every start, so it must take about a second, not ten.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
/** The cheapest parameters a keystore may use (tests use them); anything weaker is refused at open. */
export const MIN_SCRYPT_N = 2 ** 14;
/** The costliest a file may ask for: bounds the memory (1 GiB) and time a hostile file can make us spend. */
export const MAX_SCRYPT: ScryptParams = { N: 2 ** 20, r: 8, p: 4 };

/** scrypt(password, salt, N, r, p, dkLen): node:crypto's or noble's. */
export type ScryptFn = (password: Uint8Array, salt: Uint8Array, params: ScryptParams, dkLen: number) => Uint8Array;

export const nobleScryptFn: ScryptFn = (password, salt, { N, r, p }, dkLen) => nobleScrypt(password, salt, { N, r, p, dkLen, maxmem: 2 ** 31 });

export type KeyKind = "party" | "node";

export interface KeystoreFile {
  format: typeof KEYSTORE_FORMAT;
  kind: KeyKind;
  partyId?: string;
  publicKey: string;
  kdf: { name: "scrypt"; N: number; r: number; p: number; salt: string };
  cipher: { name: "xchacha20-poly1305"; nonce: string };
  ciphertext: string;
}

export class KeystoreError extends Error {
  override readonly name = "KeystoreError";
  constructor(
    readonly code: "WRONG_PASSPHRASE" | "MALFORMED",
    message: string,
  ) {
    super(message);
  }
}

export function isKeystore(value: unknown): value is { format: string } {
  return typeof value === "object" && value !== null && (value as { format?: unknown }).format === KEYSTORE_FORMAT;
}

function passphraseBytes(passphrase: string): Uint8Array {
  if (typeof passphrase !== "string" || passphrase.length === 0) throw new MalformedError("passphrase", "must be a non-empty string");
  // NFKC so that the same passphrase typed on two keyboards (composed or decomposed) opens the file.
  return new TextEncoder().encode(passphrase.normalize("NFKC"));
}

function aad(k: Pick<KeystoreFile, "format" | "kind" | "partyId" | "publicKey" | "kdf">): Uint8Array {
  const header = JSON.stringify([k.format, k.kind, k.partyId ?? null, k.publicKey, k.kdf.N, k.kdf.r, k.kdf.p, k.kdf.salt]);
  return new TextEncoder().encode(KEYSTORE_AAD_DOMAIN + header);
}

function checkParams({ N, r, p }: ScryptParams): void {
  const ok = Number.isInteger(N) && Number.isInteger(r) && Number.isInteger(p) && N >= MIN_SCRYPT_N && N <= MAX_SCRYPT.N && (N & (N - 1)) === 0 && r >= 1 && r <= MAX_SCRYPT.r && p >= 1 && p <= MAX_SCRYPT.p;
  if (!ok) throw new KeystoreError("MALFORMED", `scrypt parameters out of range (N a power of 2 in [2^14, 2^20], r in [1, 8], p in [1, 4]): N=${N} r=${r} p=${p}`);
}

/** Seals `seed` under `passphrase`. */
export function encryptKey(
  seed: Uint8Array,
  passphrase: string,
  opts: { kind: KeyKind; partyId?: string; scrypt?: ScryptParams; scryptFn?: ScryptFn; crypto?: Pick<Crypto, "publicKeyFromSeed"> },
): KeystoreFile {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) throw new MalformedError("seed", `must be ${SEED_BYTES} bytes`);
  if (opts.partyId !== undefined && !PARTY_ID_RE.test(opts.partyId)) throw new MalformedError("partyId", "must be a party id (2-63 of a-z, 0-9, '-')");
  const params = opts.scrypt ?? DEFAULT_SCRYPT;
  checkParams(params);
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const header = {
    format: KEYSTORE_FORMAT,
    kind: opts.kind,
    ...(opts.partyId !== undefined ? { partyId: opts.partyId } : {}),
    publicKey: toHex((opts.crypto ?? nobleCrypto).publicKeyFromSeed(seed)),
    kdf: { name: "scrypt" as const, ...params, salt: toHex(salt) },
  };
  const key = (opts.scryptFn ?? nobleScryptFn)(passphraseBytes(passphrase), salt, params, 32);
  const ciphertext = xchacha20poly1305(key, nonce, aad(header)).encrypt(seed);
  key.fill(0);
  return { ...header, cipher: { name: "xchacha20-poly1305", nonce: toHex(nonce) }, ciphertext: toHex(ciphertext) };
}

const hexOf = (v: unknown, bytes: number, field: string): Uint8Array => {
  if (typeof v !== "string" || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) throw new KeystoreError("MALFORMED", `${field}: expected ${bytes} bytes as lower-case hex`);
  return fromHex(v);
};

/** Checks a keystore's shape (not its passphrase); returns it typed. */
export function parseKeystore(value: unknown): KeystoreFile {
  if (!isKeystore(value)) throw new KeystoreError("MALFORMED", `not a ${KEYSTORE_FORMAT} file`);
  const k = value as Record<string, any>;
  if (k.kind !== "party" && k.kind !== "node") throw new KeystoreError("MALFORMED", "kind: expected party or node");
  if (k.partyId !== undefined && (typeof k.partyId !== "string" || !PARTY_ID_RE.test(k.partyId))) throw new KeystoreError("MALFORMED", "partyId: not a party id");
  hexOf(k.publicKey, 32, "publicKey");
  if (k.kdf?.name !== "scrypt") throw new KeystoreError("MALFORMED", "kdf.name: expected scrypt");
  checkParams({ N: k.kdf.N, r: k.kdf.r, p: k.kdf.p });
  hexOf(k.kdf.salt, 32, "kdf.salt");
  if (k.cipher?.name !== "xchacha20-poly1305") throw new KeystoreError("MALFORMED", "cipher.name: expected xchacha20-poly1305");
  hexOf(k.cipher.nonce, 24, "cipher.nonce");
  hexOf(k.ciphertext, SEED_BYTES + 16, "ciphertext");
  return k as KeystoreFile;
}

/**
 * Opens a keystore: its seed, party id and public key. Throws KeystoreError WRONG_PASSPHRASE if the
 * passphrase is wrong or the file was altered (the tag covers both), MALFORMED if it is not a
 * keystore or asks for scrypt parameters out of range.
 */
export function decryptKey(
  value: unknown,
  passphrase: string,
  opts: { scryptFn?: ScryptFn; crypto?: Pick<Crypto, "publicKeyFromSeed"> } = {},
): { kind: KeyKind; partyId?: string; seed: Uint8Array; publicKey: Uint8Array } {
  const k = parseKeystore(value);
  const key = (opts.scryptFn ?? nobleScryptFn)(passphraseBytes(passphrase), fromHex(k.kdf.salt), k.kdf, 32);
  let seed: Uint8Array;
  try {
    seed = xchacha20poly1305(key, fromHex(k.cipher.nonce), aad(k)).decrypt(fromHex(k.ciphertext));
  } catch {
    throw new KeystoreError("WRONG_PASSPHRASE", "wrong passphrase, or the key file was altered");
  } finally {
    key.fill(0);
  }
  const publicKey = (opts.crypto ?? nobleCrypto).publicKeyFromSeed(seed);
  // Unreachable unless the writer was broken: the public key is authenticated with the seed.
  if (toHex(publicKey) !== k.publicKey) throw new KeystoreError("MALFORMED", "publicKey does not match the sealed seed");
  return { kind: k.kind, ...(k.partyId !== undefined ? { partyId: k.partyId } : {}), seed, publicKey };
}

/**
 * A signer from an encrypted key file's contents (text or parsed), opened with its passphrase.
 * Throws KeystoreError WRONG_PASSPHRASE if it does not open, MalformedError if it names no party
 * and none is given. Browser-safe; scrypt takes a couple of seconds in a browser.
 */
export function loadEncryptedSigner(keyFile: string | object, passphrase: string, partyId?: string, opts: { scryptFn?: ScryptFn } = {}): LocalSigner {
  let value: unknown = keyFile;
  if (typeof keyFile === "string") {
    try {
      value = JSON.parse(keyFile);
    } catch {
      throw new MalformedError("keyFile", "is not JSON");
    }
  }
  const opened = decryptKey(value, passphrase, opts);
  const id = partyId ?? opened.partyId;
  if (typeof id !== "string") throw new MalformedError("partyId", "the key file names no party; pass one");
  return signerFromSeed(id, opened.seed);
}
