// `npm run bench:memory`: what a node's store and executor hold in memory at a given ledger size,
// and what a transaction costs there (docs/performance.md "Memory at scale").
//
//   npm run bench:memory -- [--preload 1000000] [--blocks 60] [--txs 200] [--dir /tmp/x]
//                           [--cache-bytes n] [--write-buffer-bytes n] [--max-open-files n]
//                           [--record-cache-bytes n] [--bucket-cache-bytes n] [--depth 20]
//
// Builds (once per size and depth; kept in --dir and reused) a store of N preloaded receivables
// (bench/preload.ts), copies it (table files hard-linked, as the network bench does) and then, in a
// fresh process, opens it as a node does (Store.open: integrity checks and the state tree rebuilt
// from the stored bucket hashes; Chain.open) and commits `blocks` blocks of the ledger workload
// (register -> attest -> finance -> repay, ~5% fraud; every receipt checked). It prints the
// process's memory after open and after the blocks, split into V8 heap, external buffers (the
// state tree, the committed-transaction filter), anonymous pages outside them (LevelDB's block
// cache and memtables, malloc) and mapped table files (LevelDB reads its .ldb files through mmap),
// with the store's own figures (caches, LevelDB's approximate memory usage, open table files),
// and the CPU per transaction of executeBlock (execute + commit, signatures not verified).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Chain, type ChainGenesis } from "../node/chain/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { Store, type StoreOptions } from "../node/store/store.js";
import { preloadReceivables } from "./preload.js";
import { DAY_MS, WORKLOAD_CHAIN_ID, WORKLOAD_T0, Workload, makeParties } from "../test/fixtures/ledger-workload.js";

const { values: args } = parseArgs({
  options: {
    preload: { type: "string", default: "1000000" },
    blocks: { type: "string", default: "60" },
    txs: { type: "string", default: "200" },
    depth: { type: "string", default: "20" },
    dir: { type: "string" },
    "cache-bytes": { type: "string" },
    "write-buffer-bytes": { type: "string" },
    "max-open-files": { type: "string" },
    "record-cache-bytes": { type: "string" },
    "record-cache-entries": { type: "string" },
    "bucket-cache-bytes": { type: "string" },
    label: { type: "string", default: "" },
    measure: { type: "string" }, // internal: the child process measures the store at this path
  },
});

const int = (v: string | undefined, name: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
};
const PRELOAD = int(args.preload, "preload");
const BLOCKS = int(args.blocks, "blocks");
const TXS = int(args.txs, "txs");
const DEPTH = int(args.depth, "depth");
const MiB = 2 ** 20;
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");

function storeOptions(): StoreOptions {
  const o: StoreOptions = {};
  if (args["cache-bytes"] !== undefined) o.cacheBytes = int(args["cache-bytes"], "cache-bytes");
  if (args["write-buffer-bytes"] !== undefined) o.writeBufferBytes = int(args["write-buffer-bytes"], "write-buffer-bytes");
  if (args["max-open-files"] !== undefined) o.maxOpenFiles = int(args["max-open-files"], "max-open-files");
  if (args["record-cache-bytes"] !== undefined) o.recordCacheBytes = int(args["record-cache-bytes"], "record-cache-bytes");
  if (args["record-cache-entries"] !== undefined) o.recordCacheEntries = int(args["record-cache-entries"], "record-cache-entries");
  if (args["bucket-cache-bytes"] !== undefined) o.bucketCacheBytes = int(args["bucket-cache-bytes"], "bucket-cache-bytes");
  return o;
}

const parties = makeParties(nodeCrypto);
const genesis: ChainGenesis = { chainId: WORKLOAD_CHAIN_ID, parties: parties.map((p) => p.party), stateTreeDepth: DEPTH };

/** /proc/self/status figures, MiB. */
function proc(): { rss: number; hwm: number; anon: number; file: number } {
  const status = execFileSync("cat", [`/proc/${process.pid}/status`], { encoding: "utf8" });
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM"), anon: kb("RssAnon"), file: kb("RssFile") };
}

