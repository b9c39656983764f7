// Blocks as committed: header bytes (hashed as stored), the signed transactions exactly as
// received, receipts, and the transaction-hash lookups. Written only through Store.commitBlock.
import { decode, encode } from "../../sdk/codec.js";
import { withoutZeroEpoch, type CommitCertificate } from "../../sdk/commit.js";
import type { CheckpointCertificate } from "../../sdk/certified.js";
import type { EpochLink } from "../../sdk/epochs.js";
import type { BlockHeader } from "../../sdk/types.js";
import { Bucket } from "./buckets.js";
import { key, readU32, readU64, u64be, type KeyWriter } from "./encoding.js";
import { corrupted } from "./errors.js";
import { EMPTY, plain, prefixRange, type Db } from "./db.js";
import type { CommittedTxFilter } from "./tx-filter.js";

export interface TxLocation {
  height: bigint;
  index: number;
}

export const blockKeys = {
  header: (height: bigint) => key(Bucket.blockHeader).u64(height).done(),
  byHash: (hash: Uint8Array) => key(Bucket.blockByHash).bytes(hash).done(),
  tx: (height: bigint, index: number) => key(Bucket.blockTx).u64(height).u32(index).done(),
  receipt: (height: bigint, index: number) => key(Bucket.blockReceipt).u64(height).u32(index).done(),
  txByHash: (hash: Uint8Array) => key(Bucket.txByHash).bytes(hash).done(),
  txAttempt: (hash: Uint8Array, height: bigint, index: number) => key(Bucket.txAttempt).bytes(hash).u64(height).u32(index).done(),
  certificate: (height: bigint) => key(Bucket.blockCertificate).u64(height).done(),
  checkpoint: (seq: bigint) => key(Bucket.checkpointCertificate).u64(seq).done(),
  epochLink: (epoch: bigint) => key(Bucket.epochLink).u64(epoch).done(),
  txsOf: (height: bigint): KeyWriter => key(Bucket.blockTx).u64(height),
  receiptsOf: (height: bigint): KeyWriter => key(Bucket.blockReceipt).u64(height),
};

export function encodeTxLocation(height: bigint, index: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, height);
  view.setUint32(8, index);
  return out;
}

export function decodeTxLocation(bytes: Uint8Array): TxLocation {
  if (bytes.length !== 12) throw corrupted("transaction location record has the wrong length", { bytes: bytes.length });
  return { height: readU64(bytes, 0), index: readU32(bytes, 8) };
}

export function encodeCertificateRecord(c: CommitCertificate): Uint8Array {
  return encode("CommitCertificateMsg", c);
}

export function decodeCertificateRecord(bytes: Uint8Array, height: bigint): CommitCertificate {
  let c: CommitCertificate;
  try {
    c = withoutZeroEpoch(decode<CommitCertificate>("CommitCertificateMsg", bytes));
  } catch (err) {
    throw corrupted(`commit certificate of block ${height} does not decode`, { height: height.toString() }, err);
  }
  if (c.seq !== height) throw corrupted(`commit certificate stored at height ${height} is for ${c.seq}`, { height: height.toString() });
  return c;
}

export function encodeCheckpointRecord(c: CheckpointCertificate): Uint8Array {
  return encode("CheckpointCertificateMsg", c);
}

export function decodeCheckpointRecord(bytes: Uint8Array, seq: bigint): CheckpointCertificate {
  let c: CheckpointCertificate;
  try {
    c = withoutZeroEpoch(decode<CheckpointCertificate & { epoch?: bigint }>("CheckpointCertificateMsg", bytes));
  } catch (err) {
    throw corrupted(`checkpoint certificate ${seq} does not decode`, { seq: seq.toString() }, err);
  }
  if (c.seq !== seq) throw corrupted(`checkpoint certificate stored at ${seq} is for ${c.seq}`, { seq: seq.toString() });
  return c;
}

export function encodeEpochLinkRecord(l: EpochLink): Uint8Array {
  return encode("EpochLinkMsg", l);
}

export function decodeEpochLinkRecord(bytes: Uint8Array, epoch: bigint): EpochLink {
  let l: EpochLink;
  try {
    l = decode<EpochLink>("EpochLinkMsg", bytes);
    withoutZeroEpoch(l.checkpoint as CheckpointCertificate & { epoch?: bigint });
  } catch (err) {
    throw corrupted(`epoch link ${epoch} does not decode`, { epoch: epoch.toString() }, err);
  }
  if (l.epoch !== epoch) throw corrupted(`epoch link stored at ${epoch} is for ${l.epoch}`, { epoch: epoch.toString() });
  return l;
}

export function decodeHeader(bytes: Uint8Array, height?: bigint): BlockHeader {
  let header: BlockHeader;
  try {
    header = decode<BlockHeader>("BlockHeader", bytes);
  } catch (err) {
    throw corrupted(`block header${height === undefined ? "" : ` ${height}`} does not decode`, { height: height?.toString() }, err);
  }
  if (height !== undefined && header.height !== height) {
    throw corrupted(`block header stored at height ${height} says height ${header.height}`, { height: height.toString() });
  }
  return header;
}

export class BlockRepository {
  /** @param committed answers "certainly not committed" from memory for most tx hashes (see tx-filter.ts) */
  constructor(
    private readonly db: Db,
    private readonly committed?: CommittedTxFilter,
  ) {}

