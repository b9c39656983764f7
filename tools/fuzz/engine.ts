// A coverage-guided fuzzer for pure-JavaScript targets, steered by V8's own block coverage.
//
// Why this and not Jazzer.js: Jazzer.js (@jazzer.js/core 4.0.0, the only release on the registry
// with prebuilt binaries) ships a libFuzzer add-on built against glibc 2.38 and libstdc++ 3.4.32;
// on this project's CI image (Debian 12: glibc 2.36, GCC 12) it fails to load ("GLIBC_2.38 not
// found"), and its older releases build that add-on from a patched LLVM fetched from GitHub at
// install time. What makes a fuzzer coverage-guided is the feedback loop, and V8 already measures
// coverage precisely: the inspector's Profiler.takePreciseCoverage (callCount + detailed) reports
// the execution count of every basic block since the previous call, for ESM and CJS alike, without
// rewriting any source. The loop is libFuzzer's: a corpus of inputs, mutations of them, and an
// input is kept when it reaches a (block, hit-count bucket) feature no earlier input reached.
//
// Speed: a coverage snapshot costs about a millisecond or three, far more than a decode, so inputs
// run in batches and one snapshot judges the batch; only a batch that found something new is
// replayed input by input to learn which one did (new coverage is rare once the corpus settles).
//
// Findings: an exception from the target (its invariants are assertions), a run slower than the
// time limit, or a heap above the memory limit. Each is saved with its input for replay.
import { Session } from "node:inspector";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Mutator } from "./mutate.js";

export interface FuzzTarget {
  name: string;
  /** what the target checks, one line */
  description: string;
  /** runs one input; throws (anything) when an invariant does not hold */
  run(data: Uint8Array): void;
  /** tokens worth splicing into inputs (field tags, JSON keys, magic values) */
  dictionary?: Uint8Array[];
  /** longest input the mutator produces */
  maxLen?: number;
}

export interface FuzzOptions {
  /** stop after this long, ms */
  durationMs: number;
  /** stop after this many executions (default: no limit) */
  maxRuns?: number;
  seed?: number;
  /** corpus folder: read at start; new interesting inputs are written here when `grow` is set */
  corpusDir?: string;
  grow?: boolean;
  /** where findings are written (default: not written) */
  findingsDir?: string;
  /** one run slower than this is a finding, ms */
  timeoutMs?: number;
  /** heap used above this after a run is a finding, bytes */
  maxHeapBytes?: number;
  /** stop at the first finding */
  stopOnFinding?: boolean;
  /** inputs per coverage snapshot */
  batch?: number;
  log?: (line: string) => void;
}

export interface Finding {
  kind: "crash" | "timeout" | "memory";
  message: string;
  input: Uint8Array;
  file?: string;
}

export interface FuzzStats {
  target: string;
  runs: number;
  ms: number;
  execPerSec: number;
  corpus: number;
  features: number;
  /** inputs added to the corpus during this run */
  added: number;
  findings: Finding[];
}

/** Scripts whose coverage steers the fuzzer: the project's compiled code, not Node's or node_modules'. */
const PROJECT_DIST = fileURLToPath(new URL("../../", import.meta.url));

function bucket(count: number): number {
  // libFuzzer's hit-count classes: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+ (and 0: listed, not run)
  if (count <= 3) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}

interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: { functionName: string; ranges: { startOffset: number; endOffset: number; count: number }[]; isBlockCoverage: boolean }[];
}

class Coverage {
  private readonly session = new Session();
  private readonly relevant = new Map<string, boolean>();

  constructor() {
    this.session.connect();
    this.post("Profiler.enable");
    this.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  }

  private post<T>(method: string, params?: object): T {
    let result: T | undefined;
    let error: Error | null = null;
    // The inspector answers a session on the main thread synchronously.
    this.session.post(method, params ?? {}, (err, res) => {
      error = err;
      result = res as T;
    });
    if (error) throw error;
    if (result === undefined) throw new Error(`inspector did not answer ${method} synchronously`);
    return result;
  }

  /**
   * Features since the previous call: (range, hit-count bucket) keys, bucket 0 included. V8 lists
   * a nested range only where its count differs from the enclosing one, so after a single run a
   * block that ran as often as its function is not listed at all; what marks its being reached is
   * that its own unreached children now appear (as zero ranges) in its place. Zero ranges are
   * therefore features too.
   */
  take(): string[] {
    const { result } = this.post<{ result: ScriptCoverage[] }>("Profiler.takePreciseCoverage");
    const out: string[] = [];
    for (const script of result) {
      let keep = this.relevant.get(script.scriptId);
      if (keep === undefined) {
        keep = script.url.includes(PROJECT_DIST) && !script.url.includes("/node_modules/") && !script.url.includes("/tools/fuzz/");
        this.relevant.set(script.scriptId, keep);
      }
      if (!keep) continue;
      for (const fn of script.functions) {
        for (const r of fn.ranges) {
          out.push(`${script.scriptId}:${r.startOffset}:${r.endOffset}:${bucket(r.count)}`);
        }
      }
    }
    return out;
  }

  close(): void {
    this.post("Profiler.stopPreciseCoverage");
    this.session.disconnect();
  }
}

export function readCorpus(dir: string | undefined): Uint8Array[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.startsWith("."))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

function digest(data: Uint8Array): string {
  return createHash("sha1").update(data).digest("hex");
}