function gc(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

function report(what: string, store: Store): Record<string, number> {
  gc();
  const m = process.memoryUsage();
  const p = proc();
  const s = typeof store.memory === "function" ? store.memory() : { treeBytes: NaN, txFilterBytes: NaN, recordCacheBytes: NaN, recordCacheEntries: store.state.cacheSizes.records, bucketCacheBytes: store.state.cacheSizes.bucketBytes, leveldbBytes: NaN, tableFiles: NaN };
  const row = {
    rss: p.rss,
    peak: p.hwm,
    anon: p.anon,
    files: p.file,
    heapUsed: m.heapUsed / MiB,
    heapTotal: m.heapTotal / MiB,
    external: m.external / MiB,
    anonOutsideV8: p.anon - m.heapTotal / MiB - m.external / MiB,
    tree: s.treeBytes / MiB,
    txFilter: s.txFilterBytes / MiB,
    recordCache: s.recordCacheBytes / MiB,
    recordCacheEntries: s.recordCacheEntries,
    bucketCache: s.bucketCacheBytes / MiB,
    leveldb: s.leveldbBytes / MiB,
    openTables: s.tableFiles,
  };
  console.log(
    `${what}: RSS ${fmt(row.rss)} MiB (peak ${fmt(row.peak)}): anon ${fmt(row.anon)} [V8 heap ${fmt(row.heapUsed)} used / ${fmt(row.heapTotal)}, external ${fmt(row.external)}, other ${fmt(row.anonOutsideV8)}], mapped table files ${fmt(row.files)}` +
      ` | state tree ${fmt(row.tree, 1)}, tx filter ${fmt(row.txFilter, 1)}, record cache ${fmt(row.recordCache, 1)} (${row.recordCacheEntries} records), bucket cache ${fmt(row.bucketCache, 1)}, LevelDB caches+memtables ${fmt(row.leveldb, 1)}, table files ${row.openTables}`,
  );
  return row;
}

async function measure(dir: string): Promise<void> {
  const t0 = performance.now();
  const store = await Store.open(dir, { sync: false, ...storeOptions() });
  const chain = await Chain.open(store, genesis, { crypto: nodeCrypto, verifySignature: () => true });
  console.log(`open: ${fmt(performance.now() - t0)} ms (integrity checks, state tree rebuilt from the stored bucket hashes)`);
  const open = report("after open", store);
  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 11 });
  let time = WORKLOAD_T0 + 2n * DAY_MS;
  let cpuUs = 0;
  let txs = 0;
  for (let h = 1n; h <= BigInt(BLOCKS); h++) {
    time += 1000n;
    const block = workload.block(TXS, time);
    const c0 = process.cpuUsage();
    const r = await chain.executeBlock({ height: h, time, proposer: "validator-0", view: 0n, txs: block });
    const c = process.cpuUsage(c0);
    // the first blocks fill the pipeline (and the caches): CPU counts from the second quarter on
    if (h > BigInt(BLOCKS) / 4n) {
      cpuUs += c.user + c.system;
      txs += block.length;
    }
    workload.observe(block, r.receipts);
  }
  const after = report(`after ${BLOCKS} blocks of ${TXS} txs`, store);
  const w = workload.counts;
  const ok = w.unexpected === 0;
  console.log(`workload: ${w.generated} txs, receipts ${JSON.stringify(Object.fromEntries(w.byCode))}, unexpected ${w.unexpected}${ok ? "" : " CORRECTNESS FAILED"}`);
  const st = store.state.stats;
  console.log(`state reads: ${st.prefetched} records read from LevelDB, ${st.absentByBucket ?? "-"} known absent from their bucket, ${st.emptyBuckets ?? "-"} empty buckets not read, ${st.bucketsLoaded} buckets read, ${st.recordCacheHits} record cache hits, ${st.syncLoads} synchronous`);
  console.log(`executeBlock CPU per tx: ${fmt(cpuUs / txs, 0)} us (execute + commit, no signature checks; last ${txs} txs)`);
  process.stdout.write(`RESULT ${JSON.stringify({ open, after, cpuUsPerTx: cpuUs / txs, ok })}\n`);
  await store.close();
  if (!ok) process.exitCode = 1;
}

/** Builds the preloaded store once per size and depth; returns its directory. */
async function ensurePreloaded(base: string): Promise<string> {
  const dir = join(base, `preload-${PRELOAD}-d${DEPTH}`);
  if (existsSync(join(dir, "READY"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = await Store.open(dir, { sync: false, writeBufferBytes: 64 * MiB });
  await Chain.open(store, genesis);
  const r = await preloadReceivables(store, PRELOAD, {
    exporters: [...parties.filter((p) => p.role === "ENTERPRISE").map((p) => p.id), ...Array.from({ length: 1992 }, (_, i) => `exporter-p${i}`)],
    banks: parties.filter((p) => p.role === "BANK").map((p) => p.id),
    customs: "customs-cn",
    startTime: WORKLOAD_T0 - 400n * DAY_MS,
    progress: (done, ms) => console.log(`  preload: ${done} receivables in ${fmt(ms / 1000, 1)} s`),
  });
  await store.close();
  writeFileSync(join(dir, "READY"), "");
  console.log(`preload: ${PRELOAD} receivables in ${fmt(r.loadMs / 1000, 1)} s, compaction ${fmt(r.compactMs / 1000, 1)} s`);
  return dir;
}

async function main(): Promise<void> {
  if (args.measure) return measure(args.measure);
  const base = args.dir ?? join(tmpdir(), "tradeledger-bench-memory");
  mkdirSync(base, { recursive: true });
  const source = PRELOAD > 0 ? await ensurePreloaded(base) : undefined;
  // A copy per run (blocks change the store): table files are never rewritten, so they are linked.
  const work = join(base, `run-${process.pid}`);
  mkdirSync(work, { recursive: true });
  if (source) {
    for (const f of readdirSync(source)) {
      if (f === "LOCK" || f === "READY") continue;
      if (f.endsWith(".ldb") || f.endsWith(".sst")) linkSync(join(source, f), join(work, f));
      else copyFileSync(join(source, f), join(work, f));
    }
  }
  console.log(`bench:memory  preload=${PRELOAD} depth=${DEPTH} blocks=${BLOCKS}x${TXS} options=${JSON.stringify(storeOptions())}${args.label ? ` (${args.label})` : ""}`);
  const self = fileURLToPath(import.meta.url);
  const forwarded = process.argv.slice(2);
  const child = spawnSync(process.execPath, [self, ...forwarded, "--measure", work], { stdio: "inherit" });
  rmSync(work, { recursive: true, force: true });
  process.exitCode = child.status ?? 1;
}

await main();
