// The fault campaign (Jepsen-style; CometBFT's e2e perturbations): real validator processes under a
// steady signed load, and for each cycle one fault at a random moment, then the checks of
// checks.ts. Faults (at most f faulty validators at any time; one per cycle):
//   kill        kill -9 of a validator (the primary or another), restarted from its data folder
//   pause       SIGSTOP, then SIGCONT
//   partition   the validator's link to the others cut (its own network namespace's bridge port
//               down), then restored; a consensus drop filter where namespaces are unavailable
//   torn-write  kill -9 while LevelDB's log (the newest file of the data folder) is being written
//               or synced, and that write torn (torn.ts); restart: the node must recover (LevelDB
//               log recovery) or refuse with a typed error. In 30% of these cycles the newest table
//               file is cut instead (a damaged store, beyond what a crash does): the node must
//               refuse to start with a typed error, and is restored from scratch (an empty data
//               folder filled by state transfer from the others)
//   byzantine   the validator replaced by tools/chaos/byzantine-node.ts (equivocation, garbage
//               frames, replays), then the honest build again on the same data folder
// The schedule (fault order, targets, delays, durations, Byzantine modes) is drawn from a seeded
// PRNG; the same --seed replays it (the processes' own timing is not deterministic, so a replay
// reproduces the schedule, not every interleaving).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cluster, FAST_CONSENSUS, sleep } from "../cluster.js";
import { readJsonFile, writeJsonFile } from "../../config/load.js";
import type { NodeConfig } from "../../config/schema.js";
import { faultTolerance } from "../../sdk/commit.js";
import { ChainAuditor, ProgressMonitor, SignatureAuditor, type Conflict } from "./checks.js";
import { TradeLoad } from "./load.js";
import { NetnsTopology, netnsUnavailable } from "./netns.js";
import { between, pick, prng, shuffle } from "./prng.js";
import { appendTornRecord, newestLog, stopped, tearLastRecord, walWriteInFlight } from "./torn.js";
import type { ByzantineMode } from "./byzantine-node.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const BYZANTINE_ENTRY = join(HERE, "byzantine-node.js");
const FILTERED_ENTRY = join(HERE, "filtered-node.js");

export type FaultKind = "kill" | "pause" | "partition" | "torn-write" | "byzantine";
export const FAULT_KINDS: readonly FaultKind[] = ["kill", "pause", "partition", "torn-write", "byzantine"];

export interface CampaignOptions {
  cycles: number;
  seed: number;
  validators?: 4 | 7;
  /** concurrent load workers (each plays whole trade flows) */
  workers?: number;
  faults?: readonly FaultKind[];
  /** use network namespaces when possible (default); false forces the libp2p-level drop filter */
  netns?: boolean;
  /** keep the network's folder (logs, data, signed-message logs) even when the campaign passes */
  keep?: boolean;
  dir?: string;
  /** the campaign fails if the network makes no progress for longer than this with <= f faults */
  maxStallS?: number;
  /** a tighter bound for some fault kinds, s (each kind's longest stall is reported) */
  maxStallByKindS?: Partial<Record<FaultKind, number>>;
  /** the share of torn-write cycles that damage a table file (a store beyond a crash: restored from scratch), default 0.3 */
  damageRate?: number;
  /** the share of cycles aimed at the primary, default 0.4 */
  towardPrimaryRate?: number;
  /** how long a fault lasts, ms */
  faultMs?: [number, number];
  /** quiet time before a fault, ms */
  beforeMs?: [number, number];
  /** an equivocating primary runs this much longer than other faults, ms (default 3000) */
  equivocationExtraMs?: number;
  /** the Byzantine behaviours drawn from (default: each alone, and all three together) */
  byzantineModes?: ByzantineMode[][];
  out?: (line: string) => void;
}

export interface CampaignResult {
  ok: boolean;
  cycles: number;
  acked: number;
  lost: number;
  divergent: number;
  conflicts: Conflict[];
  byzantineEquivocations: number;
  maxStallS: number;
  /** the longest stall charged to each fault kind, s (a stall is charged to the fault under way when it began) */
  stallByKind: Partial<Record<FaultKind | "start", { s: number; where: string }>>;
  failures: string[];
  notes: string[];
  partitions: string;
  wallS: number;
  /** the closing line */
  summary: string;
  dir: string;
}

