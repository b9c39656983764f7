// `npm run bench`: the network benchmark (issue 6). A fresh network of validator processes
// (tools/cluster.ts: `tradeledger start` each, real libp2p, LevelDB with fsync'd commits), driven
// through the RPC by a load generator in a process of its own (bench/loadgen.ts) with a realistic
// mix of signed transactions (bench/deals.ts): register -> attest -> finance -> repay and ~5%
// fraudulent attempts, every answer checked against the code the ledger must give.
//
//   npm run bench -- [--duration 30] [--warmup 5] [--rate 100,300,1000] [--clients 256] [--validators 4]
//                    [--preload 0] [--phases closed,batch,open] [--batch-size 50] [--batch-body protobuf|json]
//                    [--peers] [--cpu-prof] [--keep] [--label text]
//
// Phases: an idle period (CPU and event-loop lag of idle nodes), a closed loop with `clients`
// concurrent submitters (committed tx/s at saturation), the same closed loop through the batch
// route (POST /v1/txs/batch: `clients / batch-size` submitters of `batch-size` transactions each, as
// many in flight; its figures are printed beside the single-transaction loop's), an open loop at each
// `rate` tx/s (submit-to-commit latency below and at saturation). Per phase: committed tx/s from the chain, blocks/s and
// txs per block, CPU per node and of the generator (/proc), CPU per committed transaction and per
// block, view changes, event-loop lag. `--peers` first runs etcd (3 members) and PostgreSQL (one
// server) on the same machine with the same load shapes (bench/peers/) and prints our figures as
// ratios to theirs. The machine's crypto ceiling is
// measured first, in the same run: node:crypto ed25519 verifications/s on one core x cores /
// validators, the rate at which every validator could verify every transaction once if it did
// nothing else. Writes bench/results/<time>.json and ends with the line
//   bench: <tx/s> tx/s committed, p99 <ms> ms at <rate> tx/s offered, <ratio> of crypto ceiling
import { fork } from "node:child_process";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { toHex } from "../sdk/bytes.js";
import { loadGenesis, loadKeyFile } from "../config/load.js";
import type { Genesis } from "../config/schema.js";
import { Chain } from "../node/chain/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { chainGenesisOf } from "../node/node.js";
import { Store } from "../node/store/store.js";
import { Cluster, procStats, sleep, type ProcStats } from "../tools/cluster.js";
import type { FinalReport, LoadConfig, PhaseMode, PhaseSpec, PhaseStats } from "./loadgen.js";
import { preloadReceivables } from "./preload.js";
import { ensureEtcd, runEtcd, type PeerRun } from "./peers/etcd.js";
import type { LoadSpec } from "./peers/load.js";
import { ensurePostgres, runPostgres } from "./peers/postgres.js";
import { ratioLine, type SystemFigures } from "./peers/report.js";
import { fitBlockAndTxCost, type BlockTxCost } from "./costs.js";

const HERE = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
    idle: { type: "string", default: "5" },
    rate: { type: "string", default: "100,300,1000" },
    clients: { type: "string", default: "256" },
    validators: { type: "string", default: "4" },
    preload: { type: "string", default: "0" },
    phases: { type: "string", default: "closed,batch,open" },
    "batch-size": { type: "string", default: "50" },
    "batch-body": { type: "string", default: "protobuf" },
    fraud: { type: "string", default: "0.05" },
    "presign-rate": { type: "string", default: "4000" },
    "request-timeout": { type: "string" },
    "batch-txs": { type: "string" },
    "batches-in-flight": { type: "string" },
    "log-level": { type: "string", default: "info" },
    "cpu-prof": { type: "boolean", default: false },
    "node-args": { type: "string", default: "" },
    "store-max-open-files": { type: "string" },
    "verify-workers": { type: "string" },
    keep: { type: "boolean", default: false },
    peers: { type: "boolean", default: false },
    "peer-pool": { type: "string", default: "64" },
    label: { type: "string", default: "" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  process.stdout.write(readHeader());
  process.exit(0);
}

function readHeader(): string {
  return "npm run bench -- [--duration s] [--warmup s] [--idle s] [--rate tx/s,tx/s,...] [--clients n] [--validators 4|7] [--preload n]\n" +
    "                   [--phases closed,batch,open] [--batch-size 50] [--batch-body protobuf|json] [--fraud 0.05] [--request-timeout ms] [--batch-txs n] [--batches-in-flight n] [--verify-workers n]\n" +
    "                   [--log-level info] [--cpu-prof] [--node-args='<node flags>'] [--store-max-open-files 74] [--keep] [--label text] [--out file.json]\n" +
    "                   [--peers] [--peer-pool 64]   (--peers: etcd and PostgreSQL first, same load shapes; ratios at the end)\n";
}

function num(v: string | undefined, name: string, opts: { int?: boolean; min?: number } = {}): number {
  const n = Number(v);
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || n < (opts.min ?? 0)) throw new Error(`--${name} must be a ${opts.int ? "non-negative integer" : "number"} >= ${opts.min ?? 0}`);
  return n;
}

