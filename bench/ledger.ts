// `npm run bench:ledger`: single-node throughput of verify + apply + commit through the real block
// executor (node/chain/chain.ts) on LevelDB, with and without ed25519 signature verification, and the
// cost of the state commitment per block, on an empty ledger or one preloaded with receivables.
//
//   npm run bench:ledger -- [--blocks 20] [--txs 500] [--preload 0] [--depth 20] [--no-sync]
//                           [--warmup 3] [--settle 20] [--dir /tmp/x] [--keep]
//                           [--no-warrants] [--warrant-blocks 10] [--warrant-txs 400] [--rules 20]
//
// --rules N (default 20; 0: off) adds a lane that runs the same blocks on an empty ledger with N
// active supervision rules of every kind (docs/supervision.md), all ALERT, set in its first block,
// and prints the cost of rule evaluation per transaction against the empty ledger without rules.
// --blocks N measures N blocks with and N without signature verification, alternating. With
// --preload, an empty and a preloaded ledger run the same blocks alternately (after --settle
// unmeasured blocks that let LevelDB finish compacting the bulk load).
//
// Then the warrant mix (bench/warrants.ts, docs/warrants.md): receivable financing, warrant issue
// and a transfer with 4 outputs, measured the same way in the same run, and their cost ratio.
//
// Transactions are a realistic mix (register -> attest -> finance -> repay, ~5% fraud attempts),
// signed ahead of each block; only executeBlock is timed. Every receipt is checked against what
// the workload expected: a run that loses correctness fails.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { verifyTxSignature } from "../sdk/tx.js";
import { Chain, type BlockTimings, type ChainGenesis } from "../node/chain/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { Store } from "../node/store/store.js";
import { preloadReceivables } from "./preload.js";
import { benchWarrants } from "./warrants.js";
import { DAY_MS, WORKLOAD_CHAIN_ID, WORKLOAD_T0, Workload, makeParties, makeParty as makeWorkloadParty, type WorkloadParty } from "../test/fixtures/ledger-workload.js";
import { tx as build } from "../sdk/builders.js";
import { signTx, type Tx } from "../sdk/tx.js";
import type { SetRuleInput } from "../sdk/transactions/index.js";

const { values: args } = parseArgs({
  options: {
    blocks: { type: "string", default: "20" },
    txs: { type: "string", default: "500" },
    preload: { type: "string", default: "0" },
    depth: { type: "string", default: "20" },
    warmup: { type: "string", default: "3" },
    settle: { type: "string", default: "20" },
    "no-sync": { type: "boolean", default: false },
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
    "no-warrants": { type: "boolean", default: false },
    "warrant-blocks": { type: "string", default: "10" },
    "warrant-txs": { type: "string", default: "400" },
    rules: { type: "string", default: "20" },
  },
});

const BLOCKS = int(args.blocks, "blocks");
const TXS = int(args.txs, "txs");
const PRELOAD = int(args.preload, "preload");
const DEPTH = int(args.depth, "depth");
const WARMUP = int(args.warmup, "warmup");
const SETTLE = int(args.settle, "settle");
const SYNC = !args["no-sync"];
const RULES = int(args.rules, "rules");

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

/** `count` receivables bulk-loaded before the first block (bench/preload.ts), across the workload's parties. */
async function preload(store: Store, count: number): Promise<{ loadMs: number; compactMs: number; aggregateRecords: number }> {
  return preloadReceivables(store, count, {
    // the workload's 8 exporters and 1,992 more (their receivables only): a bank book of 2,000 exporters
    exporters: [...Array.from({ length: 8 }, (_, i) => `exporter-${i}`), ...Array.from({ length: 1992 }, (_, i) => `exporter-p${i}`)],
    banks: ["bank-0", "bank-1"],
    customs: "customs-cn",
    startTime: WORKLOAD_T0 - 400n * DAY_MS,
    progress: (done, ms) => process.stdout.write(`  generated ${done} receivables (${fmt(ms / 1000)} s)\n`),
  });
}

interface Lane {
  name: string;
  dir: string;
  store: Store;
  chain: Chain;
  /** per mode: "verified" / "unverified" */
  samples: Map<string, Sample[]>;
}

const MODES = ["with signature verification", "without signature verification"] as const;

