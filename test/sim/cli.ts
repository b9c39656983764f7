// npm run sim -- --seeds N [--replicas 4|7] [--seed S] [--start S] [--crypto fast|ed25519] [--jobs J] [--verbose]
// Runs seeded simulations (test/sim/run.ts) and ends with
//   sim: N seeds, X safety violations, Y liveness failures
// (X and Y count failing seeds). Exit code 1 if either is non-zero. Without --replicas, even
// seeds run 4 replicas and odd seeds 7. A failing seed prints the command that replays it.
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { replayCommand, runSeed, type RunResult } from "./run.js";
import type { SimCryptoKind } from "./crypto.js";

interface Job {
  seeds: bigint[];
  replicas: number | null;
  crypto: SimCryptoKind;
}

function replicasFor(seed: bigint, fixed: number | null): number {
  return fixed ?? (seed % 2n === 0n ? 4 : 7);
}

type WireResult = Omit<RunResult, "seed"> & { seed: string; wallMs: number };

async function runJob(job: Job, report: (r: WireResult) => void): Promise<void> {
  for (const seed of job.seeds) {
    const started = performance.now();
    const r = await runSeed({ seed, replicas: replicasFor(seed, job.replicas), crypto: job.crypto });
    report({ ...r, seed: r.seed.toString(), wallMs: Math.round(performance.now() - started) });
  }
}

function usage(message: string): never {
  console.error(`sim: ${message}\nusage: npm run sim -- --seeds N [--replicas 4|7] [--seed S] [--start S] [--crypto fast|ed25519] [--jobs J] [--verbose]`);
  process.exit(2);
}

function parse(argv: string[]) {
  const opts = { seeds: 100, start: 1n, seed: null as bigint | null, replicas: null as number | null, crypto: "fast" as SimCryptoKind, jobs: Math.min(2, availableParallelism()), verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    const integer = (v: string) => {
      if (!/^\d+$/.test(v)) usage(`${arg} expects a non-negative integer, got ${v}`);
      return BigInt(v);
    };
    if (arg === "--seeds") opts.seeds = Number(integer(value()));
    else if (arg === "--start") opts.start = integer(value());
    else if (arg === "--seed") opts.seed = integer(value());
    else if (arg === "--replicas") {
      const r = Number(integer(value()));
      if (r < 4 || (r - 1) % 3 !== 0) usage("--replicas must be 3f+1 (4, 7, ...)");
      opts.replicas = r;
    } else if (arg === "--crypto") {
      const c = value();
      if (c !== "fast" && c !== "ed25519") usage("--crypto is fast or ed25519");
      opts.crypto = c;
    } else if (arg === "--jobs") opts.jobs = Math.max(1, Number(integer(value())));
    else if (arg === "--verbose") opts.verbose = true;
    else usage(`unknown argument ${arg}`);
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const seeds = opts.seed !== null ? [opts.seed] : Array.from({ length: opts.seeds }, (_, i) => opts.start + BigInt(i));
  const jobs = Math.min(opts.jobs, seeds.length);
  const started = performance.now();
  let done = 0;
  let safety = 0;
  let liveness = 0;
  let blocks = 0;
  let duplicates = 0;
  const onResult = (r: WireResult) => {
    done++;
    blocks += r.stats.blocks;
    duplicates += r.stats.duplicateOrderings;
    const failed = r.safety.length > 0 || r.liveness !== null;
    if (r.safety.length > 0) safety++;
    if (r.liveness !== null) liveness++;
    if (failed || opts.verbose || opts.seed !== null) {
      const status = failed ? "FAIL" : "ok";
      console.log(`seed ${r.seed} (${r.replicas} replicas, ${r.crypto}): ${status} — ${r.stats.blocks} blocks, view ${r.stats.views}, ${r.stats.messages} messages, ${r.stats.virtualMs} virtual ms, ${r.stats.stateTransfers} state transfers, ${r.stats.crashes} crashes, ${r.wallMs} ms wall`);
      if (failed || opts.seed !== null) console.log(`  scenario: ${r.scenario}`);
      for (const v of r.safety) console.log(`  safety: ${v}`);
      if (r.liveness) console.log(`  liveness: ${r.liveness}`);
      if (failed) console.log(`  replay: ${replayCommand({ seed: BigInt(r.seed), replicas: r.replicas, crypto: r.crypto })}`);
    }
  };
  if (jobs <= 1) await runJob({ seeds, replicas: opts.replicas, crypto: opts.crypto }, onResult);
  else {
    const self = fileURLToPath(import.meta.url);
    await Promise.all(
      Array.from({ length: jobs }, (_, j) => {
        const part = seeds.filter((_, i) => i % jobs === j).map(String);
        return new Promise<void>((resolve, reject) => {
          const worker = new Worker(self, { workerData: { seeds: part, replicas: opts.replicas, crypto: opts.crypto } });
          worker.on("message", onResult);
          worker.on("error", reject);
          worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
        });
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`(${seconds.toFixed(1)} s wall, ${(done / seconds).toFixed(1)} seeds/s, ${blocks} blocks, ${jobs} job(s); ${duplicates} transaction(s) ordered a second time)`);
  console.log(`sim: ${done} seeds, ${safety} safety violations, ${liveness} liveness failures`);
  process.exitCode = safety + liveness > 0 ? 1 : 0;
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  const data = workerData as { seeds: string[]; replicas: number | null; crypto: SimCryptoKind };
  void runJob({ seeds: data.seeds.map(BigInt), replicas: data.replicas, crypto: data.crypto }, (r) => parentPort!.postMessage(r));
}