const DURATION_MS = num(args.duration, "duration", { min: 1 }) * 1000;
const WARMUP_MS = num(args.warmup, "warmup") * 1000;
const IDLE_MS = num(args.idle, "idle") * 1000;
const RATES = args.rate!.split(",").filter(Boolean).map((r) => num(r, "rate", { min: 1 }));
if (RATES.length === 0) throw new Error("--rate needs at least one rate");
const CLIENTS = num(args.clients, "clients", { int: true, min: 1 });
const VALIDATORS = num(args.validators, "validators", { int: true });
if (VALIDATORS !== 4 && VALIDATORS !== 7) throw new Error("--validators must be 4 or 7");
const PRELOAD = num(args.preload, "preload", { int: true });
const PHASES = args.phases!.split(",").filter(Boolean) as PhaseMode[];
for (const p of PHASES) if (p !== "closed" && p !== "open" && p !== "batch") throw new Error(`unknown phase ${p} (closed, batch, open)`);
const BATCH_SIZE = num(args["batch-size"], "batch-size", { int: true, min: 1 });
const BATCH_BODY = args["batch-body"] as "protobuf" | "json";
if (BATCH_BODY !== "protobuf" && BATCH_BODY !== "json") throw new Error("--batch-body must be protobuf or json");
// As many transactions in flight as the single-transaction closed loop, in batches.
const BATCH_CLIENTS = Math.max(1, Math.ceil(CLIENTS / BATCH_SIZE));
const FRAUD = num(args.fraud, "fraud");
const PRESIGN_RATE = num(args["presign-rate"], "presign-rate");

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");
const log = (s: string) => process.stdout.write(`${s}\n`);

// ---- the crypto ceiling ---------------------------------------------------------------------------

/** ed25519 verifications per second on one core with node:crypto (a reused key object, ~300-byte messages). */
function measureVerifyRate(ms = 2000): number {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const message = Buffer.alloc(300, 7);
  const signature = sign(null, message, privateKey);
  for (let i = 0; i < 500; i++) verify(null, message, publicKey, signature); // warm up
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 200; i++) if (!verify(null, message, publicKey, signature)) throw new Error("verification failed");
    n += 200;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

// ---- observing nodes -----------------------------------------------------------------------------

interface Sample {
  at: number;
  proc: (ProcStats | undefined)[];
  /** undefined where the node did not answer in time */
  views: (bigint | undefined)[];
  metrics: Record<string, number>[];
}

/** Selected figures from a node's /metrics (Prometheus text). */
async function scrape(url: string): Promise<Record<string, number>> {
  const want = [
    "nodejs_eventloop_lag_p99_seconds",
    "nodejs_eventloop_lag_p50_seconds",
    "tradeledger_view_changes_total",
    "tradeledger_batches_cut_by_pace_total",
    "tradeledger_transactions_committed_total",
    "tradeledger_consensus_records_persisted_total",
    "tradeledger_consensus_persist_seconds_count",
    "tradeledger_consensus_persist_seconds_sum",
    "tradeledger_block_execution_seconds_sum",
    "tradeledger_block_execution_seconds_count",
    "tradeledger_commit_latency_seconds_sum",
    "tradeledger_commit_latency_seconds_count",
    "tradeledger_signature_cache_hits_total",
    "tradeledger_signature_cache_misses_total",
    "nodejs_heap_size_used_bytes",
    "nodejs_heap_size_total_bytes",
    "nodejs_external_memory_bytes",
  ];
  const out: Record<string, number> = {};
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    for (const line of text.split("\n")) {
      if (line.startsWith("#")) continue;
      const sp = line.lastIndexOf(" ");
      const name = line.slice(0, sp);
      if (want.includes(name)) out[name] = Number(line.slice(sp + 1));
      else if (name.startsWith("tradeledger_p2p_frames_dropped_total{")) out.p2pFramesDropped = (out.p2pFramesDropped ?? 0) + Number(line.slice(sp + 1));
      else if (name.startsWith('tradeledger_tx_rejections_total{code="DUPLICATE_TX"')) out.duplicateTx = Number(line.slice(sp + 1));
    }
  } catch {
    /* a node that does not answer has no figures */
  }
  return out;
}

async function sample(cluster: Cluster): Promise<Sample> {
  const at = performance.now();
  const proc = [...Array(cluster.size).keys()].map((i) => cluster.procStats(i));
  const statuses = await Promise.all([...Array(cluster.size).keys()].map((i) => cluster.status(i, 10_000)));
  const metrics = await Promise.all([...Array(cluster.size).keys()].map((i) => scrape(cluster.url(i))));
  return {
    at,
    proc,
    views: statuses.map((s) => (s?.view === undefined ? undefined : BigInt(s.view))),
    metrics,
  };
}

