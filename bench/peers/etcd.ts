// etcd beside us: three members on loopback (Debian's etcd-server, Raft, every put fsync'd to the
// WAL of a majority before it is acknowledged), driven with the shapes of our benchmark: puts of
// unique 32-byte keys (a fingerprint) with a 32-byte value (the document hash), each its own
// request, spread over the members as our generator spreads over the validators.
//
// The client is etcd's own HTTP/JSON gateway (POST /v3/kv/put, base64 fields) over keep-alive
// HTTP/1.1 with node:http: the same transport our generator uses against our RPC, so the ratio
// compares the servers and not two client stacks, and no gRPC client library is added. The gateway
// costs etcd some CPU per request (JSON to gRPC inside the member) as koa and JSON cost us ours;
// etcd's gRPC clients would be faster, which the report says.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { freePortRange, procStats, sleep } from "../../tools/cluster.js";
import { ensureDebianPackages, which } from "./install.js";
import { runLoad, type LoadFigures, type LoadSpec } from "./load.js";

export interface PeerPhase {
  load: LoadFigures;
  /** CPU time of all server processes in the window per completed operation, ms */
  cpuMsPerOp: number;
  /** CPU of all server processes in the window, % of one core */
  cpuPercent: number;
}

export interface PeerRun {
  system: string;
  version: string;
  setup: string;
  phases: PeerPhase[];
  /** what the run checked at the end, and whether it held */
  check: { ok: boolean; detail: string };
}

export function ensureEtcd(log: (s: string) => void): void {
  ensureDebianPackages([{ present: () => which("etcd") !== undefined, packages: ["etcd-server"] }], log);
}

/** CPU seconds of a set of processes (those gone count as 0: the caller keeps them alive across a window). */
export function cpuSecondsOf(pids: number[]): number {
  return pids.reduce((s, p) => s + (procStats(p)?.cpuSeconds ?? 0), 0);
}

/** Measures `spec` with the servers' CPU sampled at the window's edges. */
export async function measured(spec: LoadSpec, pids: () => number[], op: (i: number) => Promise<void>): Promise<PeerPhase> {
  let cpu0 = 0;
  let cpu1 = 0;
  let t0 = 0;
  let t1 = 0;
  const load = await runLoad(spec, op, (edge) => {
    if (edge === "open") {
      cpu0 = cpuSecondsOf(pids());
      t0 = performance.now();
    } else {
      cpu1 = cpuSecondsOf(pids());
      t1 = performance.now();
    }
  });
  const cpu = cpu1 - cpu0;
  return { load, cpuMsPerOp: (1000 * cpu) / Math.max(1, load.ops), cpuPercent: (100 * cpu) / ((t1 - t0) / 1000) };
}

interface Member {
  name: string;
  client: number;
  peer: number;
  child?: ChildProcess;
}

export async function runEtcd(opts: { dir: string; specs: LoadSpec[]; log: (s: string) => void }): Promise<PeerRun> {
  const { log } = opts;
  const bin = which("etcd")!;
  const base = await freePortRange(6);
  const members: Member[] = [0, 1, 2].map((i) => ({ name: `m${i}`, client: base + i, peer: base + 3 + i }));
  const cluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(",");
  const version = /etcd Version: (\S+)/.exec(await output(bin, ["--version"]))?.[1] ?? "?";
  for (const m of members) {
    const dataDir = join(opts.dir, "etcd", m.name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    m.child = spawn(
      bin,
      [
        `--name=${m.name}`,
        `--data-dir=${dataDir}`,
        `--listen-client-urls=http://127.0.0.1:${m.client}`,
        `--advertise-client-urls=http://127.0.0.1:${m.client}`,
        `--listen-peer-urls=http://127.0.0.1:${m.peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${m.peer}`,
        `--initial-cluster=${cluster}`,
        "--initial-cluster-token=tradeledger-bench",
        "--initial-cluster-state=new",
        "--logger=zap",
        "--log-level=error",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    m.child.stderr!.on("data", () => undefined);
  }
  const pids = () => members.map((m) => m.child!.pid!).filter(Boolean);
  const agents = members.map(() => new Agent({ keepAlive: true, maxSockets: 256 }));
  try {
    // Up when every member answers /health with a leader elected.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await Promise.all(members.map((m) => httpJson(m.client, "GET", "/health", undefined, agents[0]!).then((r) => r.status === 200 && (r.json as { health?: string }).health === "true", () => false)));
      if (ok.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error("etcd did not come up within 60 s");
      await sleep(200);
    }
    const tag = `${process.pid}-${Date.now()}`;
    let acked = 0;
    let attempt = 0; // across phases: every key is new
    const put = async () => {
      const i = attempt++;
      const key = createHash("sha256").update(`fingerprint/${tag}/${i}`).digest();
      const value = createHash("sha256").update(`document/${tag}/${i}`).digest();
      const m = i % members.length;
      const r = await httpJson(members[m]!.client, "POST", "/v3/kv/put", { key: key.toString("base64"), value: value.toString("base64") }, agents[m]!);
      if (r.status !== 200 || !(r.json as { header?: { revision?: string } }).header?.revision) throw new Error(`put: HTTP ${r.status}`);
      acked++;
    };
    const phases: PeerPhase[] = [];
    for (const spec of opts.specs) {
      const p = await measured(spec, pids, put);
      phases.push(p);
      log(`  etcd ${describe(spec)}: ${fmt(p.load.perSecond)} puts/s, p50 ${fmt(p.load.latencyMs.p50, 1)} ms, p99 ${fmt(p.load.latencyMs.p99, 1)} ms; CPU ${fmt(p.cpuPercent)}% of one core (3 members), ${fmt(p.cpuMsPerOp, 3)} ms per put; errors ${p.load.errors}, unanswered ${p.load.unanswered}`);
    }
    // Every acknowledged put is there: count every key (range over the whole keyspace).
    const count = await httpJson(members[0]!.client, "POST", "/v3/kv/range", { key: Buffer.from([0]).toString("base64"), range_end: Buffer.from([0]).toString("base64"), count_only: true, serializable: false }, agents[0]!);
    const stored = Number((count.json as { count?: string }).count ?? 0);
    return {
      system: "etcd",
      version,
      setup: "3 members on loopback, default settings (WAL fsync per batch), HTTP/JSON gateway, unique 32-byte keys and values",
      phases,
      check: { ok: stored === acked, detail: `${acked} puts acknowledged, ${stored} keys stored` },
    };
  } finally {
    for (const a of agents) a.destroy();
    await Promise.all(members.map((m) => stopChild(m.child)));
  }
}

export function describe(spec: LoadSpec): string {
  return spec.mode === "closed" ? `closed loop, ${spec.clients} clients` : `open loop, ${spec.rate}/s offered`;
}

export const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");

export function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

function output(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let s = "";
    c.stdout!.on("data", (d) => (s += d));
    c.stderr!.on("data", (d) => (s += d));
    c.once("exit", () => resolve(s));
    c.once("error", () => resolve(s));
  });
}

function httpJson(port: number, method: string, path: string, body: unknown, agent: Agent): Promise<{ status: number; json: unknown }> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request({ hostname: "127.0.0.1", port, path, method, agent, headers: data ? { "content-type": "application/json", "content-length": data.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        let json: unknown = {};
        try {
          json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on("error", reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(data);
  });
}
