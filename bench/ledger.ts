// `npm run bench:ledger`: single-node throughput of verify + apply + commit through the real block
// executor (node/chain.ts) on LevelDB, with and without ed25519 signature verification, and the
// cost of the state commitment per block, on an empty ledger or one preloaded with receivables.
//
//   npm run bench:ledger -- [--blocks 30] [--txs 500] [--preload 0] [--depth 18] [--no-sync]
//                           [--warmup 3] [--dir /tmp/x] [--keep]
//
// Transactions are a realistic mix (register -> attest -> finance -> repay, ~5% fraud attempts),
// signed ahead of each block; only executeBlock is timed. Every receipt is checked against what
// the workload expected: a run that loses correctness fails.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toHex, utf8 } from "../sdk/bytes.js";
import { verifyTxSignature } from "../sdk/tx.js";
import { encode } from "../sdk/codec.js";
import type { DocumentRecord, Receivable } from "../sdk/types.js";
import { Chain, type BlockTimings } from "../node/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { KEY } from "../node/ledger/state.js";
import { receivableIndexKeys } from "../node/store/indexes.js";
import { Store } from "../node/store/store.js";
import { DAY_MS, WORKLOAD_CHAIN_ID, WORKLOAD_T0, Workload, isoDate, makeParties, prng } from "../test/fixtures/ledger-workload.js";