async function openLane(name: string, dir: string, genesis: ChainGenesis, verifying: () => boolean): Promise<Lane> {
  const store = await Store.open(dir, { sync: SYNC, writeBufferBytes: 64 * 1024 * 1024 });
  const chain = await Chain.open(store, genesis, {
    crypto: nodeCrypto,
    // One switch serves both runs; with it on, every signature is really verified (no cache).
    verifySignature: (tx, pk) => !verifying() || verifyTxSignature(nodeCrypto, pk, tx),
  });
  if (store.height !== 0n) throw new Error(`${dir} already holds a chain; use a fresh --dir`);
  return { name, dir, store, chain, samples: new Map(MODES.map((m) => [m, []])) };
}

function summarize(lane: Lane, mode: string): { txPerSec: number; txPerCpuSec: number; stateRootMs: number } {
  const samples = lane.samples.get(mode)!;
  const txs = samples.reduce((a, s) => a + s.txs, 0);
  const wall = samples.reduce((a, s) => a + s.wallMs, 0);
  const cpu = samples.reduce((a, s) => a + s.cpuMs, 0);
  const col = (f: (t: BlockTimings) => number) => samples.map((s) => f(s.timings));
  const med = (xs: number[]) => percentile(xs, 50);
  const stateRoot = col((t) => t.stateRootMs);
  console.log(`\n${lane.name}, ${mode}:`);
  console.log(`  throughput     ${fmt(txs / (wall / 1000), 0)} tx/s (wall), ${fmt(txs / (cpu / 1000), 0)} tx/s per CPU-second; block p50 ${fmt(med(samples.map((s) => s.wallMs)))} ms, p95 ${fmt(percentile(samples.map((s) => s.wallMs), 95))} ms`);
  const p95 = (xs: number[]) => percentile(xs, 95);
  console.log(`  per block p50  prefetch ${fmt(med(col((t) => t.prefetchMs)))} ms | execute ${fmt(med(col((t) => t.executeMs)))} ms | state root ${fmt(med(stateRoot))} ms | indexes ${fmt(med(col((t) => t.indexMs)))} ms | write ${fmt(med(col((t) => t.writeMs)))} ms`);
  console.log(`  per block p95  prefetch ${fmt(p95(col((t) => t.prefetchMs)))} ms | execute ${fmt(p95(col((t) => t.executeMs)))} ms | state root ${fmt(p95(stateRoot))} ms | indexes ${fmt(p95(col((t) => t.indexMs)))} ms | write ${fmt(p95(col((t) => t.writeMs)))} ms`);
  console.log(`  state root     p50 ${fmt(med(stateRoot), 2)} ms, p95 ${fmt(percentile(stateRoot, 95), 2)} ms per ${TXS}-tx block = ${fmt((med(stateRoot) * 1000) / TXS)} us/tx`);
  return { txPerSec: txs / (wall / 1000), txPerCpuSec: txs / (cpu / 1000), stateRootMs: med(stateRoot) };
}

