// PostgreSQL beside us: the central registry a bank would pick instead of a ledger. One server
// (Debian's postgresql, a cluster of its own in the run's folder, default settings: fsync on,
// synchronous_commit on, so an acknowledged insert is on disk), one table with the ledger's two
// uniqueness rules (an invoice fingerprint and a document hash may each be registered once), and
// every registration its own transaction: INSERT ... VALUES (fingerprint, document hash, exporter).
// About 5% of attempts re-register a fingerprint already taken (the fraud of our mix) and must be
// refused with unique_violation (23505), as our ledger must refuse DUPLICATE_RECEIVABLE.
//
// The client is `pg` (node-postgres, the most used PostgreSQL client for Node) with a pool of
// connections and a named prepared statement, in this process: the same language and runtime as
// our load generator, so the ratio compares the servers.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { freePortRange, sleep } from "../../tools/cluster.js";
import { describe, fmt, measured, stopChild, type PeerPhase, type PeerRun } from "./etcd.js";
import { ensureDebianPackages, postgresBinDir } from "./install.js";
import type { LoadSpec } from "./load.js";

export function ensurePostgres(log: (s: string) => void): void {
  ensureDebianPackages([{ present: () => postgresBinDir() !== undefined, packages: ["postgresql"] }], log);
}

/** The postmaster and every process it started (backends, WAL writer, checkpointer...). */
function processTree(root: number): number[] {
  const out = [root];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === root) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** uid and gid of the `postgres` account (PostgreSQL refuses to run as root). */
function postgresAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root, but there is no postgres account to run PostgreSQL as (Debian's postgresql package creates it)");
  const f = line.split(":");
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

export async function runPostgres(opts: { dir: string; specs: LoadSpec[]; poolSize: number; fraudRate: number; log: (s: string) => void }): Promise<PeerRun> {
  const { log } = opts;
  const bin = postgresBinDir()!;
  const account = postgresAccount();
  const root = join(opts.dir, "postgres");
  const data = join(root, "data");
  mkdirSync(root, { recursive: true, mode: 0o700 });
  if (account) {
    chmodSync(opts.dir, 0o711); // the postgres account must reach its folder inside the run's
    chownSync(root, account.uid, account.gid);
  }
  const as = account ? { uid: account.uid, gid: account.gid } : {};
  const init = spawnSync(join(bin, "initdb"), ["-D", data, "--auth=trust", "-U", "bench", "--encoding=UTF8", "--locale=C"], { ...as, encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${(init.stderr || init.stdout).slice(-2000)}`);
  const version = /(\d+(\.\d+)?)/.exec(spawnSync(join(bin, "postgres"), ["--version"], { encoding: "utf8" }).stdout)?.[1] ?? "?";
  const port = await freePortRange(1);
  const maxConnections = opts.poolSize + 10;
  writeFileSync(join(root, "settings"), `port ${port}, max_connections ${maxConnections}\n`);
  const child: ChildProcess = spawn(
    join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", root, "-c", "listen_addresses=127.0.0.1", "-c", `max_connections=${maxConnections}`, "-c", "fsync=on", "-c", "synchronous_commit=on"],
    { ...as, stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr!.on("data", () => undefined);
  const pool = new pg.Pool({ host: "127.0.0.1", port, user: "bench", database: "postgres", max: opts.poolSize });
  pool.on("error", () => undefined); // a connection dropped while idle: the next query reports it
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await pool.query("SELECT 1");
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not come up within 60 s: ${(err as Error).message}`);
        await sleep(200);
      }
    }
    await pool.query(`CREATE TABLE registry (
      fingerprint bytea PRIMARY KEY,
      document_hash bytea NOT NULL UNIQUE,
      exporter text NOT NULL,
      registered_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Every connection of the pool open before the measurement (no connect in the window).
    await Promise.all(Array.from({ length: opts.poolSize }, () => pool.query("SELECT 1")));
    const tag = `${process.pid}-${Date.now()}`;
    const taken: Buffer[] = [];
    let inserted = 0;
    let refused = 0;
    let fraudAccepted = 0;
    let attempt = 0; // across phases: every registration is new
    const insert = async () => {
      const i = attempt++;
      // deterministic per attempt: every ~20th re-registers a fingerprint taken earlier
      const fraud = taken.length > 0 && (i * 2654435761) % 1000 < opts.fraudRate * 1000;
      const fingerprint = fraud ? taken[i % taken.length]! : createHash("sha256").update(`fingerprint/${tag}/${i}`).digest();
      const documentHash = createHash("sha256").update(`document/${tag}/${i}`).digest();
      try {
        await pool.query({ name: "register", text: "INSERT INTO registry (fingerprint, document_hash, exporter) VALUES ($1, $2, $3)", values: [fingerprint, documentHash, `EXP-${i % 16}`] });
      } catch (err) {
        if (fraud && (err as { code?: string }).code === "23505") {
          refused++;
          return;
        }
        throw err;
      }
      if (fraud) fraudAccepted++;
      else {
        inserted++;
        if (taken.length < 100_000) taken.push(fingerprint);
      }
    };
    const phases: PeerPhase[] = [];
    for (const spec of opts.specs) {
      const p = await measured(spec, () => processTree(child.pid!), insert);
      phases.push(p);
      log(`  postgres ${describe(spec)}: ${fmt(p.load.perSecond)} inserts/s, p50 ${fmt(p.load.latencyMs.p50, 1)} ms, p99 ${fmt(p.load.latencyMs.p99, 1)} ms; CPU ${fmt(p.cpuPercent)}% of one core (all server processes), ${fmt(p.cpuMsPerOp, 3)} ms per insert; errors ${p.load.errors}, unanswered ${p.load.unanswered}`);
    }
    const rows = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM registry")).rows[0]!.n);
    return {
      system: "postgres",
      version,
      setup: `one server, fsync and synchronous_commit on, a pool of ${opts.poolSize} connections, one INSERT per transaction into a table unique on fingerprint and document hash, ${Math.round(opts.fraudRate * 100)}% duplicate fingerprints`,
      phases,
      check: {
        ok: rows === inserted && fraudAccepted === 0,
        detail: `${inserted} inserts acknowledged, ${rows} rows stored; ${refused} duplicate fingerprints refused (23505), ${fraudAccepted} accepted`,
      },
    };
  } finally {
    await pool.end().catch(() => undefined);
    // SIGINT: PostgreSQL's fast shutdown
    await stopChild(child, "SIGINT");
  }
}
