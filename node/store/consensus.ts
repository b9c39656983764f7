// Room for the consensus driver's durable records: the write-ahead record of what this node signed
// (so a restarted node never signs two different things for one slot), its view, checkpoints.
// Keys and values are the driver's own encoding; every write is synced to disk before it resolves,
// so "persist before send" holds once the promise settles.
import { Bucket } from "./buckets.js";
import { key } from "./encoding.js";
import { plain, prefixRange, type Db } from "./db.js";
import { StoreError } from "./errors.js";

export interface ConsensusRange {
  /** inclusive lower bound (a driver key, without the bucket byte) */
  gte?: Uint8Array;
  /** exclusive upper bound */
  lt?: Uint8Array;
  reverse?: boolean;
  limit?: number;
}

export type ConsensusOp = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

const MAX_KEY_BYTES = 1024;

export class ConsensusRecords {
  constructor(
    private readonly db: Db,
    private readonly usable: () => void,
    private readonly onWriteFailure: (err: unknown) => never,
  ) {}

  /** Durably stores one record (fsync before resolving). */
  async put(k: Uint8Array, value: Uint8Array): Promise<void> {
    await this.batch([{ type: "put", key: k, value }]);
  }

  async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    this.usable();
    const v = await this.db.get(fullKey(k));
    return v && plain(v);
  }

  async del(k: Uint8Array): Promise<void> {
    await this.batch([{ type: "del", key: k }]);
  }

  /** Applies puts and deletes atomically and durably. */
  async batch(ops: ConsensusOp[]): Promise<void> {
    this.usable();
    const b = this.db.batch();
    for (const op of ops) {
      if (op.type === "put") {
        if (!(op.value instanceof Uint8Array)) throw new StoreError("STORE_BAD_REQUEST", "consensus record values are bytes");
        b.put(fullKey(op.key), op.value);
      } else {
        b.del(fullKey(op.key));
      }
    }
    try {
      await b.write({ sync: true });
    } catch (err) {
      this.onWriteFailure(err);
    }
  }

  /** Records in key order (driver keys, without the bucket byte). */
  async *entries(range: ConsensusRange = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
    this.usable();
    const opts: { gte?: Uint8Array; lt?: Uint8Array; reverse?: boolean; limit?: number } = prefixRange(Uint8Array.of(Bucket.consensus));
    if (range.gte) opts.gte = fullKey(range.gte);
    if (range.lt) opts.lt = fullKey(range.lt);
    if (range.reverse) opts.reverse = true;
    if (range.limit !== undefined) opts.limit = range.limit;
    for await (const [k, v] of this.db.iterator(opts)) yield [plain(k).subarray(1), plain(v)];
  }
}

function fullKey(k: Uint8Array): Uint8Array {
  if (!(k instanceof Uint8Array) || k.length === 0 || k.length > MAX_KEY_BYTES) {
    throw new StoreError("STORE_BAD_REQUEST", `a consensus record key is 1..${MAX_KEY_BYTES} bytes`);
  }
  return key(Bucket.consensus).bytes(k).done();
}