async function main(): Promise<void> {
  const base = args.dir ?? mkdtempSync(join(tmpdir(), "tradeledger-bench-"));
  mkdirSync(base, { recursive: true });
  console.log(`bench:ledger  blocks=${BLOCKS} txs/block=${TXS} preload=${PRELOAD} depth=${DEPTH} sync=${SYNC} dir=${base}`);
  const parties = makeParties(nodeCrypto);
  // The regulator of the rules lane (every lane has the same genesis, so they run the same blocks).
  const regulator = makeWorkloadParty(nodeCrypto, "regulator", "REGULATOR");
  const genesis: ChainGenesis = { chainId: WORKLOAD_CHAIN_ID, parties: [...parties.map((p) => p.party), regulator.party], stateTreeDepth: DEPTH };
  let verifyOn = true;
  // With --preload, an empty ledger and a preloaded one run the same blocks, alternating block by
  // block, so machine noise falls on both alike and their ratio is meaningful.
  const lanes = [await openLane("empty ledger", join(base, "empty"), genesis, () => verifyOn)];
  if (PRELOAD > 0) {
    const lane = await openLane(`${PRELOAD} receivables preloaded`, join(base, "preloaded"), genesis, () => verifyOn);
    const { loadMs, compactMs, aggregateRecords } = await preload(lane.store, PRELOAD);
    console.log(`preload: ${PRELOAD} receivables (${PRELOAD * 3} state records and ${aggregateRecords} lending aggregate records) in ${fmt(loadMs / 1000)} s (${fmt(PRELOAD / (loadMs / 1000), 0)} receivables/s), then LevelDB compaction ${fmt(compactMs / 1000)} s`);
    lanes.push(lane);
  }
  const rulesLane = RULES > 0 ? await openLane(`empty ledger, ${RULES} supervision rules`, join(base, "rules"), genesis, () => verifyOn) : undefined;
  if (rulesLane) lanes.push(rulesLane);
  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 7 });
  let time = WORKLOAD_T0;
  let height = 0n;
  let diverged = 0;
  let alertsRaised = 0;

  /** Runs n blocks on every lane; with `measure`, even blocks verify signatures and odd ones do not. */
  async function runBlocks(n: number, measure: boolean): Promise<void> {
    for (let i = 0; i < n; i++) {
      time += 1000n;
      height++;
      const mode = MODES[i % 2]!;
      verifyOn = !measure || mode === "with signature verification";
      const txs = workload.block(TXS, time);
      const order = Math.floor(i / 2) % 2 === 0 ? lanes : [...lanes].reverse();
      const codes = new Map<Lane, string>();
      for (const lane of order) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const result = await lane.chain.executeBlock({ height, time, proposer: "validator-0", view: 0n, txs });
        const wallMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        codes.set(lane, result.receipts.map((r) => r.code).join());
        if (lane === rulesLane && measure) alertsRaised += result.receipts.reduce((a, r) => a + (r.alerts?.length ?? 0), 0);
        if (lane === lanes[0]) workload.observe(txs, result.receipts);
        if (measure) lane.samples.get(mode)!.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, txs: txs.length, timings: result.timings });
      }
      if (new Set(codes.values()).size !== 1) diverged++;
    }
  }

  // Block 1: the rules lane's regulator sets its rules; the other lanes commit an empty block.
  time += 1000n;
  height++;
  for (const lane of lanes) {
    const txs = lane === rulesLane ? supervisionRules(RULES, regulator, time) : [];
    const result = await lane.chain.executeBlock({ height, time, proposer: "validator-0", view: 0n, txs });
    const refused = result.receipts.filter((r) => r.code !== "OK");
    if (refused.length > 0) throw new Error(`setting the bench's rules failed: ${refused.map((r) => `${r.code} ${r.message}`).join("; ")}`);
  }
  // Fill the pipeline (register -> attest -> finance -> repay), and after a bulk load let LevelDB
  // work off its compaction debt (a ledger grown block by block would have paid it all along).
  await runBlocks(Math.max(WARMUP, 4) + (PRELOAD > 0 ? SETTLE : 0), false);
  // Verified and unverified blocks alternate, so both modes see the same background.
  await runBlocks(2 * BLOCKS, true);
  const results: Record<string, { txPerSec: number; txPerCpuSec: number; stateRootMs: number }[]> = {};
  for (const mode of MODES) results[mode] = lanes.map((lane) => summarize(lane, mode));
  const w = workload.counts;
  console.log(`\nworkload: ${w.generated} txs, ${w.fraud} fraud attempts, receipts ${JSON.stringify(Object.fromEntries(w.byCode))}, unexpected ${w.unexpected}, lanes disagreeing on receipts in ${diverged} blocks`);
  for (const lane of lanes) {
    const stats = lane.store.state.stats;
    console.log(`state reads (${lane.name}): ${stats.prefetched} prefetched, ${stats.syncLoads} synchronous (missed by prefetch), ${stats.recordCacheHits} cache hits, ${stats.bucketsLoaded} buckets loaded`);
  }
  const ok = w.unexpected === 0 && diverged === 0;
  const v = results["with signature verification"]!;
  const u = results["without signature verification"]!;
  const ratio = PRELOAD > 0 ? `; preloaded/empty ${fmt(v[1]!.txPerSec / v[0]!.txPerSec, 2)} verified, ${fmt(u[1]!.txPerSec / u[0]!.txPerSec, 2)} unverified` : "";
  console.log(
    `\nbench:ledger: ${fmt(v[0]!.txPerSec, 0)} tx/s verified, ${fmt(u[0]!.txPerSec, 0)} tx/s unverified, state root ${fmt(v[0]!.stateRootMs, 1)} ms per ${TXS}-tx block (empty ledger, depth ${DEPTH})` +
      (PRELOAD > 0 ? `; with ${PRELOAD} preloaded: ${fmt(v[1]!.txPerSec, 0)} / ${fmt(u[1]!.txPerSec, 0)} tx/s, state root ${fmt(v[1]!.stateRootMs, 1)} ms${ratio}` : "") +
      (ok ? "" : "; CORRECTNESS FAILED"),
  );
  if (!ok) console.log(workload.mismatches.join("\n"));
  if (rulesLane) {
    // The cost of rule evaluation: the same blocks on an empty ledger with and without the rules.
    const perTx = (lane: Lane, mode: string, f: (s: Sample) => number) => {
      const xs = lane.samples.get(mode)!.map((x) => f(x) / x.txs);
      return (percentile(xs, 50) * 1000) as number;
    };
    // CPU time per transaction is the steadier measure on a shared machine; wall time is shown too.
    for (const mode of MODES) {
      const cpuWith = perTx(rulesLane, mode, (x) => x.cpuMs);
      const cpuWithout = perTx(lanes[0]!, mode, (x) => x.cpuMs);
      const wallWith = perTx(rulesLane, mode, (x) => x.wallMs);
      const wallWithout = perTx(lanes[0]!, mode, (x) => x.wallMs);
      const exWith = perTx(rulesLane, mode, (x) => x.timings.executeMs);
      const exWithout = perTx(lanes[0]!, mode, (x) => x.timings.executeMs);
      console.log(
        `supervision, ${mode}: CPU per tx (block p50) ${fmt(cpuWith)} us with ${RULES} rules vs ${fmt(cpuWithout)} us without (${fmt(cpuWith - cpuWithout)} us/tx, ${fmt(((cpuWith - cpuWithout) / cpuWithout) * 100)}%); wall ${fmt(wallWith)} vs ${fmt(wallWithout)} us/tx; execute ${fmt(exWith)} vs ${fmt(exWithout)} us/tx`,
      );
    }
    console.log(`supervision: ${alertsRaised} alerts raised in the measured blocks of the rules lane`);
  }
  for (const lane of lanes) {
    await lane.store.close();
    // Reopening runs the integrity checks and rebuilds the in-memory tree from the bucket hashes.
    const t0 = performance.now();
    const again = await Store.open(lane.dir);
    console.log(`reopen (${lane.name}): ${fmt(performance.now() - t0, 0)} ms, height ${again.height}, tree of ${2 ** DEPTH} buckets`);
    await again.close();
  }
  if (!args.dir && !args.keep) rmSync(base, { recursive: true, force: true });
  if (!ok) process.exitCode = 1;
  if (!args["no-warrants"]) {
    console.log("");
    await benchWarrants({ blocks: int(args["warrant-blocks"], "warrant-blocks"), txs: int(args["warrant-txs"], "warrant-txs"), sync: SYNC, ...(args.dir ? { dir: join(base, "warrants") } : {}), keep: args.keep });
  }
}

