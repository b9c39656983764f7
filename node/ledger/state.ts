// The ledger's view of state: a synchronous key-value map of encoded records (proto messages in
// proto/tradeledger.proto). Synchronous so applyTx stays a deterministic function; the store
// makes it synchronous by prefetching every key a block can touch (see accessKeys) before
// executing it.
//
// Key layout (the state tree commits to every key below; ids are never reused):
//   p/<partyId>                 Party
//   r/<receivableId>            Receivable (its financings inside)
//   f/<fingerprintHex>          utf8 receivable id holding an invoice fingerprint (live or settled)
//   d/<documentHashHex>         DocumentRecord (invoices, declarations and other documents)
//   x/<declarationFpHex>        Declaration (an attested customs export declaration)
//   b/<billOfLadingFpHex>       utf8 exporter id a bill of lading number backs
//   k/<publicKeyHex>            utf8 id of the party registered with an ed25519 public key
//   l/<lineId>                  CreditLine (DESIGN.md §7)
//   w/<warrantId>               Warrant
//   q/<pieceId>                 Piece of a warrant (the first piece's id is the warrant's)
//   o/<lotId>                   Lot of goods a CUSTODIAN attested (DESIGN.md §8, docs/titles.md)
//   t/<titleId>                 Title (warehouse receipt or bill of lading), its current pledge inside
//   u/<titleFingerprintHex>     utf8 id of the LIVE title holding a title fingerprint (deleted on
//                               surrender); a bill of lading title also writes b/<fp> -> its first holder
//   g/<bankId>                  BookRoot: the currencies of a bank's book; gb/<bankId>/<currency> its
//                               BookCore (totals, sub-record counts); ge/, go/, gd/<bankId>/<currency>/<x>
//                               live financing per exporter, obligor, due date (node/ledger/aggregates.ts,
//                               sdk/lending.ts BOOK_KEY; DESIGN.md §10-§11). Also what supervision reads.
//   i/<partyId>                 CreditFacts: an exporter's running credit facts (indicators, §10)
//   c/<partyId>/<bankId>        Consent: the party lets the bank read its indicators until a date
// Committed transaction hashes (for DUPLICATE_TX) are not state: they are committed by every
// block's txs_root and looked up through `TxLookup`.

import { partyStateKey } from "../../sdk/signers.js";
import { pieceStateKey } from "../../sdk/transactions/warrant-common.js";
import { BOOK_KEY } from "../../sdk/lending.js";

export const KEY = {
  party: partyStateKey,
  receivable: (id: string) => `r/${id}`,
  fingerprint: (fpHex: string) => `f/${fpHex}`,
  document: (hashHex: string) => `d/${hashHex}`,
  declaration: (fpHex: string) => `x/${fpHex}`,
  billOfLading: (fpHex: string) => `b/${fpHex}`,
  publicKey: (keyHex: string) => `k/${keyHex}`,
  creditLine: (id: string) => `l/${id}`,
  warrant: (id: string) => `w/${id}`,
  piece: pieceStateKey,
  // title documents and pledges (DESIGN.md §8)
  lot: (id: string) => `o/${id}`,
  title: (id: string) => `t/${id}`,
  titleFingerprint: (fpHex: string) => `u/${fpHex}`,
  // before, during and after lending (DESIGN.md §10-§11, docs/lending.md)
  bankBook: BOOK_KEY.root,
  creditFacts: (partyId: string) => `i/${partyId}`,
  consent: (partyId: string, bankId: string) => `c/${partyId}/${bankId}`,
  // governance (DESIGN.md §12, docs/governance.md): the observers admitted on the ledger
  observers: "m/observers",
} as const;

export interface StateReader {
  get(key: string): Uint8Array | undefined;
}

export interface StateWriter extends StateReader {
  put(key: string, value: Uint8Array): void;
  del(key: string): void;
}

/** Whether a transaction hash (hex) was committed in an earlier block. */
export interface TxLookup {
  hasCommittedTx(hashHex: string): boolean;
}

/** What a block changed: final value per key, null for a deletion. Insertion order = first write. */
export type WriteSet = Map<string, Uint8Array | null>;

/**
 * Buffers writes over a base reader. `fork()` gives a child whose writes reach this overlay only
 * on `commit()`: one per transaction, so a rejected transaction leaves no trace.
 */
export class Overlay implements StateWriter {
  readonly writes: WriteSet = new Map();
  constructor(private readonly base: StateReader) {}

  get(key: string): Uint8Array | undefined {
    if (this.writes.has(key)) return this.writes.get(key) ?? undefined;
    return this.base.get(key);
  }
  put(key: string, value: Uint8Array): void {
    this.writes.set(key, value);
  }
  del(key: string): void {
    this.writes.set(key, null);
  }
  fork(): Overlay {
    return new Overlay(this);
  }
  /** Applies this overlay's writes to `target` (normally the overlay it was forked from). */
  commitTo(target: StateWriter): void {
    for (const [k, v] of this.writes) {
      if (v === null) target.del(k);
      else target.put(k, v);
    }
  }
}

/** An in-memory state, for tests, tools and genesis. */
export class MemoryState implements StateWriter {
  readonly map = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    return this.map.get(key);
  }
  put(key: string, value: Uint8Array): void {
    this.map.set(key, value);
  }
  del(key: string): void {
    this.map.delete(key);
  }
  apply(writes: WriteSet): void {
    for (const [k, v] of writes) {
      if (v === null) this.map.delete(k);
      else this.map.set(k, v);
    }
  }
}
