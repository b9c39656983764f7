// A network of real validator processes for multi-process tests, the benchmark and the fault
// campaign: each node is `node dist/node/cli/cli.js start --config <node.json>` (exactly what an
// operator runs), killed with real signals (SIGKILL, SIGSTOP/SIGCONT, SIGTERM), restarted from its
// data folder, and observed only through its HTTP API, like any client.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { createDevnet, type DevnetNode, type Network } from "../config/devnet.js";
import { nodeConfigSchema, type Genesis, type NodeConfig } from "../config/schema.js";
import { createClient, type TradeLedgerClient } from "../sdk/client.js";
import { signerFromSeed, type Signer } from "../sdk/signer.js";
import { loadKeyFile, parseWith, readJsonFile, writeJsonFile, writeKeyFile } from "../config/load.js";
import { toHex } from "../sdk/bytes.js";
import { nodeCrypto } from "../node/crypto.js";
import type { StatusJson } from "../sdk/api/schemas.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "node", "cli", "cli.js");

export interface ClusterOptions {
  validators?: 4 | 7;
  consensus?: Partial<Genesis["consensus"]>;
  ledger?: Partial<Genesis["ledger"]>;
  /** where the devnet lives (default: a new temp folder, removed by destroy()) */
  dir?: string;
  /** extra environment for every node process */
  env?: NodeJS.ProcessEnv;
  /** node log level (default info) */
  logLevel?: "debug" | "info" | "warn" | "error";
  /** extra node.js flags per node, e.g. ["--cpu-prof"] */
  nodeArgs?: string[];
  /** per node: p2p listen address and RPC host (default 127.0.0.1; see createDevnet) */
  hosts?: { p2p: string; rpc: string }[];
  /** per node: a command prefix to run the node under, e.g. ["ip", "netns", "exec", "ns0"] */
  launcher?: (i: number) => string[];
  /** overrides of every node's config (e.g. the benchmark lifts the RPC rate limit) */
  rpc?: Partial<NodeConfig["rpc"]>;
  mempool?: Partial<NodeConfig["mempool"]>;
  /**
   * BANK parties registered at genesis that run no validator yet, each with a node key and a node
   * config made up front (a bank about to join by a validator-set change, docs/governance.md §7).
   * Their nodes come after the genesis validators in `net.nodes` (index `validators` on); startAll()
   * does not start them: start(i) does, once the test wants them up.
   */
  joiners?: string[];
}

/** A node process as /proc sees it (Linux). */
export interface ProcStats {
  /** user + system CPU time since the process started, seconds */
  cpuSeconds: number;
  /** resident set size now, bytes */
  rssBytes: number;
  /** peak resident set size (VmHWM), bytes */
  peakRssBytes: number;
}

/** CPU time and memory of a process from /proc/<pid>/stat and /proc/<pid>/status; undefined if it is gone. */
export function procStats(pid: number): ProcStats | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: ticks / CLOCK_TICKS, rssBytes: kb("VmRSS"), peakRssBytes: kb("VmHWM") };
  } catch {
    return undefined;
  }
}
/** sysconf(_SC_CLK_TCK): 100 on Linux for every architecture Node supports. */
const CLOCK_TICKS = 100;

/** Consensus timeouts short enough that a view change takes about a second in tests. */
export const FAST_CONSENSUS: Partial<Genesis["consensus"]> = {
  requestTimeoutMs: 1000,
  viewChangeTimeoutMs: 1000,
  maxViewChangeTimeoutMs: 8000,
  checkpointInterval: 5,
  watermarkWindow: 20,
};

interface Proc {
  child?: ChildProcess;
  log: WriteStream;
  exited?: Promise<void>;
  starts: number;
}

/**
 * The ports the kernel hands to outgoing connections (net.ipv4.ip_local_port_range). A listen port
 * chosen there can be taken by any client socket between the probe and the listen (a test under
 * load opens thousands), so ranges are picked below it.
 */
function ephemeralPorts(): [number, number] {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi) && lo! <= hi!) return [lo!, hi!];
  } catch {
    // not Linux: the IANA dynamic range
  }
  return [49152, 65535];
}

