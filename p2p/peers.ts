// The allow-list: the validators of genesis plus the node's configured observers, keyed by the
// peer id derived from each node key, plus the observers admitted on the ledger (DESIGN.md §12,
// docs/governance.md), which the node replaces as blocks commit (setLedgerObservers), and the
// validators of the set in ledger state, which replace the genesis validators once the node hands
// them over (setLedgerValidators: an added validator is accepted, a removed one refused). An observer
// removed on the ledger is refused even if this node's config lists it: removal is the network's
// decision. Nothing outside the list ever gets a connection.
import "./polyfill.js";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import { peerIdFromNodePublicKey } from "./identity.js";
import type { LedgerObserver, PeerEntry, PeerRef } from "./types.js";

export interface KnownPeer {
  ref: PeerRef;
  name?: string;
  /** Dial addresses (without /p2p); empty for peers we only accept. */
  addrs: Multiaddr[];
}

export class PeerDirectory {
  private readonly peers = new Map<string, KnownPeer>();
  /** observers admitted on the ledger, by peer id */
  private ledger = new Map<string, KnownPeer>();
  /** observers removed on the ledger, by peer id: refused even if configured */
  private revoked = new Set<string>();
  /** the validators of the set in ledger state, once the node hands them over; until then the configured (genesis) ones */
  private ledgerValidators: Map<string, KnownPeer> | undefined;

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
    const configured = this.peers.get(peerId);
    const validator = this.ledgerValidators?.get(peerId);
    // a validator of the ledger's set is named as one, with the addresses its config entry gives (if any)
    if (validator) return configured ? { ...configured, ref: validator.ref } : validator;
    if (configured && this.ledgerValidators && configured.ref.validatorId !== undefined) {
      // a genesis validator no longer in the set: a plain peer now (allowed only as an observer)
      const { validatorId: _v, ...ref } = configured.ref;
      return { ...configured, ref };
    }
    return configured ?? this.ledger.get(peerId);
  }

  /** Allow-listed and not ourselves. */
  isRemote(peerId: string): boolean {
    return peerId !== this.selfPeerId && (this.peers.has(peerId) || this.ledger.has(peerId) || this.ledgerValidators?.has(peerId) === true) && !this.isRevoked(peerId);
  }

  /** Every allow-listed peer except ourselves. */
  remotes(): KnownPeer[] {
    const ids = new Set([...this.peers.keys(), ...this.ledger.keys(), ...(this.ledgerValidators?.keys() ?? [])]);
    const out: KnownPeer[] = [];
    for (const id of ids) if (id !== this.selfPeerId && !this.isRevoked(id)) out.push(this.get(id)!);
    return out;
  }

  /**
   * Replaces the validators this node accepts with the set in ledger state (docs/governance.md §5):
   * the epoch in force and any decided set whose switch is pending. Returns the peer ids allowed
   * before and not now (a removed validator after its switch): to be disconnected.
   */
  setLedgerValidators(validators: readonly { publicKey: Uint8Array; validatorId: string }[]): string[] {
    const before = new Set(this.remotes().map((p) => p.ref.peerId));
    const next = new Map<string, KnownPeer>();
    for (const v of validators) {
      const peerId = peerIdFromNodePublicKey(v.publicKey);
      next.set(peerId, { ref: { peerId, validatorId: v.validatorId }, addrs: [] });
    }
    // A validator whose node key was rotated (ROTATE_KEY, docs/governance.md §7.2) runs on the same
    // host: once its configured key is no validator's any more, its new key is dialled at the
    // addresses configured for its id (not before: the old key still answers there until the switch).
    const configuredAddrs = new Map<string, Multiaddr[]>();
    for (const [peerId, known] of this.peers) if (known.ref.validatorId !== undefined && !next.has(peerId) && known.addrs.length > 0) configuredAddrs.set(known.ref.validatorId, known.addrs);
    for (const [peerId, known] of next) {
      if (this.peers.has(peerId)) continue;
      const addrs = configuredAddrs.get(known.ref.validatorId!);
      if (addrs && [...next.values()].filter((k) => k.ref.validatorId === known.ref.validatorId).length === 1) known.addrs = addrs;
    }
    this.ledgerValidators = next;
    const now = new Set(this.remotes().map((p) => p.ref.peerId));
    return [...before].filter((id) => !now.has(id));
  }

  /**
   * Replaces the observers admitted and removed on the ledger (node/net/observers.ts, as blocks
   * commit). Returns the peer ids that were allowed before and are not now: to be disconnected.
   */
  setLedgerObservers(admitted: readonly LedgerObserver[], removed: readonly Uint8Array[]): string[] {
    const before = new Set(this.remotes().map((p) => p.ref.peerId));
    const ledger = new Map<string, KnownPeer>();
    for (const o of admitted) {
      const peerId = peerIdFromNodePublicKey(o.publicKey);
      const known: KnownPeer = { ref: { peerId }, addrs: [] };
      if (o.name !== undefined) known.name = o.name;
      ledger.set(peerId, known);
    }
    this.ledger = ledger;
    this.revoked = new Set(removed.map((k) => peerIdFromNodePublicKey(k)).filter((id) => !ledger.has(id)));
    const now = new Set(this.remotes().map((p) => p.ref.peerId));
    return [...before].filter((id) => !now.has(id));
  }

  /**
   * Refused: an observer removed on the ledger (never a validator of the set in force), or a genesis
   * validator that the set in ledger state no longer has, unless the ledger admits it as an observer.
   */
  private isRevoked(peerId: string): boolean {
    if (this.ledgerValidators?.has(peerId)) return false;
    const configured = this.peers.get(peerId);
    if (this.ledgerValidators && configured?.ref.validatorId !== undefined && !this.ledger.has(peerId)) return true;
    return this.revoked.has(peerId) && configured?.ref.validatorId === undefined;
  }
}
