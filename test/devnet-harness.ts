// A real multi-process devnet for end-to-end tests (the `npm start` supervisor on free ports in a
// temp folder, fast consensus timeouts), the helpers every devnet test needs around it, and a child
// process runner for the examples and the CLI.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { createClient, loadSigner, type TradeLedgerClient } from "../sdk/client.js";
import type { Signer } from "../sdk/signer.js";
import { DevnetSupervisor } from "../node/cli/devnet.js";
import { freePortRange } from "../tools/cluster.js";

/** The checkout's root (tests run compiled, from dist/test/). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs a command from the root; resolves with its exit code and output (SIGKILL after timeoutMs). */
export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

interface Teardown {
  teardown(fn: () => unknown): void;
  comment(...args: unknown[]): void;
}

export interface TestDevnet {
  dir: string;
  supervisor: DevnetSupervisor;
  network: DevnetSupervisor["network"];
  /** a sample party's signer (its key from the devnet's keys folder) */
  signerOf(party: string): Signer;
  /** a sample party's client on node `node` */
  clientOf(party: string, node: number): TradeLedgerClient;
  /** waits until every node answers, is ready and sees at least 2 validator peers; the nodes that never did */
  waitReady(): Promise<string[]>;
}

/** Starts a devnet in a temp folder (removed at teardown unless KEEP_DEVNET is set). */
export async function startTestDevnet(
  t: Teardown,
  prefix: string,
  opts: { ledger?: ConstructorParameters<typeof DevnetSupervisor>[0]["ledger"]; beforeStart?: (network: DevnetSupervisor["network"], dir: string) => void | Promise<void> } = {},
): Promise<TestDevnet> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const rpcBase = await freePortRange(4);
  const p2pBase = await freePortRange(4, [rpcBase]);
  const consoleOut = new PassThrough();
  consoleOut.pipe(createWriteStream(join(dir, "console.log")));
  const supervisor = new DevnetSupervisor({
    dir,
    rpcBasePort: rpcBase,
    p2pBasePort: p2pBase,
    consensus: { requestTimeoutMs: 1500, viewChangeTimeoutMs: 1500 },
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
    out: consoleOut,
  });
  // e.g. admit an observer: validators read p2p.observers from their configs when they start
  await opts.beforeStart?.(supervisor.network, dir);
  supervisor.start();
  t.teardown(async () => {
    await supervisor.stop();
    if (!process.env.KEEP_DEVNET) rmSync(dir, { recursive: true, force: true });
    else t.comment(`devnet kept in ${dir}`);
  });
  const network = supervisor.network;
  const signerOf = (party: string) => loadSigner(readFileSync(join(dir, "keys", `${party}.json`), "utf8"));
  return {
    dir,
    supervisor,
    network,
    signerOf,
    clientOf: (party, node) => createClient({ url: network.nodes[node]!.rpcUrl, signer: signerOf(party) }),
    async waitReady() {
      const notReady: string[] = [];
      for (const n of network.nodes) {
        const c = createClient({ url: n.rpcUrl, timeoutMs: 2000 });
        let ready = false;
        for (let i = 0; i < 600 && !ready; i++) {
          try {
            const s = await c.status();
            ready = s.ready && s.peers.filter((p) => p.validator).length >= 2;
          } catch {
            // not listening yet
          }
          if (!ready) await new Promise((r) => setTimeout(r, 100));
        }
        if (!ready) notReady.push(`${n.id} at ${n.rpcUrl}`);
      }
      return notReady;
    },
  };
}