interface NodeState {
  paused: boolean;
  isolated: boolean;
  byzantine: boolean;
  /** being stopped / restarted by the campaign */
  down: boolean;
  /** behind the others after a fault, catching up */
  lagging: boolean;
}

export class Campaign {
  private readonly rand: () => number;
  private cluster!: Cluster;
  private topo?: NetnsTopology;
  private fallbackReason?: string;
  private load!: TradeLoad;
  private auditor!: ChainAuditor;
  private readonly signatures = new SignatureAuditor();
  private readonly evidence = new SignatureAuditor();
  private monitor!: ProgressMonitor;
  private state: NodeState[] = [];
  private readonly failures: string[] = [];
  private readonly notes: string[] = [];
  private readonly out: (line: string) => void;
  private equivocationCycles = 0;
  private checks = 0;
  private aborted = false;
  private readonly n: 4 | 7;
  private readonly f: number;

  constructor(private readonly opts: CampaignOptions) {
    this.rand = prng(opts.seed);
    this.out = opts.out ?? ((l) => process.stdout.write(l + "\n"));
    this.n = opts.validators ?? 4;
    this.f = faultTolerance(this.n);
  }

  /** Stops everything now (SIGINT): processes, namespaces; keeps the folder. */
  async abort(): Promise<void> {
    this.aborted = true;
    this.monitor?.stop();
    await this.load?.stop().catch(() => undefined);
    await this.cluster?.stopAll().catch(() => undefined);
    this.topo?.remove();
  }

  async run(): Promise<CampaignResult> {
    const t0 = Date.now();
    const { cycles, seed } = this.opts;
    this.out(`chaos: seed ${seed}; replay this schedule with: npm run chaos -- --seed ${seed} --cycles ${cycles}${this.opts.validators === 7 ? " --validators 7" : ""}`);
    await this.setUp();
    const partitions = this.topo ? `network namespaces (10.${this.topo.slot}.0.0/16, one per validator)` : `libp2p-level consensus drop filter, because ${this.fallbackReason}`;
    this.out(`chaos: ${this.n} validators (f = ${this.f}) up in ${((Date.now() - t0) / 1000).toFixed(1)} s in ${this.cluster.dir}; partitions: ${partitions}`);
    if (!this.topo) this.out(`chaos: WARNING network namespaces unavailable (${this.fallbackReason}): partitions drop consensus frames inside the node instead; transaction gossip and block sync still flow`);
    try {
      const kinds = this.opts.faults && this.opts.faults.length > 0 ? this.opts.faults : FAULT_KINDS;
      let deck: FaultKind[] = [];
      for (let c = 1; c <= cycles && !this.aborted; c++) {
        if (deck.length === 0) deck = shuffle(this.rand, kinds);
        const kind = deck.shift()!;
        await this.cycle(c, kind);
        if (this.failures.length > 0) break;
      }
      await this.finish();
    } catch (err) {
      this.failures.push(`campaign error: ${(err as Error).stack ?? String(err)}`);
    }
    const result = await this.result(t0);
    await this.tearDown(result.ok);
    return result;
  }

  // ---- set-up -------------------------------------------------------------------------------

  private async setUp(): Promise<void> {
    if (this.opts.netns !== false) {
      this.fallbackReason = netnsUnavailable();
      if (!this.fallbackReason) this.topo = NetnsTopology.create(this.n);
    } else {
      this.fallbackReason = "--no-netns was given";
    }
    const topo = this.topo;
    this.cluster = await Cluster.create({
      validators: this.n,
      consensus: FAST_CONSENSUS,
      // Our own folder (not Cluster's temp folder): kept for inspection when the campaign fails.
      dir: this.opts.dir ?? mkdtempSync(join(tmpdir(), "tl-chaos-")),
      ...(topo ? { hosts: topo.hosts(), launcher: (i: number) => topo.launcher(i) } : {}),
      env: { TRADELEDGER_SIGNED_LOG: "signed.jsonl" },
    });
    // The load and the auditor are many clients from one address: lift the per-client rate limit.
    for (const node of this.cluster.net.nodes) {
      const config = readJsonFile(node.configFile) as NodeConfig;
      config.rpc = { ...config.rpc, rateLimitPerMinute: 100_000_000 };
      writeJsonFile(node.configFile, config);
    }
    this.state = Array.from({ length: this.n }, () => ({ paused: false, isolated: false, byzantine: false, down: false, lagging: false }));
    await Promise.all(Array.from({ length: this.n }, (_, i) => this.startHonest(i)));
    if (!(await this.cluster.converged({ timeoutMs: 60_000 }))) throw new Error("the network did not come up");
    const view = { size: this.n, url: (i: number) => this.cluster.url(i), id: (i: number) => this.cluster.id(i), auditor: this.cluster.signer("auditor") };
    this.auditor = new ChainAuditor(view);
    this.load = new TradeLoad(
      { url: (i) => this.cluster.url(i), available: () => this.available(), signer: (id) => this.cluster.signer(id), chainId: this.cluster.net.chainId },
      { workers: this.opts.workers ?? 6, rand: prng(this.opts.seed ^ 0x5eed) },
    );
    this.monitor = new ProgressMonitor(view, () => this.honestRunning(), () => !this.load.isPaused && this.load.busy);
    this.load.start();
    this.monitor.start();
  }

