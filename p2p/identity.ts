// A node's libp2p identity is its ed25519 node key, so the peer id of every validator follows
// from the public key genesis lists: nobody has to publish or trust a second identifier.
import "./polyfill.js";
import { generateKeyPairFromSeed, publicKeyFromRaw } from "@libp2p/crypto/keys";
import { peerIdFromPublicKey } from "@libp2p/peer-id";
import type { Ed25519PrivateKey } from "@libp2p/interface";

const ED25519_BYTES = 32;

/** The libp2p private key for a node key seed (RFC 8032 §5.1.5: same public key as node/crypto). */
export async function privateKeyFromNodeSeed(seed: Uint8Array): Promise<Ed25519PrivateKey> {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_BYTES) throw new TypeError(`a node key seed is ${ED25519_BYTES} bytes`);
  return generateKeyPairFromSeed("Ed25519", seed);
}

/**
 * A libp2p private key whose signatures come from `key` (an HSM): libp2p signs with it only in the
 * noise handshake (the identity payload, once per connection). Its raw bytes do not exist here.
 */
export function privateKeyFromExternalKey(key: { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array | Promise<Uint8Array> }): Ed25519PrivateKey {
  const publicKey = publicKeyFromRaw(key.publicKey);
  if (publicKey.type !== "Ed25519") throw new TypeError("a node key is ed25519");
  return {
    type: "Ed25519",
    publicKey,
    get raw(): Uint8Array {
      throw new Error("the node key is held in an HSM: its private bytes cannot be read");
    },
    equals: (other?: { type?: string; publicKey?: { equals(k: unknown): boolean } }) => other?.type === "Ed25519" && other.publicKey?.equals(publicKey) === true,
    sign: async (data: Parameters<Ed25519PrivateKey["sign"]>[0]) => key.sign(data instanceof Uint8Array ? data : data.subarray()),
  };
}

/** The peer id ("12D3KooW...") of the node whose raw 32-byte ed25519 public key is `pub`. */
export function peerIdFromNodePublicKey(pub: Uint8Array): string {
  if (!(pub instanceof Uint8Array) || pub.length !== ED25519_BYTES) throw new TypeError(`a node public key is ${ED25519_BYTES} bytes`);
  return peerIdFromPublicKey(publicKeyFromRaw(pub)).toString();
}