/**
 * `n` ALERT rules of every kind, signed by the regulator: each is evaluated for every transaction it
 * concerns, with thresholds like a supervisor's (most transactions pass; every financing of the
 * workload is within seconds of its registration, so the one VELOCITY rule alerts on each).
 */
function supervisionRules(n: number, regulator: WorkloadParty, time: bigint): Tx[] {
  const kinds: ((i: number) => SetRuleInput)[] = [
    (i) => ({ ruleId: `conc-${i}`, kind: "CONCENTRATION", params: { basisPoints: 9_000 + 100 * (i % 10), currency: "USD", amount: 100_000_000_00n } }),
    (i) => ({ ruleId: `large-${i}`, kind: "LARGE_EXPOSURE", params: { amount: BigInt(500_000_000_00 + 10_000_000_00 * (i % 10)), currency: "USD" } }),
    (i) => ({ ruleId: `mismatch-${i}`, kind: "VALUE_MISMATCH", params: { basisPoints: 100 * (1 + (i % 10)) } }),
    (i) => ({ ruleId: `burst-${i}`, kind: "REJECTION_BURST", params: { count: 5 + (i % 5), windowMinutes: 1 } }),
    (i) => ({ ruleId: `aged-${i}`, kind: "OVERDUE_AGE", params: { days: 30 + (i % 60) } }),
    (i) => ({ ruleId: `cycle-${i}`, kind: "CYCLE" }),
    (i) => ({ ruleId: `pledge-${i}`, kind: "PLEDGE_CONFLICT" }),
  ];
  const velocity = (i: number): SetRuleInput => ({ ruleId: `fast-${i}`, kind: "VELOCITY", params: { hours: 24 } });
  const rules = Array.from({ length: n }, (_, i) => (i === 0 ? velocity(i) : kinds[i % kinds.length]!(i)));
  return rules.map((rule, i) => {
    const payload = build.setRule(rule);
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(12, i);
    return signTx(nodeCrypto, { chainId: WORKLOAD_CHAIN_ID, signer: regulator.id, createdAt: time, nonce, payload }, regulator.seed);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
