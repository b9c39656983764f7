// Who is reading: the party key loaded into this page (never sent anywhere, never stored: a reload
// forgets it), the SDK client that signs every read with it, the reader's role, and the validator
// set every verification is made against.
import {
  createClient,
  fromHex,
  LedgerError,
  loadSigner,
  signerFromSeed,
  toHex,
  validatorSetFromGenesis,
  type LocalSigner,
  type PartyJson,
  type StatusJson,
  type TradeLedgerClient,
  type ValidatorSet,
} from "@tradeledger/sdk";

export type Role = PartyJson["role"];

export interface Session {
  signer: LocalSigner;
  party: PartyJson;
  role: Role;
  client: TradeLedgerClient;
}

/** The node that serves this page: the explorer only ever talks to it (its CSP says so too). */
export const NODE_URL = typeof location === "undefined" ? "http://127.0.0.1:7001" : location.origin;

/** An unsigned client: status, block headers and certified headers are open. */
export const openClient = createClient({ url: NODE_URL });

/**
 * A key as a person has it: a `.devnet/keys/<party>.json` file or one like it ({ partyId, seed,
 * publicKey }), or an Ed25519 private key in PKCS#8 (PEM or base64 DER) with the party id given
 * apart. Encrypted key files are opened by openKeystore (below). Throws with a sentence on bad input.
 */
export function signerFromText(text: string, partyId?: string): LocalSigner {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new Error("the key file is not valid JSON");
    }
    if (json.format === "tradeledger-keystore/v1") throw new Error("this is an encrypted key file: give its passphrase");
    return loadSigner(json as { partyId?: unknown; seed?: unknown; publicKey?: unknown }, partyId || undefined);
  }
  if (!partyId) throw new Error("a PKCS#8 key names no party: give the party id");
  return signerFromSeed(partyId, ed25519SeedFromPkcs8(trimmed));
}

/** The 32-byte Ed25519 seed inside a PKCS#8 PrivateKeyInfo (RFC 8410), PEM or base64. */
export function ed25519SeedFromPkcs8(text: string): Uint8Array {
  const b64 = text
    .replace(/-----BEGIN PRIVATE KEY-----/, "")
    .replace(/-----END PRIVATE KEY-----/, "")
    .replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) throw new Error("not a PEM or base64 PKCS#8 key");
  const der = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  // SEQUENCE { INTEGER version, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } ... }
  const oid = [0x06, 0x03, 0x2b, 0x65, 0x70];
  const at = indexOf(der, oid);
  if (der[0] !== 0x30 || at < 0) throw new Error("not an Ed25519 PKCS#8 key (RFC 8410)");
  const key = indexOf(der, [0x04, 0x22, 0x04, 0x20], at + oid.length);
  if (key < 0 || key + 4 + 32 > der.length) throw new Error("the PKCS#8 key holds no 32-byte Ed25519 seed");
  return der.slice(key + 4, key + 4 + 32);
}

function indexOf(hay: Uint8Array, needle: number[], from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** An encrypted key file (tradeledger-keystore/v1); scrypt makes this take a few seconds. */
export async function openKeystore(text: string, passphrase: string, partyId?: string): Promise<LocalSigner> {
  const { loadEncryptedSigner } = await import("@tradeledger/sdk/keystore");
  // scrypt runs synchronously: let the page say "opening" first
  await new Promise((r) => setTimeout(r, 30));
  return loadEncryptedSigner(text, passphrase, partyId || undefined);
}

/** Checks the key against the ledger's party directory and makes the session. */
export async function startSession(signer: LocalSigner): Promise<Session> {
  const client = createClient({ url: NODE_URL, signer });
  let party: PartyJson;
  try {
    party = await client.getParty(signer.partyId);
  } catch (err) {
    if (err instanceof LedgerError && (err.code === "UNKNOWN_SIGNER" || err.code === "NOT_FOUND")) throw new Error(`${signer.partyId} is not a registered party on this ledger`);
    if (err instanceof LedgerError && err.code === "BAD_SIGNATURE") throw new Error(`this key is not ${signer.partyId}'s registered key`);
    throw err;
  }
  if (party.publicKey !== toHex(signer.publicKey)) throw new Error(`this key is not ${signer.partyId}'s registered key (${party.publicKey.slice(0, 16)}…)`);
  return { signer, party, role: party.role, client };
}

// ---- the validator set -------------------------------------------------------------------------

export interface PinnedValidators {
  set: ValidatorSet;
  /** where the set came from: a genesis file the reader loaded, or this node's status on first use */
  source: "genesis" | "first-use";
  /** when it was pinned (ISO) */
  pinnedAt: string;
}

const PIN_KEY = "tradeledger-explorer/validators";

interface StoredPin {
  chainId: string;
  validators: { id: string; publicKey: string }[];
  source: PinnedValidators["source"];
  pinnedAt: string;
}

function toStored(p: PinnedValidators): StoredPin {
  return {
    chainId: p.set.chainId,
    validators: p.set.validators.map((v) => ({ id: v.id, publicKey: typeof v.publicKey === "string" ? v.publicKey : toHex(v.publicKey) })),
    source: p.source,
    pinnedAt: p.pinnedAt,
  };
}

function fromStored(s: StoredPin): PinnedValidators {
  return { set: { chainId: s.chainId, validators: s.validators.map((v) => ({ id: v.id, publicKey: fromHex(v.publicKey) })) }, source: s.source, pinnedAt: s.pinnedAt };
}

function readPin(chainId: string): PinnedValidators | null {
  try {
    const raw = localStorage.getItem(`${PIN_KEY}/${chainId}`);
    return raw ? fromStored(JSON.parse(raw) as StoredPin) : null;
  } catch {
    return null;
  }
}

function writePin(p: PinnedValidators): void {
  try {
    localStorage.setItem(`${PIN_KEY}/${p.set.chainId}`, JSON.stringify(toStored(p)));
  } catch {
    // storage refused (private mode): the pin lasts for this page only
  }
}

/** The set pinned for this chain, or (first use) this node's status pinned now. */
export function validatorsFor(status: StatusJson): { pinned: PinnedValidators; differs: boolean } {
  const fromNode: PinnedValidators = {
    set: { chainId: status.chainId, validators: status.validators.map((v) => ({ id: v.id, publicKey: fromHex(v.publicKey) })) },
    source: "first-use",
    pinnedAt: new Date().toISOString(),
  };
  const pinned = readPin(status.chainId);
  if (!pinned) {
    writePin(fromNode);
    return { pinned: fromNode, differs: false };
  }
  const a = JSON.stringify(toStored(pinned).validators);
  const b = JSON.stringify(toStored(fromNode).validators);
  return { pinned, differs: a !== b };
}

/** Pins the validator set of a genesis file the reader trusts (replacing a first-use pin). */
export function pinGenesis(text: string): PinnedValidators {
  let genesis: unknown;
  try {
    genesis = JSON.parse(text);
  } catch {
    throw new Error("the genesis file is not valid JSON");
  }
  const p: PinnedValidators = { set: validatorSetFromGenesis(genesis), source: "genesis", pinnedAt: new Date().toISOString() };
  writePin(p);
  return p;
}
