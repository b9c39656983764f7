// Ctrl-C of `npm start` stops every node through its clean path. A terminal signals its whole
// foreground process group: the supervisor and every node get SIGINT, and the supervisor then sends
// each node SIGTERM. That second delivery of the same stop must not turn the clean stop into a
// forced exit ("again: exiting now"), which would leave every restart to crash recovery.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { createClient } from "../sdk/client.js";
import { freePortRange } from "../tools/cluster.js";
import { ROOT } from "./devnet-harness.js";

const dir = mkdtempSync(join(tmpdir(), "tl-devnet-stop-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const rpcBase = await freePortRange(4);
const p2pBase = await freePortRange(4, [rpcBase]);

t.test("Ctrl-C (SIGINT to the process group) stops the supervisor and every node cleanly", async (t) => {
  // detached: its own process group, as the foreground job of a terminal is
  const devnet = spawn(process.execPath, ["dist/node/cli/cli.js", "devnet", "--dir", dir, "--rpc-port", String(rpcBase), "--p2p-port", String(p2pBase)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  devnet.stdout.on("data", (d) => (output += d));
  devnet.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => devnet.on("exit", (code) => resolve(code)));
  t.teardown(() => {
    if (devnet.exitCode === null) process.kill(-devnet.pid!, "SIGKILL");
  });

  const ids = ["bank-a", "bank-b", "customs", "core-enterprise"];
  let ready = 0;
  for (let i = 0; i < 600 && ready < ids.length; i++) {
    ready = 0;
    for (let n = 0; n < ids.length; n++) {
      try {
        if ((await createClient({ url: `http://127.0.0.1:${rpcBase + n}`, timeoutMs: 1000 }).status()).ready) ready++;
      } catch {
        // not listening yet
      }
    }
    if (ready < ids.length) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(ready, ids.length, "every node is up");

  process.kill(-devnet.pid!, "SIGINT");
  const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 60_000))]);
  t.equal(code, 0, "the supervisor exits 0");
  t.notMatch(output, /again: exiting now/, "no node took the second delivery as a request to exit at once");
  t.match(output, /devnet stopped/);
  for (const id of ids) {
    const log = readFileSync(join(dir, "nodes", id, "node.log"), "utf8");
    t.match(log, /node stopped/, `${id} went through its clean stop`);
  }
});
