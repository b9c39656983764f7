// Bulk-loads a ledger with receivables before a benchmark measures anything (bench --preload N),
// through the store's bulk loader (Store.loadState, docs/storage.md §2): N receivables with their
// fingerprint and invoice records, their status and due-date index entries, the lending aggregates
// they sum to (bank books, credit facts: node/ledger/aggregates.ts), then one LevelDB
// compaction so the measurement meets a settled store rather than a compaction backlog.
// Three quarters of the receivables are settled, a quarter financed and outstanding, across
// banks, exporters and currencies; ids, hashes and fingerprints are random (unique as hashes are).
import { randomBytes } from "node:crypto";
import { toHex } from "../sdk/bytes.js";
import { encode } from "../sdk/codec.js";
import type { DocumentRecord, Receivable } from "../sdk/types.js";
import { KEY } from "../node/ledger/state.js";
import { receivableIndexKeys } from "../node/store/indexes.js";
import { AggregateBuilder } from "../node/ledger/aggregates.js";
import type { Store } from "../node/store/store.js";

export interface PreloadOptions {
  /** exporter ids to spread receivables over */
  exporters: string[];
  banks: string[];
  customs: string;
  /** ms since the epoch of the first receivable's registration */
  startTime: bigint;
  /** progress callback every 200,000 receivables */
  progress?: (done: number, ms: number) => void;
}

export interface PreloadResult {
  loadMs: number;
  compactMs: number;
  records: number;
  /** of which lending aggregate records (node/ledger/aggregates.ts) */
  aggregateRecords: number;
  indexEntries: number;
}

const DAY_MS = 86_400_000n;

/** Random 32-byte values (ids, hashes, fingerprints: as unique as hashes), drawn from the OS in bulk. */
function random32(batch = 8192): () => Uint8Array {
  let pool = new Uint8Array(0);
  let at = 0;
  return () => {
    if (at + 32 > pool.length) {
      pool = randomBytes(32 * batch);
      at = 0;
    }
    at += 32;
    return pool.subarray(at - 32, at);
  };
}

/** ISO dates (YYYY-MM-DD) of ms timestamps, memoised per day. */
function isoDateCached(): (ms: bigint) => string {
  const dates = new Map<bigint, string>();
  return (ms) => {
    let d = dates.get(ms / DAY_MS);
    if (d === undefined) dates.set(ms / DAY_MS, (d = new Date(Number(ms)).toISOString().slice(0, 10)));
    return d;
  };
}

/** A receivable record of a benchmark: the given fields, the rest as a plain registered sale leaves them. */
export function benchReceivable(
  f: Pick<Receivable, "id" | "exporterId" | "buyerId" | "amount" | "currency" | "issueDate" | "dueDate" | "documentHash" | "fingerprint" | "status" | "declarationFingerprint" | "attestedBy" | "financings" | "registeredAt" | "updatedAt">,
): Receivable {
  return {
    buyerPartyId: "",
    warrantPieceId: "",
    acknowledgedAmount: 0n,
    acknowledgedDueDate: "",
    acknowledgedAt: 0n,
    disputed: false,
    disputeReason: "",
    disputedSince: 0n,
    payeeBankId: "",
    payeeAccountHash: new Uint8Array(0),
    payeeNotifiedAt: 0n,
    extensionBankId: "",
    extensionDueDate: "",
    extensionProposedAt: 0n,
    extensions: 0,
    ...f,
  };
}

export async function preloadReceivables(store: Store, count: number, opts: PreloadOptions): Promise<PreloadResult> {
  const started = performance.now();
  const bytes32 = random32();
  const date = isoDateCached();
  let indexBatch = store.level.batch();
  let indexEntries = 0;
  let indexWrite: Promise<void> = Promise.resolve();
  const empty = new Uint8Array(0);
  // The lending aggregates (bank books, exporters' credit facts; what supervision reads too) are a
  // function of the receivables: summed as they are generated, written after the last one.
  const aggregates = new AggregateBuilder();
  let aggregateRecords = 0;
  function* records(): Generator<[string, Uint8Array]> {
    let time = opts.startTime;
    for (let i = 0; i < count; i++) {
      const id = toHex(bytes32());
      const documentHash = bytes32();
      const fingerprint = bytes32();
      time += 10n;
      const settled = i % 4 !== 0;
      const amount = BigInt(100_000 + (i % 1000) * 1000);
      const r = benchReceivable({
        id,
        exporterId: opts.exporters[i % opts.exporters.length]!,
        buyerId: `buyer-${i % 97}`,
        amount,
        currency: i % 3 === 0 ? "EUR" : "USD",
        issueDate: date(time),
        dueDate: date(time + 90n * DAY_MS),
        documentHash,
        fingerprint,
        status: settled ? "SETTLED" : "FINANCED",
        declarationFingerprint: bytes32(),
        attestedBy: opts.customs,
        financings: [{ id: toHex(bytes32()), bankId: opts.banks[i % opts.banks.length]!, amount, repaid: settled ? amount : 0n, financedAt: time, writtenOff: 0n, writtenOffAt: 0n }],
        registeredAt: time,
        updatedAt: time,
      });
      const doc: DocumentRecord = { documentHash, documentType: "INVOICE", anchoredBy: r.exporterId, receivableId: id, anchoredAt: time, txHash: bytes32() };
      aggregates.add(r);
      yield [KEY.receivable(id), encode("Receivable", r)];
      yield [KEY.fingerprint(toHex(fingerprint)), Buffer.from(id, "utf8")];
      yield [KEY.document(toHex(documentHash)), encode("DocumentRecord", doc)];
      for (const k of receivableIndexKeys(id, { status: r.status, registeredAt: r.registeredAt, dueDate: r.dueDate, outstanding: !settled })) {
        indexBatch.put(k, empty);
        indexEntries++;
      }
      if (indexBatch.length >= 50_000) {
        // Index entries are not in the state tree: written alongside, one batch in flight.
        const full = indexBatch;
        indexBatch = store.level.batch();
        indexWrite = indexWrite.then(() => full.write());
      }
      if (i % 200_000 === 199_999) opts.progress?.(i + 1, performance.now() - started);
    }
    for (const record of aggregates.records()) {
      aggregateRecords++;
      yield record;
    }
  }
  await store.loadState(records());
  await indexWrite;
  await indexBatch.write();
  const loadMs = performance.now() - started;
  const c0 = performance.now();
  await (store.level as unknown as { compactRange(a: Uint8Array, b: Uint8Array): Promise<void> }).compactRange(Uint8Array.of(0), Uint8Array.of(0xff));
  return { loadMs, compactMs: performance.now() - c0, records: 3 * count + aggregateRecords, aggregateRecords, indexEntries };
}