  private async tearDown(ok: boolean): Promise<void> {
    this.monitor?.stop();
    const keep = this.opts.keep || !ok || this.opts.dir !== undefined;
    await this.cluster?.destroy();
    if (keep) this.out(`chaos: network folder kept: ${this.cluster?.dir} (node.log, signed.jsonl, byzantine.jsonl per node)`);
    else if (this.cluster) rmSync(this.cluster.dir, { recursive: true, force: true });
    this.topo?.remove();
  }

  /** Starts node i's honest build: `tradeledger start`, or the filtered build without namespaces. */
  private startHonest(i: number, env?: NodeJS.ProcessEnv): Promise<void> {
    if (this.topo) return this.cluster.start(i, 60_000, env ? { env } : undefined);
    return this.cluster.start(i, 60_000, { script: FILTERED_ENTRY, args: ["--partition", this.partitionFile(i)], ...(env ? { env } : {}) });
  }

  /**
   * Restores validator i from scratch the way an operator must: an empty data folder, filled by
   * block sync from the others while the node runs as an observer (it signs nothing), then the
   * validator again. Starting it as a validator straight away lets it sign as if the chain were
   * new (seen by this campaign: a restored view-0 primary signed a second pre-prepare for view 0,
   * seq 1): its write-ahead record of what it signed went with the damaged store.
   */
  private async restoreFromScratch(i: number): Promise<string> {
    rmSync(this.cluster.net.nodes[i]!.dataDir, { recursive: true, force: true });
    const started = Date.now();
    const logSize = existsSync(this.cluster.logFile(i)) ? statSync(this.cluster.logFile(i)).size : 0;
    await this.startHonest(i, { TRADELEDGER_MODE: "observer" });
    const others = this.honestRunning().filter((j) => j !== i);
    const heights = await Promise.all(others.map((j) => this.auditor.height(j)));
    const target = heights.reduce<bigint>((a, b) => (b !== undefined && b > a ? b : a), 0n);
    const deadline = Date.now() + 180_000;
    let h: bigint | undefined = 0n;
    while (Date.now() < deadline) {
      h = await this.auditor.height(i);
      if (h !== undefined && h >= target) break;
      await sleep(250);
    }
    const followedS = ((Date.now() - started) / 1000).toFixed(1);
    // How it caught up (docs/consensus.md §4.5): a certified snapshot, then block sync, or block sync alone.
    const log = existsSync(this.cluster.logFile(i)) ? readFileSync(this.cluster.logFile(i), "utf8").slice(logSize) : "";
    const line = log.split("\n").find((l) => l.includes("certified snapshot adopted"));
    const adopted = line ? /"height":"?(\d+)/.exec(line) : null;
    const how = adopted ? `a certified snapshot at ${adopted[1]}, then block sync` : "block sync";
    await this.cluster.stop(i);
    await this.startHonest(i);
    return `restored from scratch: followed as an observer to height ${h} of ${target} in ${followedS} s (${how}), then restarted as the validator`;
  }

  private partitionFile(i: number): string {
    return join(dirname(this.cluster.net.nodes[i]!.configFile), "partition.json");
  }

  private nodeDir(i: number): string {
    return dirname(this.cluster.net.nodes[i]!.configFile);
  }

  private available(): number[] {
    return this.state.flatMap((s, i) => (!s.paused && !s.isolated && !s.byzantine && !s.down && !s.lagging && this.cluster.isRunning(i) ? [i] : []));
  }

  private honestRunning(): number[] {
    return this.state.flatMap((s, i) => (!s.byzantine && this.cluster.isRunning(i) ? [i] : []));
  }