interface NodeFigures {
  id: string;
  cpuPercent: number;
  peakRssMiB: number;
  rssMiB: number;
  /** of the RSS: anonymous memory (V8 heap, LevelDB's caches and memtables, buffers) and mapped files (LevelDB's table files) */
  rssAnonMiB: number;
  rssFileMiB: number;
  /** V8 heap used and total, external (Buffers, ArrayBuffers) at the phase's end */
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  eventLoopLagP99Ms: number;
  viewChanges: number;
  /** batches this node cut as primary at its execution pace (below maxBatchTxs) */
  batchesCutByPace: number;
  persistBatches: number;
  persistMeanMs: number;
  blockExecMeanMs: number;
  p2pFramesDropped: number;
  /** transactions ordered a second time (DUPLICATE_TX receipts) */
  duplicateTx: number;
  sigCacheHitRate?: number;
  sigCacheMissesPerTx?: number;
}

function nodeFigures(cluster: Cluster, a: Sample, b: Sample): NodeFigures[] {
  const seconds = (b.at - a.at) / 1000;
  return [...Array(cluster.size).keys()].map((i) => {
    const pa = a.proc[i];
    const pb = b.proc[i];
    const ma = a.metrics[i]!;
    const mb = b.metrics[i]!;
    const d = (k: string) => (mb[k] ?? 0) - (ma[k] ?? 0);
    const hits = d("tradeledger_signature_cache_hits_total");
    const misses = d("tradeledger_signature_cache_misses_total");
    return {
      id: cluster.id(i),
      cpuPercent: pa && pb ? (100 * (pb.cpuSeconds - pa.cpuSeconds)) / seconds : NaN,
      peakRssMiB: (pb?.peakRssBytes ?? NaN) / 2 ** 20,
      rssMiB: (pb?.rssBytes ?? NaN) / 2 ** 20,
      rssAnonMiB: (pb?.rssAnonBytes ?? NaN) / 2 ** 20,
      rssFileMiB: (pb?.rssFileBytes ?? NaN) / 2 ** 20,
      heapUsedMiB: (mb.nodejs_heap_size_used_bytes ?? NaN) / 2 ** 20,
      heapTotalMiB: (mb.nodejs_heap_size_total_bytes ?? NaN) / 2 ** 20,
      externalMiB: (mb.nodejs_external_memory_bytes ?? NaN) / 2 ** 20,
      eventLoopLagP99Ms: (mb.nodejs_eventloop_lag_p99_seconds ?? NaN) * 1000,
      viewChanges: a.views[i] === undefined || b.views[i] === undefined ? NaN : Number(b.views[i]! - a.views[i]!),
      batchesCutByPace: d("tradeledger_batches_cut_by_pace_total"),
      persistBatches: d("tradeledger_consensus_persist_seconds_count"),
      persistMeanMs: (1000 * d("tradeledger_consensus_persist_seconds_sum")) / Math.max(1, d("tradeledger_consensus_persist_seconds_count")),
      blockExecMeanMs: (1000 * d("tradeledger_block_execution_seconds_sum")) / Math.max(1, d("tradeledger_block_execution_seconds_count")),
      p2pFramesDropped: d("p2pFramesDropped"),
      duplicateTx: d("duplicateTx"),
      ...(hits + misses > 0 ? { sigCacheHitRate: hits / (hits + misses) } : {}),
      ...(d("tradeledger_transactions_committed_total") > 0 ? { sigCacheMissesPerTx: misses / d("tradeledger_transactions_committed_total") } : {}),
    };
  });
}

interface BlockFigures {
  blocks: number;
  txs: number;
  blocksPerSecond: number;
  txPerSecond: number;
  txsPerBlock: { mean: number; p50: number; max: number };
  emptyBlocks: number;
}

/**
 * Blocks proposed inside the window [fromMs, toMs) (wall clock; block time is the primary's clock on
 * this machine), read from node 0 after the phase, when it answers again even if the load
 * swamped it: heights above `after` up to its head.
 */