/** Runs one input; a thrown error becomes a finding (with the error's name and message). */
export function runOne(target: FuzzTarget, data: Uint8Array): string | undefined {
  try {
    target.run(data);
    return undefined;
  } catch (err) {
    const e = err as Error;
    return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}${e?.stack ? `\n${e.stack.split("\n").slice(1, 6).join("\n")}` : ""}`;
  }
}

export function fuzz(target: FuzzTarget, opts: FuzzOptions): FuzzStats {
  const log = opts.log ?? (() => undefined);
  const timeoutMs = opts.timeoutMs ?? 1000;
  const maxHeap = opts.maxHeapBytes ?? 1024 * 1024 * 1024;
  const batch = Math.max(1, opts.batch ?? 32);
  const mutator = new Mutator(opts.seed ?? 1, target.maxLen ?? 4096, target.dictionary ?? []);
  const coverage = new Coverage();
  const seen = new Set<string>();
  const corpus: Uint8Array[] = [];
  const known = new Set<string>();
  const findings: Finding[] = [];
  const findingKeys = new Set<string>();
  let runs = 0;
  let added = 0;
  const t0 = performance.now();

  const record = (kind: Finding["kind"], message: string, input: Uint8Array) => {
    // one finding per distinct message head (a stack frame list differs with the input's path)
    const key = `${kind}:${message.split("\n")[0]!.replace(/\d+/g, "N")}`;
    if (findingKeys.has(key)) return;
    findingKeys.add(key);
    const f: Finding = { kind, message, input: input.slice() };
    if (opts.findingsDir) {
      mkdirSync(opts.findingsDir, { recursive: true });
      f.file = join(opts.findingsDir, `${kind}-${digest(input)}`);
      writeFileSync(f.file, input);
    }
    findings.push(f);
    log(`${target.name}: ${kind.toUpperCase()} ${message.split("\n")[0]}${f.file ? ` (input: ${f.file})` : ""}`);
  };

  /** Runs an input and checks the run itself (exception, time, heap); returns whether it ran clean. */
  const exec = (data: Uint8Array): boolean => {
    const started = performance.now();
    const failure = runOne(target, data);
    const took = performance.now() - started;
    runs++;
    if (failure !== undefined) {
      record("crash", failure, data);
      return false;
    }
    if (took > timeoutMs) {
      // A garbage collection or a busy shared machine can stall any one run: a slow input is a
      // finding only if it is slow again, twice, once warm.
      let best = took;
      for (let k = 0; k < 2 && best > timeoutMs; k++) {
        const again = performance.now();
        runOne(target, data);
        best = Math.min(best, performance.now() - again);
      }
      if (best > timeoutMs) record("timeout", `one run took ${best.toFixed(0)} ms (limit ${timeoutMs} ms, three tries) on ${data.length} bytes`, data);
    }
    if ((runs & 63) === 0) {
      const heap = process.memoryUsage().heapUsed;
      if (heap > maxHeap) record("memory", `heap at ${(heap / 2 ** 20).toFixed(0)} MiB after a run (limit ${(maxHeap / 2 ** 20).toFixed(0)} MiB) on ${data.length} bytes`, data);
    }
    return true;
  };

  // A batch's counts are sums over its inputs, so its hit-count buckets say little about any one
  // input: a batch is screened on blocks alone (a block no input reached before), and each input
  // of a promising batch is then judged on its own (block, bucket) features.
  const seenBlocks = new Set<string>();
  const blockOf = (feature: string) => feature.slice(0, feature.lastIndexOf(":")) + (feature.endsWith(":0") ? ":0" : ":1");
  const newBlocks = (features: string[]): boolean => features.some((k) => !seenBlocks.has(blockOf(k)));

  const novel = (features: string[]): number => {
    let fresh = 0;
    for (const k of features) if (!seen.has(k)) fresh++;
    return fresh;
  };

  const keep = (data: Uint8Array, features: string[], persist: boolean) => {
    for (const k of features) {
      seen.add(k);
      seenBlocks.add(blockOf(k));
    }
    const d = digest(data);
    if (known.has(d)) return;
    known.add(d);
    corpus.push(data.slice());
    if (persist && opts.grow && opts.corpusDir) {
      mkdirSync(opts.corpusDir, { recursive: true });
      writeFileSync(join(opts.corpusDir, d), data);
      added++;
    }
  };

  // 1. the corpus as committed, each input alone (so each is judged, and each must run clean)
  coverage.take();
  const initial = readCorpus(opts.corpusDir);
  for (const data of initial.length > 0 ? initial : [new Uint8Array(0)]) {
    exec(data);
    keep(data, coverage.take(), false);
  }
  log(`${target.name}: ${corpus.length} corpus inputs, ${seen.size} features`);

  // 2. mutate: batches judged by one snapshot, replayed one by one when the batch found something
  let lastReport = performance.now();
  let screened = 0;
  const deadline = t0 + opts.durationMs;
  while (performance.now() < deadline && (opts.maxRuns === undefined || runs < opts.maxRuns) && !(opts.stopOnFinding && findings.length > 0)) {
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < batch; i++) inputs.push(mutator.mutate(corpus));
    for (const data of inputs) exec(data);
    // every 16th batch is judged input by input anyway: hit-count novelty stays reachable
    if (!newBlocks(coverage.take()) && ++screened % 16 !== 0) continue;
    for (const data of inputs) {
      exec(data);
      const features = coverage.take();
      if (novel(features) > 0) keep(data, features, true);
    }
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      log(`${target.name}: ${runs} runs, ${(runs / ((now - t0) / 1000)).toFixed(0)}/s, corpus ${corpus.length}, features ${seen.size}, findings ${findings.length}`);
    }
  }
  coverage.close();
  const ms = performance.now() - t0;
  return { target: target.name, runs, ms, execPerSec: runs / (ms / 1000), corpus: corpus.length, features: seen.size, added, findings };
}