  private async primary(): Promise<number | undefined> {
    for (const i of this.available()) {
      const p = await this.cluster.primary(i);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  // ---- one cycle ----------------------------------------------------------------------------

  private async cycle(c: number, kind: FaultKind): Promise<void> {
    const [bLo, bHi] = this.opts.beforeMs ?? [500, 2500];
    const [fLo, fHi] = this.opts.faultMs ?? [2000, 6000];
    // The previous fault is over only when every validator reaches every other again: a validator
    // that sent garbage stays banned by its peers for a minute or more after it is honest again
    // (docs/p2p.md), and a banned link is a fault of its own. Injecting the next fault before that
    // ran two faults at once with f = 1: this campaign once stalled 14.4 s (and the 20-cycle run of
    // issue 18, 30 s) with the primary killed while two honest validators could not talk.
    const meshWait = await this.meshWhole(180_000);
    await sleep(between(this.rand, bLo, bHi));
    const hold = between(this.rand, fLo, fHi);
    const towardPrimary = this.rand() < (this.opts.towardPrimaryRate ?? 0.4);
    const random = Math.floor(this.rand() * this.n);
    const byzModes = pick<ByzantineMode[]>(this.rand, this.opts.byzantineModes ?? [["equivocate"], ["garbage"], ["replay"], ["equivocate", "garbage", "replay"]]);
    const byzSeed = Math.floor(this.rand() * 2 ** 31);
    const cutFraction = this.rand();
    const damageTable = this.rand() < (this.opts.damageRate ?? 0.3);
    const primary = await this.primary();
    let target = towardPrimary && primary !== undefined ? primary : random;
    if (kind === "byzantine" && byzModes.includes("equivocate") && primary !== undefined) target = primary; // a primary equivocates
    const role = target === primary ? "primary" : "backup";
    const name = this.cluster.id(target);
    const ackedBefore = this.load.acked.length;
    this.monitor.setFault(kind, `cycle ${c} (${kind} ${name}, ${role})`);
    const started = Date.now();
    let what: string;
    switch (kind) {
      case "kill":
        what = await this.kill(target, hold);
        break;
      case "pause":
        what = await this.pause(target, hold);
        break;
      case "partition":
        what = await this.partition(target, hold);
        break;
      case "torn-write":
        what = await this.tornWrite(target, hold, cutFraction, damageTable);
        break;
      case "byzantine":
        what = await this.byzantine(target, hold, byzModes, byzSeed);
        break;
    }
    const faultS = ((Date.now() - started) / 1000).toFixed(1);
    const t1 = Date.now();
    // A validator that sent garbage is banned by the others for a minute or more (doubling with each
    // ban, docs/p2p.md): once honest again it can only catch up after that.
    const height = await this.catchUp(`cycle ${c}`, kind === "byzantine" && byzModes.includes("garbage") ? 300_000 : 120_000);
    const t2 = Date.now();
    await this.check(`cycle ${c}`, false);
    const timing = `catch-up ${((t2 - t1) / 1000).toFixed(1)}s, checks ${((Date.now() - t2) / 1000).toFixed(1)}s`;
    const stall = (this.monitor.maxStallMs / 1000).toFixed(1);
    const waited = meshWait.why ? ` (after waiting ${(meshWait.ms / 1000).toFixed(1)} s for ${meshWait.why})` : "";
    this.out(
      `cycle ${c}/${this.opts.cycles} ${kind} ${name} (${role})${waited} ${faultS}s: ${what}; height ${height}, ${this.load.acked.length} acknowledged (+${this.load.acked.length - ackedBefore}), max stall so far ${stall}s, ${timing}${this.failures.length ? `, FAILED: ${this.failures.join("; ")}` : ", ok"}`,
    );
  }

  private async kill(i: number, hold: number): Promise<string> {
    this.state[i]!.down = true;
    await this.cluster.kill(i);
    await sleep(hold);
    await this.startHonest(i);
    this.state[i]!.down = false;
    return "kill -9, restarted from its data folder";
  }

  private async pause(i: number, hold: number): Promise<string> {
    this.state[i]!.paused = true;
    await this.cluster.pause(i);
    await sleep(hold);
    await this.cluster.resume(i);
    this.state[i]!.paused = false;
    return "SIGSTOP, SIGCONT";
  }

  private async partition(i: number, hold: number): Promise<string> {
    this.state[i]!.isolated = true;
    if (this.topo) this.topo.isolate(i);
    else this.writePartition(i, true);
    await sleep(hold);
    if (this.topo) this.topo.heal(i);
    else this.writePartition(i, false);
    this.state[i]!.isolated = false;
    return this.topo ? "isolated (bridge link down), healed" : "isolated (consensus drop filter), healed";
  }

  private writePartition(target: number, cut: boolean): void {
    for (let j = 0; j < this.n; j++) {
      const blocked = !cut ? [] : j === target ? this.cluster.net.nodes.map((n) => n.id) : [this.cluster.id(target)];
      writeFileSync(this.partitionFile(j), JSON.stringify({ blocked }));
    }
  }

  private async tornWrite(i: number, hold: number, fraction: number, damageTable: boolean): Promise<string> {
    this.state[i]!.down = true;
    const dataDir = this.cluster.net.nodes[i]!.dataDir;
    const ledger = join(dataDir, "ledger");
    // The newest table file, or the manifest while the store is young enough to have no table yet.
    const table = damageTable ? (newestFile(ledger, /\.ldb$/) ?? newestFile(ledger, /^MANIFEST-/)) : undefined;
    let what: string;
    if (table) {
      // Beyond the crash model (a damaged table file, as a failing disk leaves it): the node must
      // refuse to start with a typed error, and is then restored from scratch.
      await this.cluster.kill(i);
      const size = statSync(table).size;
      const cut = Math.max(1, Math.floor(fraction * Math.min(size, 64 * 1024)));
      truncateSync(table, size - cut);
      what = `kill -9, then ${basename(table)} cut from ${size} to ${size - cut} bytes (a damaged store)`;
      this.notes.push(`damaged store (${basename(table).startsWith("MANIFEST") ? "manifest" : "table file"}) on ${this.cluster.id(i)}`);
    } else {
      const wal = await this.killDuringLogWrite(i, ledger);
      if (wal) {
        const torn = tearLastRecord(wal, fraction);
        what = `kill -9 while ${basename(wal)} was being written/synced; its last record (the write in flight) torn${torn ? `: ${torn.from} -> ${torn.to} bytes` : " (none found)"}`;
      } else {
        await this.cluster.kill(i);
        const log = newestLog(ledger);
        const torn = log ? appendTornRecord(log, fraction, this.rand) : undefined;
        what = `kill -9 (no write caught in flight), then a torn record appended to ${log ? basename(log) : "?"}${torn ? `: ${torn.from} -> ${torn.to} bytes` : ""}`;
      }
      this.notes.push(`torn write on ${this.cluster.id(i)}`);
    }
    await sleep(Math.min(hold, 1500));
    const logSize = existsSync(this.cluster.logFile(i)) ? statSync(this.cluster.logFile(i)).size : 0;
    try {
      await this.startHonest(i);
      what += ", recovered (LevelDB log recovery) and started";
      if (table) this.failures.push(`${this.cluster.id(i)} started on a damaged store (${basename(table)} cut) instead of refusing`);
    } catch {
      const log = readFileSync(this.cluster.logFile(i), "utf8").slice(logSize);
      const m = /error: \[([A-Z_]+)\] ([^\n]*)/.exec(log);
      if (!m) {
        this.failures.push(`${this.cluster.id(i)} refused to start without a typed error: ${log.trim().split("\n").slice(-3).join(" | ").slice(0, 600)}`);
        what += ", refused to start WITHOUT a typed error";
      } else {
        what += `, refused to start: [${m[1]}] ${m[2]!.slice(0, 160)}`;
        this.notes.push(`refused to start: [${m[1]}], restored from scratch`);
      }
      what += `; ${await this.restoreFromScratch(i)}`;
    }
    this.auditor.forget(i);
    this.state[i]!.down = false;
    return what;
  }

  /**
   * Stops node i at random moments until one of its threads is writing or syncing LevelDB's log,
   * then kills it there (see torn.ts). Returns the log file, or undefined after ~10 s of trying.
   */
  private async killDuringLogWrite(i: number, ledger: string): Promise<string | undefined> {
    const pid = this.cluster.pid(i);
    if (pid === undefined) return undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && this.cluster.isRunning(i)) {
      process.kill(pid, "SIGSTOP");
      for (let k = 0; k < 50 && !stopped(pid); k++) await sleep(1);
      const wal = walWriteInFlight(pid, ledger);
      if (wal) {
        await this.cluster.kill(i);
        return wal;
      }
      process.kill(pid, "SIGCONT");
      await sleep(between(this.rand, 1, 15));
    }
    return undefined;
  }

  private async byzantine(i: number, hold: number, modes: ByzantineMode[], seed: number): Promise<string> {
    const equivocate = modes.includes("equivocate");
    let quiet = "";
    if (equivocate) {
      // Swap the primary for the Byzantine build while nothing is pending, so it is still the
      // primary when the load resumes (otherwise the others change view while it restarts).
      await this.load.pause();
      await this.mempoolsEmpty(10_000);
      quiet = " (swapped in while the load paused)";
    }
    this.state[i]!.byzantine = true;
    this.state[i]!.down = true;
    await this.cluster.stop(i);
    const evidence = join(this.nodeDir(i), "byzantine.jsonl");
    await this.cluster.start(i, 60_000, { script: BYZANTINE_ENTRY, args: ["--modes", modes.join(","), "--seed", String(seed), "--evidence", evidence] });
    this.state[i]!.down = false;
    await this.peersConnected(i, 10_000);
    this.load.resume();
    if (equivocate) this.equivocationCycles++;
    await sleep(hold + (equivocate ? (this.opts.equivocationExtraMs ?? 3000) : 0));
    this.state[i]!.down = true;
    await this.cluster.stop(i);
    this.evidence.read(this.cluster.id(i), evidence);
    await this.startHonest(i);
    this.state[i]!.byzantine = false;
    this.state[i]!.down = false;
    const primaryNow = await this.primary();
    return `Byzantine build (${modes.join(", ")})${quiet}, then the honest build again; primary now ${primaryNow === undefined ? "?" : this.cluster.id(primaryNow)}`;
  }

  /**
   * Waits until every running validator has every other as a connected validator peer (bans
   * lifted, redials done). Returns how long it waited and what it waited for; after timeoutMs it
   * notes the links still down and goes on.
   */
  private async meshWhole(timeoutMs: number): Promise<{ ms: number; why: string }> {
    const t0 = Date.now();
    let why = "";
    for (;;) {
      const running = this.honestRunning();
      const missing: string[] = [];
      await Promise.all(
        running.map(async (i) => {
          const s = await this.cluster.status(i, 1000);
          const have = new Set((s?.peers ?? []).filter((p) => p.validator).map((p) => p.id));
          for (let j = 0; j < this.n; j++) if (j !== i && !have.has(this.cluster.id(j))) missing.push(`${this.cluster.id(i)}-${this.cluster.id(j)}`);
        }),
      );
      if (missing.length === 0) return { ms: Date.now() - t0, why };
      why = `links ${missing.sort().join(", ")}`;
      if (Date.now() - t0 > timeoutMs) {
        this.notes.push(`validator links still down before the next fault after ${timeoutMs / 1000} s: ${why}`);
        return { ms: Date.now() - t0, why };
      }
      await sleep(250);
    }
  }

  private async mempoolsEmpty(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const sizes = await Promise.all(this.available().map((i) => this.cluster.status(i, 1000).then((s) => s?.mempool.txs ?? 0)));
      if (sizes.every((s) => s === 0)) return;
      await sleep(100);
    }
  }

