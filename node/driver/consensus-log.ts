// The consensus write-ahead log: the records the PBFT core asks to persist (what this replica
// signed or accepted), appended in order under increasing u64 keys in the store's consensus
// bucket, each append fsync'd before it resolves. Replaced wholesale by its compaction after
// stable checkpoints (consensus/records.ts compactRecords) so it does not grow without bound.
import type { PersistedRecord } from "../../consensus/types.js";
import type { ConsensusRecords } from "../store/consensus.js";
import { u64be } from "../../sdk/bytes.js";
import { decodeRecord, encodeRecord } from "../net/wire.js";
import { StoreError } from "../store/errors.js";

const PREFIX = 0x01; // record log; other driver keys may use other prefixes

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
    const ops: { type: "put" | "del"; key: Uint8Array; value?: Uint8Array }[] = [];
    for await (const [k] of this.records.entries({ gte: Uint8Array.of(PREFIX), lt: Uint8Array.of(PREFIX + 1) })) ops.push({ type: "del", key: Uint8Array.from(k) });
    for (const r of records) ops.push({ type: "put", key: recordKey(this.next++), value: encodeRecord(r) });
    await this.records.batch(ops.map((o) => (o.type === "put" ? { type: "put", key: o.key, value: o.value! } : { type: "del", key: o.key })));
  }
}
