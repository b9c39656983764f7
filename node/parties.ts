// Public keys of registered parties, for the checks that run outside block execution: mempool
// admission (async) and a backup's check of a proposed batch (sync, known parties only). The
// ledger remains the authority: it re-checks every signature against committed state.
import type { Receipt } from "../sdk/types.js";
import type { QueryModel } from "./query/types.js";

export class PartyKeys {
  private readonly keys = new Map<string, Uint8Array>();

  constructor(private readonly chain: Pick<QueryModel, "getParty">) {}

  /** The key if this node has loaded it (no I/O). */
  known(partyId: string): Uint8Array | undefined {
    return this.keys.get(partyId);
  }

  /** The key of a committed party, loading it from state once. */
  async key(partyId: string): Promise<Uint8Array | undefined> {
    const cached = this.keys.get(partyId);
    if (cached) return cached;
    const party = await this.chain.getParty(partyId);
    if (!party) return undefined;
    this.keys.set(partyId, party.publicKey); // a party's key never changes once registered
    return party.publicKey;
  }

  /** Learns parties registered by an executed block. */
  async onReceipts(receipts: readonly Receipt[]): Promise<void> {
    for (const r of receipts) {
      for (const e of r.events) if (e.type === "partyRegistered") await this.key(e.partyId);
    }
  }
}
