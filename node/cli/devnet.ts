// The devnet supervisor behind `npm start` / `tradeledger devnet`: creates the network once under
// a folder, runs one OS process per validator (the same `tradeledger start` an operator runs),
// writes each node's JSON log to its folder, shows a readable digest on the console, and on Ctrl-C
// stops every node cleanly (SIGTERM, then SIGKILL after a grace period).
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, createWriteStream, statSync, type WriteStream } from "node:fs";
import { privateLogFile } from "../log.js";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { DEVNET_RULES, ensureDevnet, type Network, type DevnetOptions } from "../../config/devnet.js";
import { createClient, loadSigner } from "../../sdk/client.js";
import { tx } from "../../sdk/builders.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "cli.js");
const GRACE_MS = 10_000;
const LEVEL_COLUMN: Record<string, string> = { trace: "TRACE", debug: "DEBUG", info: "INFO ", warn: "WARN ", error: "ERROR", fatal: "FATAL" };

export interface SupervisorOptions extends DevnetOptions {
  /** console output; default process.stdout */
  out?: NodeJS.WritableStream;
  /** show debug lines on the console too */
  verbose?: boolean;
  /** extra env for every node process */
  env?: NodeJS.ProcessEnv;
  /** have the regulator set the sample supervision rules (DEVNET_RULES) once the network is up; default true */
  sampleRules?: boolean;
}

interface Child {
  id: string;
  proc?: ChildProcess;
  log: WriteStream;
  restarts: number[];
  stopping: boolean;
}

/** Formats one JSON log line for the console; returns null for lines below the shown level. */
export function formatLogLine(id: string, line: string, verbose: boolean): string | null {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line);
  } catch {
    return `${id.padEnd(16)} ${line}`; // not JSON (e.g. a native crash message): show it as is
  }
  const level = String(rec.level ?? "info");
  if (!verbose && (level === "debug" || level === "trace")) return null;
  // The audit log of reads (one line per read) stays in node.log; on the console it would drown the rest.
  if (!verbose && rec.msg === "read") return null;
  const time = typeof rec.time === "string" ? rec.time.slice(11, 19) : "";
  const { level: _l, time: _t, msg, node: _n, ...fields } = rec;
  const kv = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" ");
  return `${time} ${id.padEnd(16)} ${LEVEL_COLUMN[level] ?? level} ${String(msg ?? "")}${kv ? "  " + kv : ""}`;
}

/** A devnet created before folders were made 0700 is tightened on its next start. */
function tightenFolder(dir: string): void {
  const mode = statSync(dir).mode;
  if ((mode & 0o077) !== 0) chmodSync(dir, mode & 0o700);
}

/** A node's log on the devnet, appended to, mode 0600 (an older one is tightened). */
export function openNodeLog(file: string): WriteStream {
  privateLogFile(file);
  return createWriteStream(file, { flags: "a", mode: 0o600 });
}

export class DevnetSupervisor {
  readonly network: Network;
  readonly created: boolean;
  /** sample parties this (older) devnet's genesis lacks (config/devnet.ts ensureDevnet) */
  readonly missingParties: string[];
  private readonly children = new Map<string, Child>();
  private readonly out: NodeJS.WritableStream;
  private stopped = false;

  constructor(private readonly opts: SupervisorOptions) {
    const { network, created, missingParties } = ensureDevnet(opts);
    tightenFolder(opts.dir); // keys, configs and every node's data: this user's only (0700)
    this.network = network;
    this.created = created;
    this.missingParties = missingParties;
    this.out = opts.out ?? process.stdout;
  }

  /** The process id of a running node, by validator id (tests pause and resume nodes). */
  pidOf(id: string): number | undefined {
    return this.children.get(id)?.proc?.pid;
  }

  private print(line: string): void {
    this.out.write(line + "\n");
  }