  async headerBytes(height: bigint): Promise<Uint8Array | undefined> {
    const v = await this.db.get(blockKeys.header(height));
    return v && plain(v);
  }

  headerBytesSync(height: bigint): Uint8Array | undefined {
    const v = this.db.getSync(blockKeys.header(height));
    return v && plain(v);
  }

  async header(height: bigint): Promise<BlockHeader | undefined> {
    const bytes = await this.headerBytes(height);
    return bytes && decodeHeader(bytes, height);
  }

  async heightOf(blockHash: Uint8Array): Promise<bigint | undefined> {
    const v = await this.db.get(blockKeys.byHash(blockHash));
    if (!v) return undefined;
    if (v.length !== 8) throw corrupted("block-by-hash record has the wrong length");
    return readU64(v);
  }

  async txBytes(height: bigint, index: number): Promise<Uint8Array | undefined> {
    const v = await this.db.get(blockKeys.tx(height, index));
    return v && plain(v);
  }

  async receiptBytes(height: bigint, index: number): Promise<Uint8Array | undefined> {
    const v = await this.db.get(blockKeys.receipt(height, index));
    return v && plain(v);
  }

  /** Every SignedTx of a block, in order. */
  async txsOf(height: bigint): Promise<Uint8Array[]> {
    return this.valuesOf(blockKeys.txsOf(height).done(), height, "transaction");
  }

  /** Every encoded receipt of a block, in order. */
  async receiptsOf(height: bigint): Promise<Uint8Array[]> {
    return this.valuesOf(blockKeys.receiptsOf(height).done(), height, "receipt");
  }

  private async valuesOf(prefix: Uint8Array, height: bigint, what: string): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const [k, v] of this.db.iterator(prefixRange(prefix))) {
      const index = readU32(k, 9);
      if (index !== out.length) throw corrupted(`block ${height} is missing ${what} ${out.length}`, { height: height.toString(), index: out.length });
      out.push(plain(v));
    }
    return out;
  }

  /** The commit certificate stored with a block (absent if the block was committed without one). */
  async certificate(height: bigint): Promise<CommitCertificate | undefined> {
    const bytes = await this.certificateBytes(height);
    return bytes && decodeCertificateRecord(bytes, height);
  }

  async certificateBytes(height: bigint): Promise<Uint8Array | undefined> {
    const v = await this.db.get(blockKeys.certificate(height));
    return v && plain(v);
  }

  /**
   * The lowest checkpoint certificate with from <= seq <= to (the nearest one that certifies block
   * `from` through the headers between), or undefined.
   */
  async checkpointFrom(from: bigint, to: bigint): Promise<CheckpointCertificate | undefined> {
    if (to < from) return undefined;
    for await (const [k, v] of this.db.iterator({ gte: blockKeys.checkpoint(from), lte: blockKeys.checkpoint(to), limit: 1 })) {
      return decodeCheckpointRecord(plain(v), readU64(k, 1));
    }
    return undefined;
  }

  /** The epoch links stored (node/epochs.ts), ascending by epoch. */
  async epochLinks(): Promise<EpochLink[]> {
    const out: EpochLink[] = [];
    for await (const [k, v] of this.db.iterator(prefixRange(Uint8Array.of(Bucket.epochLink)))) out.push(decodeEpochLinkRecord(plain(v), readU64(k, 1)));
    return out;
  }

  /** The highest checkpoint certificate with seq <= `at`, or undefined. */
  async checkpointAtOrBelow(at: bigint): Promise<CheckpointCertificate | undefined> {
    for await (const [k, v] of this.db.iterator({ gte: blockKeys.checkpoint(0n), lte: blockKeys.checkpoint(at), reverse: true, limit: 1 })) {
      return decodeCheckpointRecord(plain(v), readU64(k, 1));
    }
    return undefined;
  }

  /** Where the transaction that took this hash was committed (see ledger takesTxHash). */
  async txLocation(hash: Uint8Array): Promise<TxLocation | undefined> {
    if (this.committed && !this.committed.mayContain(hash)) return undefined;
    const v = await this.db.get(blockKeys.txByHash(hash));
    return v && decodeTxLocation(v);
  }

  /** Which of these tx hashes (hex) were taken by earlier blocks. */
  async committedAmong(hashes: Uint8Array[]): Promise<boolean[]> {
    const out = hashes.map(() => false);
    const ask: number[] = [];
    hashes.forEach((h, i) => {
      if (!this.committed || this.committed.mayContain(h)) ask.push(i);
    });
    if (ask.length === 0) return out;
    const values = await this.db.getMany(ask.map((i) => blockKeys.txByHash(hashes[i]!)));
    values.forEach((v, j) => {
      out[ask[j]!] = v !== undefined;
    });
    return out;
  }

  committedSync(hash: Uint8Array): boolean {
    if (this.committed && !this.committed.mayContain(hash)) return false;
    return this.db.getSync(blockKeys.txByHash(hash)) !== undefined;
  }

  /** Copies of a transaction hash that did not take it (forged signature, wrong chain, replays). */
  async attempts(hash: Uint8Array, limit = 100): Promise<TxLocation[]> {
    const out: TxLocation[] = [];
    const prefix = key(Bucket.txAttempt).bytes(hash).done();
    for await (const k of this.db.keys({ ...prefixRange(prefix), limit })) {
      out.push({ height: readU64(k, 33), index: readU32(k, 41) });
    }
    return out;
  }
}

export { EMPTY, u64be };
