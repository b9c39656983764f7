// The allow-list: the validators of genesis plus the node's configured observers, keyed by the
// peer id derived from each node key. Nothing outside it ever gets a connection.
import "./polyfill.js";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import { peerIdFromNodePublicKey } from "./identity.js";
import type { PeerEntry, PeerRef } from "./types.js";

export interface KnownPeer {
  ref: PeerRef;
  name?: string;
  /** Dial addresses (without /p2p); empty for peers we only accept. */
  addrs: Multiaddr[];
}

export class PeerDirectory {
  private readonly peers = new Map<string, KnownPeer>();

  constructor(
    entries: readonly PeerEntry[],
    readonly selfPeerId: string,
  ) {
    const validatorIds = new Set<string>();
    entries.forEach((entry, i) => {
      const where = `peers[${i}]`;
      let peerId: string;
      try {
        peerId = peerIdFromNodePublicKey(entry.publicKey);
      } catch (err) {
        throw new TypeError(`${where}.publicKey: ${(err as Error).message}`);
      }
      if (entry.validatorId !== undefined) {
        if (typeof entry.validatorId !== "string" || entry.validatorId === "") throw new TypeError(`${where}.validatorId: expected a non-empty string`);
        if (validatorIds.has(entry.validatorId)) throw new TypeError(`${where}.validatorId: duplicate ${entry.validatorId}`);
        validatorIds.add(entry.validatorId);
      }
      if (this.peers.has(peerId)) throw new TypeError(`${where}.publicKey: duplicate node key (peer ${peerId})`);
      const addrs = (entry.addrs ?? []).map((a, j) => {
        let ma: Multiaddr;
        try {
          ma = multiaddr(a);
        } catch (err) {
          throw new TypeError(`${where}.addrs[${j}]: not a multiaddr: ${(err as Error).message}`);
        }
        // The peer id follows from the public key; a /p2p suffix is accepted only if it agrees.
        const claimed = ma.getComponents().find((c) => c.name === "p2p");
        if (claimed) {
          if (claimed.value !== peerId) throw new TypeError(`${where}.addrs[${j}]: /p2p/${claimed.value} is not the peer id of this public key (${peerId})`);
          ma = ma.decapsulateCode(claimed.code);
        }
        return ma;
      });
      const ref: PeerRef = entry.validatorId !== undefined ? { peerId, validatorId: entry.validatorId } : { peerId };
      const known: KnownPeer = { ref, addrs };
      if (entry.name !== undefined) known.name = entry.name;
      this.peers.set(peerId, known);
    });
  }

  get(peerId: string): KnownPeer | undefined {
    return this.peers.get(peerId);
  }

  /** Allow-listed and not ourselves. */
  isRemote(peerId: string): boolean {
    return peerId !== this.selfPeerId && this.peers.has(peerId);
  }

  /** Every allow-listed peer except ourselves. */
  remotes(): KnownPeer[] {
    return [...this.peers.values()].filter((p) => p.ref.peerId !== this.selfPeerId);
  }
}
