// Public keys of registered parties, for the checks that run outside block execution: mempool
// admission (async) and a backup's check of a proposed batch (sync, known parties only). The
// ledger remains the authority: it re-checks every signature against committed state, with the
// key in force at the block's height (node/ledger/execute.ts).
// A party's key changes by rotation or a bank's reset (docs/governance.md): the keyRotated event
// of a committed block moves the current key to the retired ones here.
import { equalBytes } from "../sdk/bytes.js";
import type { Receipt } from "../sdk/types.js";
import type { QueryModel } from "./query/types.js";

interface Keys {
  current: Uint8Array;
  /** keys the party rotated away from, oldest first */
  retired: Uint8Array[];
}

export class PartyKeys {
  private readonly keys = new Map<string, Keys>();

  constructor(private readonly chain: Pick<QueryModel, "getParty">) {}

  /** The current key if this node has loaded it (no I/O). */
  known(partyId: string): Uint8Array | undefined {
    return this.keys.get(partyId)?.current;
  }

  /** Every key this node knows the party signed with: current first, then retired (no I/O). */
  knownKeys(partyId: string): readonly Uint8Array[] {
    const k = this.keys.get(partyId);
    return k ? [k.current, ...k.retired] : [];
  }

  /** The retired keys of a loaded party (no I/O): a signature under one of them is KEY_RETIRED. */
  retired(partyId: string): readonly Uint8Array[] {
    return this.keys.get(partyId)?.retired ?? [];
  }

  /** The current key of a committed party, loading it from state once. */
  async key(partyId: string): Promise<Uint8Array | undefined> {
    const cached = this.keys.get(partyId);
    if (cached) return cached.current;
    const party = await this.chain.getParty(partyId);
    if (!party) return undefined;
    // the receipts of later blocks keep it current (onReceipts)
    this.keys.set(partyId, { current: party.publicKey, retired: (party.retiredKeys ?? []).map((k) => k.publicKey) });
    return party.publicKey;
  }

  /** Learns parties registered, and keys rotated, by an executed block. */
  async onReceipts(receipts: readonly Receipt[]): Promise<void> {
    for (const r of receipts) {
      for (const e of r.events) {
        if (e.type === "partyRegistered") await this.key(e.partyId);
        else if (e.type === "keyRotated") {
          const k = this.keys.get(e.partyId);
          if (!k) continue; // not loaded yet: the next key() reads the rotated record
          if (!equalBytes(k.current, e.publicKey)) {
            k.retired.push(k.current);
            k.current = e.publicKey;
          }
        }
      }
    }
  }
}