  private async peersConnected(i: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = await this.cluster.status(i, 1000);
      if (s && s.peers.filter((p) => p.validator).length >= this.n - 1) return;
      await sleep(100);
    }
  }

  // ---- checks -------------------------------------------------------------------------------

  /**
   * Waits until every honest node has reached the height the network had when the fault ended.
   * Nodes still below it are left out of the load meanwhile (a load balancer's health check).
   */
  private async catchUp(when: string, timeoutMs = 120_000): Promise<bigint> {
    const honest = this.honestRunning();
    const heights = await Promise.all(honest.map((i) => this.auditor.height(i)));
    const target = heights.reduce<bigint>((a, b) => (b !== undefined && b > a ? b : a), 0n);
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const now = await Promise.all(honest.map((i) => this.auditor.height(i)));
        honest.forEach((i, k) => (this.state[i]!.lagging = now[k] === undefined || now[k]! < target));
        if (now.every((h) => h !== undefined && h >= target)) return now.reduce<bigint>((a, b) => (b! > a ? b! : a), 0n);
        if (Date.now() > deadline) {
          const behind = honest.filter((_, k) => now[k] === undefined || now[k]! < target).map((i) => `${this.cluster.id(i)} at ${now[honest.indexOf(i)] ?? "?"}`);
          this.failures.push(`${when}: not caught up to height ${target} within ${timeoutMs / 1000} s: ${behind.join(", ")}`);
          return target;
        }
        await sleep(250);
      }
    } finally {
      for (const i of honest) this.state[i]!.lagging = false;
    }
  }

  private async check(when: string, final: boolean): Promise<void> {
    const honest: number[] = [];
    for (let i = 0; i < this.n; i++) {
      if (this.state[i]!.byzantine) continue;
      if (!this.cluster.isRunning(i)) {
        this.failures.push(`${when}: ${this.cluster.id(i)} is not running (see ${this.cluster.logFile(i)})`);
        continue;
      }
      honest.push(i);
    }
    const acked = [...this.load.acked];
    await Promise.all(
      honest.map(async (i) => {
        const s = await this.cluster.status(i, 5000);
        if (s?.halted) this.failures.push(`${when}: ${this.cluster.id(i)} halted: ${s.halted}`);
        await this.auditor.checkBlocks(i);
        await this.auditor.sampleTxIndex(i, acked, final ? 50 : 5, this.rand);
        this.signatures.read(this.cluster.id(i), join(this.nodeDir(i), "signed.jsonl"));
      }),
    );
    // Block listings from one node (they are the same blocks on all, checked above), rotating.
    if (honest.length > 0) await this.auditor.checkAcked(honest[this.checks++ % honest.length]!, acked);
    if (final) {
      for (const i of honest) {
        const missing = this.auditor.missingOn(i, acked);
        if (missing.length > 0) this.failures.push(`${when}: ${missing.length} acknowledged transactions above ${this.cluster.id(i)}'s head ${this.auditor.checkedHeight(i)}`);
      }
      const unverified = acked.length - this.auditor.verifiedCount;
      if (unverified > 0) this.failures.push(`${when}: ${unverified} acknowledged transactions never found in their block`);
    }
    const lost = this.auditor.lost.length;
    const divergent = this.auditor.divergences.length;
    const conflicts = this.signatures.conflicts();
    if (lost > 0) this.failures.push(`${when}: ${lost} acknowledged transactions missing or different: ${this.auditor.lost.slice(0, 3).map((l) => `${l.node} ${l.hash} @${l.height} (${l.why})`).join("; ")}`);
    if (divergent > 0) this.failures.push(`${when}: ${divergent} divergent blocks: ${this.auditor.divergences.slice(0, 3).map((d) => `${d.node} @${d.height} ${d.hash} != ${d.expected}`).join("; ")}`);
    if (conflicts.length > 0) this.failures.push(`${when}: ${conflicts.length} conflicting signatures by honest nodes: ${conflicts.slice(0, 3).map((c) => `${c.node} ${c.slot}: ${c.values.join(" vs ")}`).join("; ")}`);
    if (this.load.unexpected.length > 0) this.failures.push(`${when}: unexpected receipts: ${this.load.unexpected.slice(0, 3).join("; ")}`);
    if (this.monitor.maxStallMs > (this.opts.maxStallS ?? 30) * 1000) {
      this.failures.push(`${when}: no progress for ${(this.monitor.maxStallMs / 1000).toFixed(1)} s with at most f = ${this.f} faulty (${this.monitor.maxStallWhere})`);
    }
    for (const [kind, stall] of this.monitor.maxStallByKind) {
      const bound = this.opts.maxStallByKindS?.[kind as FaultKind];
      if (bound !== undefined && stall.ms > bound * 1000) {
        this.failures.push(`${when}: no progress for ${(stall.ms / 1000).toFixed(1)} s after a ${kind} fault, above its bound of ${bound} s (${stall.where})`);
      }
    }
    // de-duplicate failures reported again by later checks
    const unique = [...new Set(this.failures)];
    this.failures.length = 0;
    this.failures.push(...unique);
  }

  private async finish(): Promise<void> {
    if (this.aborted) return;
    const t0 = Date.now();
    await this.load.stop();
    this.monitor.stop();
    await this.catchUp("end");
    if (!(await this.cluster.converged({ timeoutMs: 60_000 }))) this.failures.push("end: the honest nodes did not converge on one head");
    await this.check("end", true);
    const heads = await this.cluster.heads();
    if (new Set(heads.map((h) => h.stateRoot)).size > 1) this.failures.push(`end: state roots differ at the head: ${heads.map((h) => `${h.id}@${h.height}=${h.stateRoot.slice(0, 12)}`).join(", ")}`);
    if (this.equivocationCycles > 0 && this.evidence.conflicts().length === 0) {
      this.failures.push("the Byzantine build equivocated but its evidence shows no conflicting signature: the detector does not work");
    }
    this.out(`chaos: final checks took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  private async result(t0: number): Promise<CampaignResult> {
    const acked = this.load?.acked.length ?? 0;
    const lost = this.auditor?.lost.length ?? 0;
    const divergent = this.auditor?.divergences.length ?? 0;
    const maxStallS = (this.monitor?.maxStallMs ?? 0) / 1000;
    const conflicts = this.signatures.conflicts();
    const byz = this.evidence.conflicts().length;
    const ok = this.failures.length === 0 && !this.aborted;
    const cycles = this.opts.cycles;
    const summary = `chaos: ${cycles} cycles, ${acked} acknowledged, ${lost} lost, ${divergent} divergent, ${maxStallS.toFixed(1)} s max stall`;
    const wallS = (Date.now() - t0) / 1000;
    if (this.load) {
      const s = this.load.stats;
      this.out(`chaos: load: ${s.flows} trade flows, ${s.submitted} submissions (${s.resubmissions} resubmitted to another node, ${s.gaveUp} given up with unknown outcome)`);
    }
    this.out(`chaos: checked ${this.auditor?.blocksCompared ?? 0} blocks against the reference chain (height ${this.auditor?.referenceHeight ?? 0}), ${this.signatures.linesRead} signed-message records: ${conflicts.length} conflicting signatures by honest nodes; Byzantine build: ${byz} equivocations seen in its evidence`);
    if (this.monitor) this.out(`chaos: longest stall ${maxStallS.toFixed(1)} s during ${this.monitor.maxStallWhere || "-"}; wall time ${wallS.toFixed(0)} s`);
    const stallByKind: CampaignResult["stallByKind"] = {};
    for (const [kind, stall] of this.monitor?.maxStallByKind ?? []) stallByKind[kind as FaultKind] = { s: stall.ms / 1000, where: stall.where };
    const kinds = (["start", ...FAULT_KINDS] as const).filter((k) => k === "start" || (this.opts.faults ?? FAULT_KINDS).includes(k));
    if (this.monitor) {
      const parts = kinds.map((k) => `${k} ${stallByKind[k] ? stallByKind[k].s.toFixed(1) : "0.0"} s${this.opts.maxStallByKindS?.[k as FaultKind] !== undefined ? ` (bound ${this.opts.maxStallByKindS[k as FaultKind]} s)` : ""}`);
      this.out(`chaos: longest stall per fault kind: ${parts.join(", ")}`);
      for (const k of kinds) if (stallByKind[k] && stallByKind[k].s >= 1) this.out(`chaos:   ${k}: ${stallByKind[k].s.toFixed(1)} s in ${stallByKind[k].where}`);
    }
    for (const n of summarise(this.notes)) this.out(`chaos: ${n}`);
    for (const f of this.failures) this.out(`chaos: FAILED: ${f}`);
    this.out(summary);
    return {
      ok,
      cycles,
      acked,
      lost,
      divergent,
      conflicts,
      byzantineEquivocations: byz,
      maxStallS,
      stallByKind,
      failures: [...this.failures],
      notes: [...this.notes],
      partitions: this.topo ? "netns" : `libp2p filter (${this.fallbackReason})`,
      wallS,
      summary,
      dir: this.cluster?.dir ?? "",
    };
  }
}

/** The newest regular, non-empty file under dir (recursively, matching `pattern`), by modification time. */
export function newestFile(dir: string, pattern = /./): string | undefined {
  let best: { file: string; mtime: number } | undefined;
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const st = statSync(p);
        if (st.size > 0 && pattern.test(e.name) && (!best || st.mtimeMs > best.mtime)) best = { file: p, mtime: st.mtimeMs };
      }
    }
  };
  walk(dir);
  return best?.file;
}

function summarise(notes: string[]): string[] {
  const counts = new Map<string, number>();
  for (const n of notes) {
    const key = n.replace(/ on [a-z0-9-]+$/, "");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([n, k]) => `${k} x ${n}`);
}