/**
 * Consecutive free TCP ports on 127.0.0.1 (the devnet numbers nodes from a base port), outside the
 * ephemeral range and at least `count` away from each base in `avoid`.
 */
export async function freePortRange(count: number, avoid: number[] = []): Promise<number> {
  const [ephLo, ephHi] = ephemeralPorts();
  const windows: [number, number][] = [];
  if (ephLo - 10_000 > 100 + count) windows.push([10_000, ephLo - count]);
  if (65_535 - ephHi > 100 + count) windows.push([ephHi + 1, 65_536 - count]);
  if (windows.length === 0) windows.push([1024, 65_536 - count]);
  for (let attempt = 0; attempt < 100; attempt++) {
    const [lo, hi] = windows[attempt % windows.length]!;
    const base = lo + Math.floor(Math.random() * (hi - lo));
    if (avoid.some((a) => Math.abs(a - base) < count)) continue;
    const free = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<boolean>((resolve) => {
            const s = createServer();
            s.once("error", () => resolve(false));
            s.listen(base + i, "127.0.0.1", () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (free.every(Boolean)) return base;
  }
  throw new Error("no free port range found");
}

export class Cluster {
  readonly procs: Proc[];
  private readonly clients = new Map<string, TradeLedgerClient>();
  private readonly signers = new Map<string, Signer>();

  private constructor(
    readonly dir: string,
    readonly net: Network,
    private readonly opts: ClusterOptions,
    private readonly ownsDir: boolean,
  ) {
    this.procs = net.nodes.map((n) => ({ log: createWriteStream(join(dirname(n.configFile), "node.log"), { flags: "a" }), starts: 0 }));
  }

  static async create(opts: ClusterOptions = {}): Promise<Cluster> {
    const n = opts.validators ?? 4;
    const joiners = opts.joiners ?? [];
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "tl-cluster-"));
    const rpcBase = await freePortRange(n + joiners.length);
    const p2pBase = await freePortRange(n + joiners.length, [rpcBase]);
    const net = createDevnet({
      dir,
      validators: n,
      rpcBasePort: rpcBase,
      p2pBasePort: p2pBase,
      consensus: opts.consensus ?? FAST_CONSENSUS,
      ...(opts.ledger ? { ledger: opts.ledger } : {}),
      ...(opts.hosts ? { hosts: opts.hosts } : {}),
      ...(joiners.length > 0 ? { extraParties: joiners.map((id) => ({ id, role: "BANK" as const, name: `${id} (joins the validators later)`, country: "SG" })) } : {}),
    });
    net.nodes.push(
      ...joiningNodes(
        dir,
        joiners,
        (k) => opts.hosts?.[n + k] ?? { p2p: "127.0.0.1", rpc: "127.0.0.1" },
        (k) => p2pBase + n + k,
        (k) => rpcBase + n + k,
      ),
    );
    if (opts.rpc || opts.mempool) {
      for (const node of net.nodes) {
        const config = readJsonFile(node.configFile) as NodeConfig;
        if (opts.rpc) config.rpc = { ...config.rpc, ...opts.rpc };
        if (opts.mempool) config.mempool = { ...config.mempool, ...opts.mempool };
        writeJsonFile(node.configFile, config);
      }
    }
    return new Cluster(dir, net, opts, opts.dir === undefined);
  }

  get size(): number {
    return this.net.nodes.length;
  }

  id(i: number): string {
    return this.net.nodes[i]!.id;
  }

  url(i: number): string {
    return this.net.nodes[i]!.rpcUrl;
  }

  isRunning(i: number): boolean {
    const c = this.procs[i]!.child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  pid(i: number): number | undefined {
    return this.procs[i]!.child?.pid;
  }

  /** CPU time and memory of node i's process, if it runs. */
  procStats(i: number): ProcStats | undefined {
    const pid = this.isRunning(i) ? this.pid(i) : undefined;
    return pid === undefined ? undefined : procStats(pid);
  }

  /**
   * Starts node i and resolves once its RPC answers (or rejects after timeoutMs). `entry` runs
   * another build instead of `tradeledger start` (the fault campaign's Byzantine validator):
   * `node <script> ...args --config <node.json>`, and/or adds environment for this start only.
   */
  async start(i: number, timeoutMs = 30_000, entry?: { script?: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<void> {
    const p = this.procs[i]!;
    if (this.isRunning(i)) return;
    const program = entry?.script ? [entry.script, ...(entry.args ?? [])] : [CLI, "start"];
    const command = [...(this.opts.launcher?.(i) ?? []), process.execPath, ...(this.opts.nodeArgs ?? []), ...program, "--config", this.net.nodes[i]!.configFile];
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TRADELEDGER_LOG_LEVEL: this.opts.logLevel ?? "info", ...this.opts.env, ...entry?.env },
      cwd: dirname(this.net.nodes[i]!.configFile),
    });
    p.child = child;
    p.starts++;
    child.stdout!.pipe(p.log, { end: false });
    child.stderr!.pipe(p.log, { end: false });
    p.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.isRunning(i)) throw new Error(`${this.id(i)} exited during start-up (code ${child.exitCode}, signal ${child.signalCode}); see ${this.logFile(i)}`);
      try {
        const s = await this.status(i, 1000);
        if (s) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${this.id(i)} did not answer on ${this.url(i)} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** Starts the genesis validators (not the joiners: see ClusterOptions.joiners). */
  async startAll(timeoutMs?: number): Promise<void> {
    await Promise.all(this.net.nodes.slice(0, this.genesisValidators).map((_, i) => this.start(i, timeoutMs)));
  }

  /** How many of `net.nodes` are genesis validators (the rest are joiners). */
  get genesisValidators(): number {
    return this.opts.validators ?? 4;
  }

  /** Node i's node public key (hex), what a validator-set proposal names. */
  nodePublicKey(i: number): string {
    return toHex(nodeCrypto.publicKeyFromSeed(loadKeyFile(join(dirname(this.net.nodes[i]!.configFile), "node-key.json")).seed));
  }

  logFile(i: number): string {
    return join(dirname(this.net.nodes[i]!.configFile), "node.log");
  }

  /** Sends a signal; for SIGKILL/SIGTERM waits until the process is gone. */
  async signal(i: number, signal: NodeJS.Signals): Promise<void> {
    const p = this.procs[i]!;
    if (!p.child || !this.isRunning(i)) return;
    p.child.kill(signal);
    if (signal === "SIGKILL" || signal === "SIGTERM" || signal === "SIGINT") await p.exited;
  }

  kill(i: number): Promise<void> {
    return this.signal(i, "SIGKILL");
  }

  pause(i: number): Promise<void> {
    return this.signal(i, "SIGSTOP");
  }

  resume(i: number): Promise<void> {
    return this.signal(i, "SIGCONT");
  }

  /** Clean stop (SIGTERM), killing after graceMs. */
  async stop(i: number, graceMs = 15_000): Promise<void> {
    const p = this.procs[i]!;
    if (!p.child || !this.isRunning(i)) return;
    p.child.kill("SIGCONT");
    p.child.kill("SIGTERM");
    const timer = setTimeout(() => p.child?.kill("SIGKILL"), graceMs);
    await p.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.net.nodes.map((_, i) => this.stop(i)));
  }

  async destroy(): Promise<void> {
    await this.stopAll();
    for (const p of this.procs) p.log.end();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  // ---- observing, as a client ---------------------------------------------------------------------

  signer(partyId: string): Signer {
    let s = this.signers.get(partyId);
    if (!s) {
      const party = this.net.parties.find((p) => p.id === partyId);
      if (!party) throw new Error(`no devnet party ${partyId}`);
      // node:crypto signs ~10x faster than noble: load generators need it (identical signatures).
      s = signerFromSeed(partyId, loadKeyFile(party.keyFile).seed, nodeCrypto);
      this.signers.set(partyId, s);
    }
    return s;
  }

  /** An SDK client against node i, signing reads as `partyId` (default: the auditor, who sees all). */
  client(i: number, partyId = "auditor"): TradeLedgerClient {
    const key = `${i}/${partyId}`;
    let c = this.clients.get(key);
    if (!c) {
      c = createClient({ url: this.url(i), signer: this.signer(partyId), timeoutMs: 60_000 });
      this.clients.set(key, c);
    }
    return c;
  }

  /** Node i's status, or undefined if it does not answer within timeoutMs. */
  async status(i: number, timeoutMs = 3000): Promise<StatusJson | undefined> {
    try {
      const res = await fetch(`${this.url(i)}/v1/status`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return undefined;
      return (await res.json()) as StatusJson;
    } catch {
      return undefined;
    }
  }

  /** Heights and state roots of the running nodes. */
  async heads(): Promise<{ i: number; id: string; height: bigint; stateRoot: string; headHash: string; view?: string }[]> {
    const out = [];
    for (let i = 0; i < this.size; i++) {
      if (!this.isRunning(i)) continue;
      const s = await this.status(i);
      if (s) out.push({ i, id: this.id(i), height: BigInt(s.height), stateRoot: s.stateRoot, headHash: s.headHash, ...(s.view !== undefined ? { view: s.view } : {}) });
    }
    return out;
  }

  /** Waits until every running node is at the same height (>= minHeight) with the same head. */
  async converged(opts: { minHeight?: bigint; timeoutMs?: number; nodes?: number[] } = {}): Promise<boolean> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      let heads = await this.heads();
      if (opts.nodes) heads = heads.filter((h) => opts.nodes!.includes(h.i));
      const expected = opts.nodes ? opts.nodes.length : this.procs.filter((_, i) => this.isRunning(i)).length;
      if (heads.length === expected && heads.length > 0) {
        const first = heads[0]!;
        if (first.height >= (opts.minHeight ?? 0n) && heads.every((h) => h.height === first.height && h.headHash === first.headHash)) return true;
      }
      if (Date.now() > deadline) return false;
      await sleep(200);
    }
  }

  /** The PBFT primary according to node i (undefined if it does not answer). */
  async primary(i = 0): Promise<number | undefined> {
    const s = await this.status(i);
    if (!s?.primary) return undefined;
    const idx = this.indexOf(s.primary);
    return idx < 0 ? undefined : idx;
  }

  /** The index of the validator with this id, or -1. */
  indexOf(id: string): number {
    return this.net.nodes.findIndex((n) => n.id === id);
  }
}

/**
 * The joining banks' nodes (ClusterOptions.joiners): each one's node key, generated now (its public
 * key goes into the proposal that adds it), and its config, in the folder layout of the genesis
 * validators'. Configured as docs/governance.md §7 describes for a bank that joins: a validator config
 * naming its own party (a key in no set: it follows until a set with its key takes over); it dials the
 * genesis validators (their addresses are in the genesis) and, in `p2p.extraPeers`, the other joining
 * banks (validators added after genesis have no address in it).
 */
function joiningNodes(dir: string, ids: string[], hostOf: (k: number) => { p2p: string; rpc: string }, p2pPort: (k: number) => number, rpcPort: (k: number) => number): DevnetNode[] {
  const keys = ids.map((id) => {
    const seed = new Uint8Array(randomBytes(32));
    writeKeyFile(join(dir, "nodes", id, "node-key.json"), { seed });
    return toHex(nodeCrypto.publicKeyFromSeed(seed));
  });
  const p2pOf = (k: number) => `/ip4/${hostOf(k).p2p}/tcp/${p2pPort(k)}`;
  return ids.map((id, k) => {
    const nodeDir = join(dir, "nodes", id);
    const config = parseWith(
      nodeConfigSchema,
      {
        dataDir: "data",
        genesisFile: "../../genesis.json",
        nodeKeyFile: "node-key.json",
        mode: "validator",
        validatorId: id,
        p2p: { listen: [p2pOf(k)], extraPeers: ids.flatMap((other, j) => (j === k ? [] : [{ id: other, nodePublicKey: keys[j]!, addresses: [p2pOf(j)] }])) },
        rpc: { host: hostOf(k).rpc, port: rpcPort(k) },
        log: { level: "info" },
      },
      `${id}'s node config`,
    );
    const configFile = join(nodeDir, "node.json");
    writeJsonFile(configFile, config);
    return { id, rpcUrl: `http://${hostOf(k).rpc}:${rpcPort(k)}`, rpcPort: rpcPort(k), p2p: p2pOf(k), configFile, dataDir: join(nodeDir, "data") };
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
