// The proof that whoever installs a new signing key for a party holds its private half (a rotation
// or a bank's reset; DESIGN.md §12, docs/governance.md): the new key's ed25519 signature over
//   "tradeledger/key-possession/v1" || 0x00 || chain id || 0x00 || party id || 0x00 || new public key.
// Binding the chain and the party means a proof seen in one party's transaction cannot install that
// key for anyone else (front-running a rotation to squat its key), nor on another chain.
// Browser-safe: the SDK builds proofs, the ledger checks them with the node's crypto.
import { concatBytes, utf8 } from "../bytes.js";
import { isStrongPublicKey, nobleCrypto, SIGNATURE_BYTES, type Crypto } from "../crypto.js";
import { bytesOf, PUBLIC_KEY_BYTES, type Check } from "../checks.js";

const DOMAIN = utf8("tradeledger/key-possession/v1");
const ZERO = new Uint8Array([0]);

export function keyPossessionMessage(chainId: string, partyId: string, newPublicKey: Uint8Array): Uint8Array {
  return concatBytes(DOMAIN, ZERO, utf8(chainId), ZERO, utf8(partyId), ZERO, newPublicKey);
}

/** The possession proof of the key with `newSeed`, for `partyId` on `chainId`. */
export function keyPossessionProof(chainId: string, partyId: string, newSeed: Uint8Array, crypto: Crypto = nobleCrypto): { publicKey: Uint8Array; proof: Uint8Array } {
  const publicKey = crypto.publicKeyFromSeed(newSeed);
  return { publicKey, proof: crypto.sign(newSeed, keyPossessionMessage(chainId, partyId, publicKey)) };
}

export function verifyKeyPossession(crypto: Pick<Crypto, "verify">, chainId: string, partyId: string, newPublicKey: Uint8Array, proof: Uint8Array): boolean {
  return crypto.verify(newPublicKey, keyPossessionMessage(chainId, partyId, newPublicKey), proof);
}

// The same proof for a validator's node key (ROTATE_KEY, docs/governance.md §4), under its own domain:
//   "tradeledger/node-key-possession/v1" || 0x00 || chain id || 0x00 || party id || 0x00 || new node key.
// A rotation to a key nobody holds would silence that validator at the switch (one fault of the f the
// network tolerates), so the ledger takes a new node key only with its holder's signature. The
// domain keeps a party-key proof from serving as a node-key proof and the other way round.
const NODE_DOMAIN = utf8("tradeledger/node-key-possession/v1");

export function nodeKeyPossessionMessage(chainId: string, partyId: string, newNodePublicKey: Uint8Array): Uint8Array {
  return concatBytes(NODE_DOMAIN, ZERO, utf8(chainId), ZERO, utf8(partyId), ZERO, newNodePublicKey);
}

/** The possession proof of a node key, for the validator run by `partyId` on `chainId`, signed by `sign` (a seed's or an HSM's). */
export function nodeKeyPossessionProof(chainId: string, partyId: string, newNodePublicKey: Uint8Array, sign: (message: Uint8Array) => Uint8Array): Uint8Array {
  return sign(nodeKeyPossessionMessage(chainId, partyId, newNodePublicKey));
}

export function verifyNodeKeyPossession(crypto: Pick<Crypto, "verify">, chainId: string, partyId: string, newNodePublicKey: Uint8Array, proof: Uint8Array): boolean {
  return crypto.verify(newNodePublicKey, nodeKeyPossessionMessage(chainId, partyId, newNodePublicKey), proof);
}

/** A new signing key: 32 bytes, and not one that would verify forgeries (docs/hashing.md §7). */
export const newKeyCheck: Check = (v) =>
  bytesOf(PUBLIC_KEY_BYTES)(v) ?? (isStrongPublicKey(v as Uint8Array) ? undefined : "must be a usable ed25519 public key (not of small order, canonically encoded)");
export const proofCheck: Check = bytesOf(SIGNATURE_BYTES);