const { values: args } = parseArgs({
  options: {
    blocks: { type: "string", default: "30" },
    txs: { type: "string", default: "500" },
    preload: { type: "string", default: "0" },
    depth: { type: "string", default: "18" },
    warmup: { type: "string", default: "3" },
    "no-sync": { type: "boolean", default: false },
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

const BLOCKS = int(args.blocks, "blocks");
const TXS = int(args.txs, "txs");
const PRELOAD = int(args.preload, "preload");
const DEPTH = int(args.depth, "depth");
const WARMUP = int(args.warmup, "warmup");
const SYNC = !args["no-sync"];

function int(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
  txs: number;
  timings: BlockTimings;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

const fmt = (n: number, d = 1) => n.toFixed(d);

/**
 * Writes `count` receivables (with their fingerprint and invoice records and their status and
 * due-date index entries) straight into the store before the first block, as a bulk load.
 */
async function preload(store: Store, count: number): Promise<{ loadMs: number; compactMs: number }> {
  const started = performance.now();
  const exporters = 8;
  const indexKeys: Uint8Array[] = [];
  // Distinct 32-byte values from a seeded generator: as unique as hashes, without their cost.
  const rand = prng(20261001);
  const bytes32 = (): Uint8Array => {
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    for (let j = 0; j < 32; j += 4) view.setUint32(j, Math.floor(rand() * 2 ** 32));
    return out;
  };
  function* records(): Generator<[string, Uint8Array]> {
    let time = WORKLOAD_T0 - 400n * DAY_MS;
    for (let i = 0; i < count; i++) {
      const id = toHex(bytes32());
      const documentHash = bytes32();
      const fingerprint = bytes32();
      time += 10n;
      const settled = i % 4 !== 0;
      const amount = BigInt(100_000 + (i % 1000) * 1000);
      const r: Receivable = {
        id,
        exporterId: `exporter-${i % exporters}`,
        buyerId: `buyer-${i % 97}`,
        amount,
        currency: i % 3 === 0 ? "EUR" : "USD",
        issueDate: isoDate(time),
        dueDate: isoDate(time + 90n * DAY_MS),
        documentHash,
        fingerprint,
        status: settled ? "SETTLED" : "FINANCED",
        declarationFingerprint: bytes32(),
        attestedBy: "customs-cn",
        financings: [{ id: toHex(bytes32()), bankId: `bank-${i % 2}`, amount, repaid: settled ? amount : 0n, financedAt: time }],
        registeredAt: time,
        updatedAt: time,
      };
      const doc: DocumentRecord = { documentHash, documentType: "INVOICE", anchoredBy: r.exporterId, receivableId: id, anchoredAt: time, txHash: bytes32() };
      yield [KEY.receivable(id), encode("Receivable", r)];
      yield [KEY.fingerprint(toHex(fingerprint)), utf8(id)];
      yield [KEY.document(toHex(documentHash)), encode("DocumentRecord", doc)];
      indexKeys.push(...receivableIndexKeys(id, { status: r.status, registeredAt: r.registeredAt, dueDate: r.dueDate, outstanding: r.financings.some((f) => f.amount > f.repaid) }));
      if (i % 200_000 === 199_999) process.stdout.write(`  generated ${i + 1} receivables (${fmt((performance.now() - started) / 1000)} s)\n`);
    }
  }
  await store.loadState(records());
  for (let i = 0; i < indexKeys.length; i += 50_000) {
    const batch = store.level.batch();
    for (const k of indexKeys.slice(i, i + 50_000)) batch.put(k, new Uint8Array(0));
    await batch.write();
  }
  const loadMs = performance.now() - started;
  // Let LevelDB finish the compactions a bulk load triggers, so blocks are measured against a
  // settled ledger rather than alongside background compaction.
  const c0 = performance.now();
  await (store.level as unknown as { compactRange(a: Uint8Array, b: Uint8Array): Promise<void> }).compactRange(Uint8Array.of(0), Uint8Array.of(0xff));
  return { loadMs, compactMs: performance.now() - c0 };
}

async function main(): Promise<void> {
  const dir = args.dir ?? mkdtempSync(join(tmpdir(), "tradeledger-bench-"));
  console.log(`bench:ledger  blocks=${BLOCKS} txs/block=${TXS} preload=${PRELOAD} depth=${DEPTH} sync=${SYNC} dir=${dir}`);
  const parties = makeParties(nodeCrypto);
  const genesis = { chainId: WORKLOAD_CHAIN_ID, parties: parties.map((p) => p.party), stateTreeDepth: DEPTH };
  const store = await Store.open(dir, { sync: SYNC });
  let verifyOn = true;
  const chain = await Chain.open(store, genesis, {
    crypto: nodeCrypto,
    // The switch lets one store serve both runs; with it on, every signature is really verified.
    verifySignature: (tx, pk) => !verifyOn || verifyTxSignature(nodeCrypto, pk, tx),
  });
  if (store.height !== 0n) throw new Error(`${dir} already holds a chain; use a fresh --dir`);
  if (PRELOAD > 0) {
    const { loadMs, compactMs } = await preload(store, PRELOAD);
    console.log(`preload: ${PRELOAD} receivables (${PRELOAD * 3} state records) in ${fmt(loadMs / 1000)} s (${fmt(PRELOAD / (loadMs / 1000), 0)} receivables/s), then LevelDB compaction ${fmt(compactMs / 1000)} s`);
  }
  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 7 });
  let time = WORKLOAD_T0;
  let height = 0n;

  async function runBlocks(n: number): Promise<Sample[]> {
    const samples: Sample[] = [];
    for (let i = 0; i < n; i++) {
      time += 1000n;
      const txs = workload.block(TXS, time);
      height++;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await chain.executeBlock({ height, time, proposer: "validator-0", view: 0n, txs });
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      workload.observe(txs, result.receipts);
      samples.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, txs: txs.length, timings: result.timings });
    }
    return samples;
  }

  // Fill the pipeline (register -> attest -> finance -> repay) before measuring.
  await runBlocks(Math.max(WARMUP, 4));
  const report: Record<string, unknown> = {};
  for (const mode of ["with signature verification", "without signature verification"] as const) {
    verifyOn = mode === "with signature verification";
    const samples = await runBlocks(BLOCKS);
    const txs = samples.reduce((a, s) => a + s.txs, 0);
    const wall = samples.reduce((a, s) => a + s.wallMs, 0);
    const cpu = samples.reduce((a, s) => a + s.cpuMs, 0);
    const col = (f: (t: BlockTimings) => number) => samples.map((s) => f(s.timings));
    const med = (xs: number[]) => percentile(xs, 50);
    const stateRoot = col((t) => t.stateRootMs);
    console.log(`\n${mode}:`);
    console.log(`  throughput     ${fmt(txs / (wall / 1000), 0)} tx/s (wall), ${fmt(txs / (cpu / 1000), 0)} tx/s per CPU-second; block p50 ${fmt(med(samples.map((s) => s.wallMs)))} ms, p95 ${fmt(percentile(samples.map((s) => s.wallMs), 95))} ms`);
    console.log(`  per block p50  prefetch ${fmt(med(col((t) => t.prefetchMs)))} ms | execute ${fmt(med(col((t) => t.executeMs)))} ms | state root ${fmt(med(stateRoot))} ms | indexes ${fmt(med(col((t) => t.indexMs)))} ms | write ${fmt(med(col((t) => t.writeMs)))} ms`);
    console.log(`  state root     p50 ${fmt(med(stateRoot), 2)} ms, p95 ${fmt(percentile(stateRoot, 95), 2)} ms per ${TXS}-tx block = ${fmt((med(stateRoot) * 1000) / TXS)} us/tx`);
    report[mode] = { txPerSec: txs / (wall / 1000), txPerCpuSec: txs / (cpu / 1000), stateRootMsP50: med(stateRoot) };
  }
  const w = workload.counts;
  console.log(`\nworkload: ${w.generated} txs, ${w.fraud} fraud attempts, receipts ${JSON.stringify(Object.fromEntries(w.byCode))}, unexpected ${w.unexpected}`);
  const stats = store.state.stats;
  console.log(`state reads: ${stats.prefetched} prefetched, ${stats.syncLoads} synchronous (missed by prefetch), ${stats.recordCacheHits} cache hits, ${stats.bucketsLoaded} buckets loaded`);
  const ok = w.unexpected === 0;
  const a = report["with signature verification"] as { txPerSec: number; stateRootMsP50: number };
  const b = report["without signature verification"] as { txPerSec: number };
  console.log(
    `\nbench:ledger: ${fmt(a.txPerSec, 0)} tx/s verified, ${fmt(b.txPerSec, 0)} tx/s unverified, state root ${fmt(a.stateRootMsP50, 1)} ms per ${TXS}-tx block, preload ${PRELOAD}, depth ${DEPTH}${ok ? "" : ", CORRECTNESS FAILED"}`,
  );
  if (!ok) console.log(workload.mismatches.join("\n"));
  await store.close();
  if (!args.dir && !args.keep) rmSync(dir, { recursive: true, force: true });
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