async function blockFigures(cluster: Cluster, after: bigint, fromMs: number, toMs: number): Promise<BlockFigures & { head: bigint }> {
  const counts: number[] = [];
  const head = BigInt((await cluster.status(0, 30_000))?.height ?? after.toString());
  for (let h = after + 1n; h <= head; h++) {
    const res = await fetch(`${cluster.url(0)}/v1/blocks/${h}`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`block ${h}: HTTP ${res.status}`);
    const b = (await res.json()) as { header: { txCount: number; time: string } };
    const t = Number(b.header.time);
    if (t >= fromMs && t < toMs) counts.push(b.header.txCount);
  }
  const seconds = (toMs - fromMs) / 1000;
  const sorted = [...counts].sort((x, y) => x - y);
  const txs = counts.reduce((x, y) => x + y, 0);
  return {
    blocks: counts.length,
    txs,
    blocksPerSecond: counts.length / seconds,
    txPerSecond: txs / seconds,
    txsPerBlock: { mean: counts.length ? txs / counts.length : 0, p50: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
    emptyBlocks: counts.filter((c) => c === 0).length,
    head,
  };
}

// ---- preload ----------------------------------------------------------------------------------------

/**
 * Builds one preloaded store with the network's genesis and gives every validator a copy: LevelDB
 * never rewrites a table file (.ldb) once written, so those are hard-linked; the log, manifest and
 * CURRENT are copied.
 */
async function preload(cluster: Cluster, genesis: Genesis, n: number): Promise<Record<string, number>> {
  const dir = join(cluster.dir, "preload", "ledger");
  mkdirSync(dir, { recursive: true });
  const store = await Store.open(dir, { writeBufferBytes: 64 * 1024 * 1024 });
  await Chain.open(store, chainGenesisOf(genesis));
  const exporters = genesis.parties.filter((p) => p.role === "ENTERPRISE").map((p) => p.id);
  const banks = genesis.parties.filter((p) => p.role === "BANK").map((p) => p.id);
  const customs = genesis.parties.find((p) => p.role === "CUSTOMS")!.id;
  const r = await preloadReceivables(store, n, {
    exporters,
    banks,
    customs,
    startTime: BigInt(genesis.genesisTime) - 400n * 86_400_000n,
    progress: (done, ms) => log(`  preload: ${done} receivables in ${fmt(ms / 1000, 1)} s`),
  });
  await store.close();
  const t0 = performance.now();
  for (const node of cluster.net.nodes) {
    const target = join(node.dataDir, "ledger");
    mkdirSync(target, { recursive: true });
    for (const f of readdirSync(dir)) {
      if (f === "LOCK") continue;
      if (f.endsWith(".ldb") || f.endsWith(".sst")) linkSync(join(dir, f), join(target, f));
      else copyFileSync(join(dir, f), join(target, f));
    }
  }
  return { loadMs: r.loadMs, compactMs: r.compactMs, replicateMs: performance.now() - t0, records: r.records, indexEntries: r.indexEntries };
}

// ---- the load generator process -------------------------------------------------------------------

class LoadGenerator {
  private readonly child = fork(join(HERE, "loadgen.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  private readonly waiting = new Map<string, ((m: any) => void)[]>();

  constructor() {
    this.child.on("message", (m: { type: string; message?: string }) => {
      if (m.type === "error") {
        log(`load generator failed: ${m.message}`);
        process.exit(1);
      }
      const w = this.waiting.get(m.type)?.shift();
      if (w) w(m);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  next<T = any>(type: string): Promise<T> {
    return new Promise((resolve) => {
      const list = this.waiting.get(type) ?? [];
      list.push(resolve);
      this.waiting.set(type, list);
    });
  }

  send(m: unknown): void {
    this.child.send(m as never);
  }
}

// ---- main ---------------------------------------------------------------------------------------

interface PhaseResult {
  spec: PhaseSpec;
  window: PhaseStats;
  drained: PhaseStats;
  chain: BlockFigures;
  nodes: NodeFigures[];
  /** CPU time of all validator processes in the window per transaction committed in it */
  nodeCpuMsPerTx: number;
  /** CPU time of one validator (the mean over the validators) in the window per block committed in it */
  nodeCpuMsPerBlock: number;
  /** CPU time of one validator (the mean over the validators) in the window, ms */
  nodeCpuMs: number;
  windowSeconds: number;
  generator: { cpuPercent: number; peakRssMiB: number };
}

async function main(): Promise<void> {
  const started = new Date();
  const cores = availableParallelism();
  log(`bench: ${VALIDATORS} validators, ${cores} cores (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} at start`);

  const verifyPerCore = measureVerifyRate();
  const ceiling = (verifyPerCore * cores) / VALIDATORS;
  log(`crypto ceiling: ${fmt(verifyPerCore)} ed25519 verifications/s on one core x ${cores} cores / ${VALIDATORS} validators = ${fmt(ceiling)} tx/s`);

  // The peers run first, on the machine as it is right before our own phases.
  const peerRuns: PeerRun[] = [];
  if (args.peers) peerRuns.push(...(await runPeers()));

  const consensus: Partial<Genesis["consensus"]> = {};
  if (args["request-timeout"]) consensus.requestTimeoutMs = num(args["request-timeout"], "request-timeout", { int: true });
  if (args["batch-txs"]) consensus.maxBatchTxs = num(args["batch-txs"], "batch-txs", { int: true, min: 1 });
  if (args["batches-in-flight"]) consensus.maxBatchesInFlight = num(args["batches-in-flight"], "batches-in-flight", { int: true, min: 1 });
  const resultsDir = join(HERE, "..", "..", "bench", "results");
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  const profileDir = join(resultsDir, `profiles-${stamp}`);
  const cluster = await Cluster.create({
    validators: VALIDATORS as 4 | 7,
    consensus,
    // The generator is one client address submitting thousands of transactions a second.
    rpc: { rateLimitPerMinute: 100_000_000 },
    ...(args["store-max-open-files"] ? { store: { maxOpenFiles: num(args["store-max-open-files"], "store-max-open-files", { int: true, min: 74 }) } } : {}),
    // admission's signature checks on worker threads (config mempool.verifyWorkers)
    ...(args["verify-workers"] ? { mempool: { verifyWorkers: num(args["verify-workers"], "verify-workers", { int: true, min: 0 }) } } : {}),
    logLevel: args["log-level"] as "info",
    nodeArgs: [...(args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), ...args["node-args"]!.split(" ").filter(Boolean)],
  });
  const genesis = loadGenesis(cluster.net.genesisFile);
  log(`network: ${cluster.dir}; genesis consensus ${JSON.stringify(genesis.consensus)}`);

  let preloadFigures: Record<string, number> | undefined;
  if (PRELOAD > 0) {
    log(`preload: ${PRELOAD} receivables...`);
    preloadFigures = await preload(cluster, genesis, PRELOAD);
    log(`preload: ${PRELOAD} receivables (${preloadFigures.records} records, ${preloadFigures.indexEntries} index entries) in ${fmt(preloadFigures.loadMs / 1000, 1)} s, compaction ${fmt(preloadFigures.compactMs / 1000, 1)} s, copied to ${cluster.size} nodes in ${fmt(preloadFigures.replicateMs / 1000, 1)} s`);
  }

  // Interrupted (Ctrl-C, timeout): stop the validators rather than leave them running.
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the network`);
      void cluster.destroy().finally(() => process.exit(130));
    });
  }
  const t0 = performance.now();
  try {
    // a loaded machine starts a node in seconds, not the tests' 30 s
    await cluster.startAll(120_000);
    if (!(await cluster.converged({ timeoutMs: 120_000 }))) throw new Error("the network did not come up");
  } catch (err) {
    await cluster.destroy(); // never leave validator processes behind
    throw err;
  }
  log(`network up in ${fmt((performance.now() - t0) / 1000, 1)} s`);

  let exitCode = 0;
  const gen = new LoadGenerator();
  const phaseResults: PhaseResult[] = [];
  let idle: NodeFigures[] | undefined;
  let final: FinalReport | undefined;
  let converged = false;
  try {
    if (IDLE_MS > 0) {
      await sleep(1000);
      const a = await sample(cluster);
      await sleep(IDLE_MS);
      const b = await sample(cluster);
      idle = nodeFigures(cluster, a, b);
      log(`idle: CPU ${idle.map((n) => `${fmt(n.cpuPercent, 1)}%`).join(" ")}, event-loop lag p99 ${idle.map((n) => `${fmt(n.eventLoopLagP99Ms, 1)}`).join(" ")} ms`);
    }

    const parties = cluster.net.parties.map((p) => ({ id: p.id, role: p.role, seedHex: toHex(loadKeyFile(p.keyFile).seed) }));
    const config: LoadConfig = { urls: cluster.net.nodes.map((n) => n.rpcUrl), chainId: genesis.chainId, parties, fraudRate: FRAUD, waitMs: 60_000, runTag: stamp.slice(11, 19).replace(/-/g, ""), maxSocketsPerNode: Math.max(256, Math.ceil(CLIENTS / VALIDATORS)) };
    const ready = gen.next("ready");
    gen.send({ type: "init", config });
    await ready;

    let lastHeight = BigInt((await cluster.status(0, 30_000))?.height ?? "0");
    const runs = PHASES.flatMap((mode): { mode: PhaseMode; rate: number }[] => (mode !== "open" ? [{ mode, rate: 0 }] : RATES.map((rate) => ({ mode, rate }))));
    for (const { mode, rate } of runs) {
      // Open loop: a deal advances only as fast as its steps commit, so new deals fill the rest.
      const txRate = mode !== "open" ? PRESIGN_RATE : rate * 2;
      const spec: PhaseSpec = {
        name:
          mode === "closed"
            ? `closed loop, ${CLIENTS} clients`
            : mode === "batch"
              ? `batch closed loop, ${BATCH_CLIENTS} clients x ${BATCH_SIZE} transactions (POST /v1/txs/batch, ${BATCH_BODY})`
              : `open loop, ${rate} tx/s offered`,
        mode,
        clients: mode === "batch" ? BATCH_CLIENTS : CLIENTS,
        batchSize: BATCH_SIZE,
        batchBody: BATCH_BODY,
        rate,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
        presignDeals: Math.ceil((((WARMUP_MS + DURATION_MS) / 1000) * txRate) / 4.2),
      };
      const prepared = gen.next<{ deals: number; ms: number }>("prepared");
      gen.send({ type: "prepare", phase: spec });
      const p = await prepared;
      log(`\n${spec.name}: ${p.deals} deals signed ahead (${fmt(p.ms / 1000, 1)} s); ${WARMUP_MS / 1000} s warm-up, ${DURATION_MS / 1000} s measured`);
      const windowStart = gen.next("window-start");
      const windowEnd = gen.next<{ stats: PhaseStats }>("window-end");
      const drainedP = gen.next<{ stats: PhaseStats }>("drained");
      gen.send({ type: "run", phase: spec });
      await windowStart;
      const fromMs = Date.now();
      const a = await sample(cluster);
      const genA = procStats(gen.pid);
      const end = await windowEnd;
      const toMs = Date.now();
      const b = await sample(cluster);
      const genB = procStats(gen.pid);
      const drained = await drainedP;
      const seconds = (b.at - a.at) / 1000;
      const { head, ...chain } = await blockFigures(cluster, lastHeight, fromMs, toMs);
      lastHeight = head;
      const nodes = nodeFigures(cluster, a, b);
      const result: PhaseResult = {
        spec,
        window: end.stats,
        drained: drained.stats,
        chain,
        nodes,
        nodeCpuMsPerTx: (10 * nodes.reduce((x, n) => x + n.cpuPercent, 0) * seconds) / Math.max(1, chain.txs),
        nodeCpuMsPerBlock: (10 * nodes.reduce((x, n) => x + n.cpuPercent, 0) * seconds) / Math.max(1, chain.blocks) / nodes.length,
        nodeCpuMs: (10 * nodes.reduce((x, n) => x + n.cpuPercent, 0) * seconds) / nodes.length,
        windowSeconds: seconds,
        generator: { cpuPercent: genA && genB ? (100 * (genB.cpuSeconds - genA.cpuSeconds)) / seconds : NaN, peakRssMiB: (genB?.peakRssBytes ?? NaN) / 2 ** 20 },
      };
      phaseResults.push(result);
      report(result);
    }

    const finalP = gen.next<{ report: FinalReport }>("final");
    gen.send({ type: "finish" });
    final = (await finalP).report;
    converged = await cluster.converged({ timeoutMs: 60_000 });
  } finally {
    if (!args.keep) await cluster.destroy();
    else {
      await cluster.stopAll();
      log(`kept: ${cluster.dir}`);
    }
  }

  // ---- verdict ----
  const f = final!;
  log(`\ncorrectness: ${f.answered}/${f.submitted} answered; receipts by step ${JSON.stringify(f.codes)}`);
  log(`  unexpected codes ${f.unexpected} (legitimate refused ${f.legitimateRefused}, fraud not rejected ${f.fraudNotRejected}); answered without receipt ${JSON.stringify(f.noReceipt)} (found committed as expected later: ${f.recoveredLater}); deals built ${f.deals.built}, completed ${f.deals.completed}, dropped ${f.deals.dropped}; resubmitted after ECONNRESET ${f.retries}`);
  log(`  all nodes on one head at the end: ${converged}`);
  for (const m of f.mismatches) log(`  ! ${m}`);
  // Failing: a transaction a node may have admitted (202 pending, no answer, a reset after the request
  // went out) that never committed with its expected code. Not failing: one a node refused before
  // admission that never committed (load shed, counted), or one never sent (still queued in the
  // generator's agent when the run ended: load not offered; printed in each open phase as offered vs sent).
  log(`  answered without a receipt: ${f.recoveredLater} committed later as expected, ${f.shed} refused before admission and never committed (shed), ${f.lost} lost or unknown`);
  const correct = f.unexpected === 0 && f.lost === 0 && converged;
  if (!correct) exitCode = 1;

  // What a block and what a transaction cost a node, each on its own (bench/costs.ts).
  const idleMsPerSecond = idle ? (10 * idle.reduce((x, n) => x + n.cpuPercent, 0)) / idle.length : 0;
  // The fit takes one cost per transaction: the single-transaction phases only (a batch's is lower).
  const costs: BlockTxCost | undefined = fitBlockAndTxCost(
    phaseResults.filter((r) => r.spec.mode !== "batch").map((r) => ({ cpuMs: r.nodeCpuMs, blocks: r.chain.blocks, txs: r.chain.txs, seconds: r.windowSeconds })),
    idleMsPerSecond,
  );
  if (costs) log(`\ncost per node (fit over ${costs.phases} phases, idle ${fmt(idleMsPerSecond, 1)} ms/s taken out): ${fmt(costs.perBlockMs, 2)} ms per block + ${fmt(costs.perTxMs, 3)} ms per transaction`);
  const closed = phaseResults.find((r) => r.spec.mode === "closed");
  const batch = phaseResults.find((r) => r.spec.mode === "batch");
  const opens = phaseResults.filter((r) => r.spec.mode === "open");
  if (batch) {
    // The batch route beside the single-transaction closed loop, same run, same transactions in flight.
    log(`\nbatch vs single (closed loop, ${BATCH_CLIENTS} x ${BATCH_SIZE} vs ${CLIENTS} in flight, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}):`);
    const row = (r: PhaseResult | undefined, what: string) =>
      r
        ? `  ${what.padEnd(7)} ${fmt(r.chain.txPerSecond).padStart(6)} tx/s committed; node CPU ${fmt(r.nodeCpuMsPerTx, 2)} ms/tx summed over ${r.nodes.length} nodes (${fmt(r.nodeCpuMsPerTx / r.nodes.length, 3)} per node); ${fmt(r.chain.txsPerBlock.mean, 1)} txs/block; submit-to-commit p50/p99 ${fmt(lat(r).p50, 1)}/${fmt(lat(r).p99, 1)} ms`
        : `  ${what.padEnd(7)} (not run)`;
    log(row(closed, "single"));
    log(row(batch, "batch"));
  }
  const lowest = opens[0];
  const tps = closed?.chain.txPerSecond ?? NaN;
  const line =
    `bench: ${fmt(tps)} tx/s committed (closed loop), ${fmt(tps / ceiling, 2)} of crypto ceiling` +
    (batch ? `; batch ${fmt(batch.chain.txPerSecond)} tx/s, ${fmt(batch.nodeCpuMsPerTx, 2)} ms/tx CPU (single ${fmt(closed?.nodeCpuMsPerTx ?? NaN, 2)})` : "") +
    opens.map((r) => `; p50/p99 ${fmt(lat(r).p50, 1)}/${fmt(lat(r).p99, 1)} ms at ${r.spec.rate} tx/s`).join("") +
    (lowest ? `; node CPU ${fmt(lowest.nodeCpuMsPerTx, 2)} ms/tx (${lowest.nodes.length} nodes), ${fmt(lowest.nodeCpuMsPerBlock, 2)} ms/block/node at ${lowest.spec.rate} tx/s` : "") +
    (costs ? `; fit ${fmt(costs.perBlockMs, 2)} ms/block + ${fmt(costs.perTxMs, 3)} ms/tx per node` : "") +
    (PRELOAD > 0 ? ` (preload ${PRELOAD})` : "") +
    (correct ? "" : " - CORRECTNESS FAILED");

  const peerLines = peerRuns.map((p) => ratioLine(ourFigures(phaseResults), peerFigures(p)));
  if (peerRuns.length > 0) {
    log("\nours / theirs, same machine, same run (throughput below 1: we commit fewer per second; latency and CPU above 1: we take longer, burn more):");
    for (const p of peerRuns) log(`  ${p.system} ${p.version} (${p.setup}): check ${p.check.ok ? "ok" : "FAILED"}, ${p.check.detail}`);
  }
  const out = {
    bench: "network",
    label: args.label,
    startedAt: started.toISOString(),
    machine: { cores, cpu: cpus()[0]?.model, loadAverageAtEnd: loadavg(), node: process.version },
    options: { duration: DURATION_MS / 1000, warmup: WARMUP_MS / 1000, rates: RATES, clients: CLIENTS, validators: VALIDATORS, preload: PRELOAD, fraud: FRAUD, phases: PHASES, batchSize: BATCH_SIZE, batchBody: BATCH_BODY, batchClients: BATCH_CLIENTS },
    genesisConsensus: genesis.consensus,
    cryptoCeiling: { verifyPerCore, cores, validators: VALIDATORS, txPerSecond: ceiling },
    preload: preloadFigures,
    idle,
    phases: phaseResults,
    correctness: { ...f, converged, correct },
    line,
    profiles: args["cpu-prof"] ? profileDir : undefined,
    costs: costs ? { ...costs, idleCpuMsPerSecond: idleMsPerSecond } : undefined,
    peers: peerRuns.length > 0 ? { runs: peerRuns, ratios: peerLines } : undefined,
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = args.out ?? join(resultsDir, `${stamp}${PRELOAD > 0 ? `-preload${PRELOAD}` : ""}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2));
  log(`\nresult: ${file}${args["cpu-prof"] ? `\nprofiles: ${profileDir}` : ""}`);
  for (const l of peerLines) log(`bench ${l}`);
  log(line);
  if (peerRuns.some((p) => !p.check.ok)) exitCode = 1;
  process.exitCode = exitCode;
}

// ---- the peers (bench/peers/) ----------------------------------------------------------------------

/** The load shapes of our phases, for the peers: the closed loop with as many clients, the open loop at each rate. */
function peerSpecs(): LoadSpec[] {
  // The peers have no batch route: the batch phase is ours alone.
  return PHASES.flatMap((mode): LoadSpec[] =>
    mode === "closed"
      ? [{ mode, clients: CLIENTS, rate: 0, warmupMs: WARMUP_MS, durationMs: DURATION_MS }]
      : mode === "open"
        ? RATES.map((rate) => ({ mode, clients: 0, rate, warmupMs: WARMUP_MS, durationMs: DURATION_MS }))
        : [],
  );
}

async function runPeers(): Promise<PeerRun[]> {
  ensureEtcd(log);
  ensurePostgres(log);
  const dir = mkdtempSync(join(tmpdir(), "tl-peers-"));
  const specs = peerSpecs();
  const pool = num(args["peer-pool"], "peer-pool", { int: true, min: 1 });
  try {
    log(`\npeers (${dir}), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}:`);
    const etcd = await runEtcd({ dir, specs, log });
    log(`  etcd check: ${etcd.check.ok ? "ok" : "FAILED"}, ${etcd.check.detail}`);
    const postgres = await runPostgres({ dir, specs, poolSize: pool, fraudRate: FRAUD, log });
    log(`  postgres check: ${postgres.check.ok ? "ok" : "FAILED"}, ${postgres.check.detail}`);
    return [etcd, postgres];
  } finally {
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function peerFigures(p: PeerRun): SystemFigures {
  const out: SystemFigures = { system: p.system, open: {} };
  for (const ph of p.phases) {
    const f = { perSecond: ph.load.perSecond, p50Ms: ph.load.latencyMs.p50, p99Ms: ph.load.latencyMs.p99, cpuMsPerOp: ph.cpuMsPerOp };
    if (ph.load.mode === "closed") out.closed = f;
    else out.open[ph.load.shape] = f;
  }
  return out;
}

/** A phase's latency percentiles; NaN ("-") when no transaction of the window was answered in it. */
function lat(r: PhaseResult): { p50: number; p99: number } {
  const l = r.window.latencyMs;
  return l.count > 0 ? { p50: l.p50, p99: l.p99 } : { p50: NaN, p99: NaN };
}

function ourFigures(results: PhaseResult[]): SystemFigures {
  const out: SystemFigures = { system: "tradeledger", open: {} };
  for (const r of results) {
    const f = { perSecond: r.chain.txPerSecond, p50Ms: lat(r).p50, p99Ms: lat(r).p99, cpuMsPerOp: r.chain.txs > 0 ? r.nodeCpuMsPerTx : NaN };
    if (r.spec.mode === "closed") out.closed = f;
    else if (r.spec.mode === "open") out.open[r.spec.rate] = f;
  }
  return out;
}

function report(r: PhaseResult): void {
  const w = r.window;
  const c = r.chain;
  log(`  committed ${fmt(c.txPerSecond)} tx/s (chain: ${c.txs} txs in ${c.blocks} blocks, ${fmt(c.blocksPerSecond, 1)} blocks/s, txs/block mean ${fmt(c.txsPerBlock.mean, 1)} p50 ${c.txsPerBlock.p50} max ${c.txsPerBlock.max}, ${c.emptyBlocks} empty); answered ${fmt(w.committed / (w.windowMs / 1000))} tx/s`);
  log(`  node CPU ${fmt(r.nodeCpuMsPerTx, 2)} ms per committed tx (all ${r.nodes.length} nodes; ${fmt(r.nodes.reduce((a, n) => a + n.cpuPercent, 0), 0)}% of one core in total), ${fmt(r.nodeCpuMsPerBlock, 2)} ms per block per node`);
  if (r.spec.mode === "open") log(`  offered ${fmt(w.offered / (w.windowMs / 1000))} tx/s; send lag p99 ${fmt(w.sendLagP99Ms, 1)} ms`);
  log(`  submit-to-commit latency p50 ${fmt(w.latencyMs.p50, 1)} ms, p95 ${fmt(w.latencyMs.p95, 1)} ms, p99 ${fmt(w.latencyMs.p99, 1)} ms, max ${fmt(w.latencyMs.max, 1)} ms (${w.latencyMs.count} txs)`);
  for (const n of r.nodes) {
    log(
      `  ${n.id.padEnd(16)} CPU ${fmt(n.cpuPercent, 1).padStart(5)}%  RSS ${fmt(n.rssMiB)} MiB (peak ${fmt(n.peakRssMiB)}; anon ${fmt(n.rssAnonMiB)}, files ${fmt(n.rssFileMiB)}; heap ${fmt(n.heapUsedMiB)}/${fmt(n.heapTotalMiB)}, external ${fmt(n.externalMiB)})  loop lag p99 ${fmt(n.eventLoopLagP99Ms, 1)} ms  view changes ${n.viewChanges}  paced batches ${n.batchesCutByPace}  fsync batches ${n.persistBatches} (${fmt(n.persistMeanMs, 1)} ms)  block exec ${fmt(n.blockExecMeanMs, 1)} ms` +
        (n.sigCacheHitRate !== undefined ? `  sigcache hits ${fmt(100 * n.sigCacheHitRate, 1)}% (${fmt(n.sigCacheMissesPerTx ?? NaN, 2)} verifications/tx)` : "") +
        (n.duplicateTx ? `  DUPLICATE_TX ${n.duplicateTx}` : "") +
        (n.p2pFramesDropped ? `  p2p dropped ${n.p2pFramesDropped}` : ""),
    );
  }
  log(`  generator: CPU ${fmt(r.generator.cpuPercent, 1)}% (peak RSS ${fmt(r.generator.peakRssMiB)} MiB), event-loop lag p99 ${fmt(w.generatorEventLoopP99Ms, 1)} ms, deals signed during the run ${w.dealsSignedDuringRun}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
