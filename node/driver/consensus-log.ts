// The consensus write-ahead log: the records the PBFT core asks to persist (what this replica
// signed or accepted), appended in order under increasing u64 keys in the store's consensus
// bucket, each append fsync'd before it resolves. Replaced wholesale by its compaction after
// stable checkpoints (consensus/records.ts compactRecords) so it does not grow without bound.
import type { PersistedRecord } from "../../consensus/types.js";
import type { ConsensusOp, ConsensusRecords } from "../store/consensus.js";
import { u64be } from "../../sdk/bytes.js";
import { decodeEpochRecord, decodeFinishedEpoch, decodeRecord, encodeEpochRecord, encodeFinishedEpoch, encodeRecord, type EpochRecordWire, type FinishedEpochWire } from "../net/wire.js";
import { StoreError } from "../store/errors.js";

const PREFIX = 0x01; // record log; other driver keys may use other prefixes
/** the epoch this node runs (docs/governance.md §5): absent until the first switch (epoch 0, the genesis set) */
const EPOCH_KEY = Uint8Array.of(0x02);
/** 0x03 || u64 epoch: an epoch this node finished, with its final stable checkpoint's proof */
const FINISHED_PREFIX = 0x03;

function finishedKey(epoch: bigint): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = FINISHED_PREFIX;
  k.set(u64be(epoch), 1);
  return k;
}

function recordKey(n: bigint): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = PREFIX;
  k.set(u64be(n), 1);
  return k;
}

export class ConsensusLog {
  private next = 0n;

  private constructor(private readonly records: ConsensusRecords) {}

  /** Opens the log and returns it with every record, oldest first. */
  static async open(records: ConsensusRecords): Promise<{ log: ConsensusLog; records: PersistedRecord[] }> {
    const log = new ConsensusLog(records);
    const all = await log.readAll();
    return { log, records: all };
  }

  async readAll(): Promise<PersistedRecord[]> {
    const out: PersistedRecord[] = [];
    for await (const [k, v] of this.records.entries({ gte: Uint8Array.of(PREFIX), lt: Uint8Array.of(PREFIX + 1) })) {
      const n = new DataView(k.buffer, k.byteOffset + 1, 8).getBigUint64(0);
      if (n + 1n > this.next) this.next = n + 1n;
      try {
        out.push(decodeRecord(v));
      } catch (err) {
        throw new StoreError("STORE_CORRUPTED", `consensus record ${n} does not decode: ${(err as Error).message}`);
      }
    }
    return out;
  }

  /** Appends records durably (one fsync'd batch). */
  async append(records: PersistedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.records.batch(records.map((r) => ({ type: "put" as const, key: recordKey(this.next++), value: encodeRecord(r) })));
  }

  /** Atomically replaces the whole log (after compaction). */
  async replace(records: PersistedRecord[]): Promise<void> {
    const ops: ConsensusOp[] = [];
    for await (const [k] of this.records.entries({ gte: Uint8Array.of(PREFIX), lt: Uint8Array.of(PREFIX + 1) })) ops.push({ type: "del", key: Uint8Array.from(k) });
    for (const r of records) ops.push({ type: "put", key: recordKey(this.next++), value: encodeRecord(r) });
    await this.records.batch(ops);
  }

  /** The epoch this node runs (undefined: it never switched, epoch 0) and the epochs it finished, oldest first. */
  async readEpochs(): Promise<{ current: EpochRecordWire | undefined; finished: FinishedEpochWire[] }> {
    const decodeOr = <T>(what: string, f: () => T): T => {
      try {
        return f();
      } catch (err) {
        throw new StoreError("STORE_CORRUPTED", `consensus ${what} does not decode: ${(err as Error).message}`);
      }
    };
    const cur = await this.records.get(EPOCH_KEY);
    const finished: FinishedEpochWire[] = [];
    for await (const [, v] of this.records.entries({ gte: Uint8Array.of(FINISHED_PREFIX), lt: Uint8Array.of(FINISHED_PREFIX + 1) })) finished.push(decodeOr("finished-epoch record", () => decodeFinishedEpoch(v)));
    return { current: cur && decodeOr("epoch record", () => decodeEpochRecord(cur)), finished };
  }

  /**
   * The switch to `next`, in one atomic, fsync'd batch: the finished epoch's final proof (if this
   * node ran it), the new current epoch, and an empty record log (the records were the old epoch's).
   * A crash before it restarts the old epoch's replica, which ends the epoch again; after it, the
   * new epoch's replica with no records.
   */
  async switchEpoch(next: EpochRecordWire, finished?: FinishedEpochWire): Promise<void> {
    const ops: ConsensusOp[] = [];
    for await (const [k] of this.records.entries({ gte: Uint8Array.of(PREFIX), lt: Uint8Array.of(PREFIX + 1) })) ops.push({ type: "del", key: Uint8Array.from(k) });
    if (finished) ops.push({ type: "put", key: finishedKey(finished.epoch), value: encodeFinishedEpoch(finished) });
    ops.push({ type: "put", key: EPOCH_KEY, value: encodeEpochRecord(next) });
    await this.records.batch(ops);
  }
}