  start(): void {
    const dir = this.opts.dir;
    this.print(`TradeLedger devnet ${this.created ? "created" : "resumed"} in ${relative(process.cwd(), dir) || "."} (chain ${this.network.chainId})`);
    for (const n of this.network.nodes) this.print(`  validator ${n.id.padEnd(16)} RPC ${n.rpcUrl}   p2p ${n.p2p}   log ${relative(process.cwd(), join(dirname(n.configFile), "node.log"))}`);
    this.print(`  party keys (dev only): ${relative(process.cwd(), join(dir, "keys"))}/<party>.json; network: ${relative(process.cwd(), join(dir, "network.json"))}`);
    this.print(`  explorer: ${this.network.nodes[0]!.rpcUrl}/explorer/ (every node serves it; load a party key from the keys folder to read; docs/explorer.md)`);
    if (this.missingParties.length > 0) {
      this.print(`  note: this devnet was created before the sample parties ${this.missingParties.join(", ")} existed; its genesis is kept as is (the chain continues).`);
      this.print(`        the examples (warrant-chain.mjs, pledge.mjs, buyer.mjs) onboard those they use through bank-a (registerParty); for a fresh devnet with all of them in genesis: stop, remove ${relative(process.cwd(), dir) || "."}, npm start`);
    }
    this.print(`  try: curl -s ${this.network.nodes[0]!.rpcUrl}/v1/status    stop: Ctrl-C (the chain continues on the next start)`);
    for (const n of this.network.nodes) {
      const log = openNodeLog(join(dirname(n.configFile), "node.log"));
      const child: Child = { id: n.id, log, restarts: [], stopping: false };
      this.children.set(n.id, child);
      this.spawnNode(child, n.configFile);
    }
    if (this.opts.sampleRules !== false) void this.installSampleRules();
  }

  /**
   * The regulator sets the sample supervision rules that are not active yet (a resumed devnet keeps
   * its rules, and those the regulator retired stay retired only until the next start). Waits for the
   * first node to be ready; gives up quietly when the devnet stops first.
   */
  private async installSampleRules(): Promise<void> {
    const regulator = this.network.parties.find((p) => p.role === "REGULATOR");
    if (!regulator) {
      this.print("  supervision: this devnet has no regulator party (created before it existed): no sample rules");
      return;
    }
    const client = createClient({ url: this.network.nodes[0]!.rpcUrl, signer: loadSigner(readFileSync(regulator.keyFile, "utf8"), regulator.id), timeoutMs: 10_000 });
    for (let attempt = 0; attempt < 600 && !this.stopped; attempt++) {
      try {
        if ((await client.status()).ready) {
          const active = new Set((await client.getRules()).items.map((r) => r.ruleId));
          const missing = DEVNET_RULES.filter((r) => !active.has(r.ruleId));
          for (const rule of missing) await client.submit(tx.setRule(rule));
          this.print(`  supervision: ${DEVNET_RULES.length} sample rules active (${DEVNET_RULES.map((r) => r.ruleId).join(", ")}); regulator key ${relative(process.cwd(), regulator.keyFile)}`);
          return;
        }
      } catch {
        // not ready yet, or a view change: try again
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private spawnNode(child: Child, configFile: string): void {
    const proc = spawn(process.execPath, [CLI, "start", "--config", configFile], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...this.opts.env },
    });
    child.proc = proc;
    for (const stream of [proc.stdout!, proc.stderr!]) {
      const rl = createInterface({ input: stream });
      rl.on("line", (line) => {
        child.log.write(line + "\n");
        const shown = formatLogLine(child.id, line, this.opts.verbose ?? false);
        if (shown !== null) this.print(shown);
      });
    }
    proc.on("exit", (code, signal) => {
      child.proc = undefined;
      if (child.stopping || this.stopped) return;
      this.print(`${child.id}: exited unexpectedly (code ${code}, signal ${signal}); see its node.log`);
      const now = Date.now();
      child.restarts = child.restarts.filter((t) => now - t < 60_000);
      if (child.restarts.length >= 5) {
        this.print(`${child.id}: crashed 5 times in a minute; leaving it stopped (the other validators go on while at most f are down)`);
        return;
      }
      child.restarts.push(now);
      setTimeout(() => {
        if (!this.stopped) this.spawnNode(child, configFile);
      }, 1000).unref();
    });
  }

  /** Stops every node: SIGTERM, then SIGKILL after the grace period. Resolves when all exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            c.stopping = true;
            const proc = c.proc;
            const finish = () => c.log.end(() => resolve());
            if (!proc || proc.exitCode !== null || proc.signalCode !== null) return finish();
            const timer = setTimeout(() => {
              this.print(`${c.id}: did not stop within ${GRACE_MS / 1000} s; killing it`);
              proc.kill("SIGKILL");
            }, GRACE_MS);
            proc.once("exit", () => {
              clearTimeout(timer);
              finish();
            });
            proc.kill("SIGTERM");
          }),
      ),
    );
  }
}
