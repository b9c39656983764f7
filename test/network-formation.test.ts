// docs/operator.md §3.1 run as written: three organisations, each in its own Linux network
// namespace (its own host as far as the network is concerned), form a network from empty folders
// with `tradeledger init` and `tradeledger genesis create`, start their nodes and commit a
// transaction. The shell blocks are read from the document itself (each marked
// `<!-- walkthrough: <where>[, background] -->`), so the walkthrough cannot drift from what works.
import t from "tap";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NetnsTopology, netnsUnavailable } from "../tools/chaos/netns.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "node", "cli", "cli.js");
const DOC = join(ROOT, "docs", "operator.md");

const ORGS = [
  { ORG: "bank-a", ROLE: "BANK", NAME: "Bank A AG", COUNTRY: "DE" },
  { ORG: "customs", ROLE: "CUSTOMS", NAME: "Ningbo Customs District", COUNTRY: "CN" },
  { ORG: "core-enterprise", ROLE: "ENTERPRISE", NAME: "Zhejiang Motor Group", COUNTRY: "CN" },
];

interface Block {
  where: string[];
  background: boolean;
  script: string;
}

/** The walkthrough's blocks, in order. */
export function walkthroughBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const re = /<!-- walkthrough: ([^>]+?) -->\n```sh\n([\s\S]*?)```\n/g;
  for (const m of markdown.matchAll(re)) {
    const tags = m[1]!.split(",").map((s) => s.trim());
    const background = tags.includes("background");
    const where = tags.filter((s) => s !== "background");
    blocks.push({ where: where.includes("each") ? ORGS.map((o) => o.ORG) : where, background, script: m[2]! });
  }
  return blocks;
}

const why = netnsUnavailable();
if (why) {
  t.pass(`skipped: network namespaces are not available here (${why})`);
} else {
  t.test("three organisations in three network namespaces form a network from nothing and commit a transaction", async (t) => {
    const blocks = walkthroughBlocks(readFileSync(DOC, "utf8"));
    t.ok(blocks.length >= 7, `the walkthrough has its blocks (${blocks.length})`);
    for (const b of blocks) for (const w of b.where) t.ok(ORGS.some((o) => o.ORG === w), `a block runs on a known host: ${w}`);

    const topo = NetnsTopology.create(ORGS.length);
    const work = mkdtempSync(join(tmpdir(), "tl-formation-"));
    const children: ChildProcess[] = [];
    t.teardown(async () => {
      for (const c of children) {
        try {
          process.kill(-c.pid!, "SIGTERM");
        } catch {
          /* gone */
        }
      }
      await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));
      topo.remove();
      rmSync(work, { recursive: true, force: true });
    });

    // `tradeledger` on every host's PATH; the folders; the passphrase a service would get in a file
    const bin = join(work, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "tradeledger"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, "tradeledger"), 0o755);
    const exchange = join(work, "exchange");
    mkdirSync(exchange);
    const hosts = ORGS.map((o, i) => {
      const srv = join(work, o.ORG);
      mkdirSync(srv, { mode: 0o700 });
      const pass = join(srv, "passphrase");
      writeFileSync(pass, `${o.ORG} keys passphrase, long enough\n`, { mode: 0o600 });
      const env = { ...process.env, ...o, HOST: topo.p2pAddress(i), SRV: srv, EXCHANGE: exchange, PATH: `${bin}:${process.env.PATH}`, TRADELEDGER_KEY_PASSPHRASE_FILE: pass };
      return { ...o, ns: topo.ns(i), srv, env };
    });
    const hostOf = (org: string) => hosts.find((h) => h.ORG === org)!;
    const inNs = (org: string, script: string) => spawnSync("ip", ["netns", "exec", hostOf(org).ns, "bash", "-euo", "pipefail", "-c", script], { encoding: "utf8", env: hostOf(org).env, timeout: 120_000 });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    /** Waits until every node answers /readyz 200 (the harness's wait; an operator watches the probe too). */
    const waitReady = async () => {
      const ports = (org: string) => (org === "bank-a" ? [7001, 7002] : [7001]);
      for (let tries = 0; tries < 120; tries++) {
        const ready = hosts.every((h) => ports(h.ORG).every((p) => inNs(h.ORG, `curl -sf -o /dev/null http://127.0.0.1:${p}/readyz`).status === 0));
        if (ready) return true;
        await sleep(1000);
      }
      return false;
    };

    let step = 0;
    let anchored: { txHash: string; height: string } | undefined;
    let startedSinceLastWait = false;
    for (const block of blocks) {
      step++;
      if (block.background) {
        for (const org of block.where) {
          const child = spawn("ip", ["netns", "exec", hostOf(org).ns, "bash", "-euo", "pipefail", "-c", `exec ${block.script.trim()}`], { env: hostOf(org).env, detached: true, stdio: ["ignore", "ignore", "pipe"] });
          let stderr = "";
          child.stderr!.on("data", (d) => (stderr += d));
          child.once("exit", (code, signal) => {
            if (code !== 0 && signal !== "SIGTERM") t.comment(`${org} step ${step} exited ${code ?? signal}: ${stderr.slice(-500)}`);
          });
          children.push(child);
        }
        startedSinceLastWait = true;
        continue;
      }
      if (startedSinceLastWait) {
        t.ok(await waitReady(), "every node is ready: connected to its peers, caught up");
        startedSinceLastWait = false;
      }
      const outputs = new Map<string, string>();
      for (const org of block.where) {
        let res = inNs(org, block.script);
        // step 6 reads each node's height: a node may apply the block a moment after the one that answered
        for (let retry = 0; anchored && res.status === 0 && Number(JSON.parse(res.stdout || "{}").height ?? 0) < Number(anchored.height) && retry < 30; retry++) {
          await sleep(500);
          res = inNs(org, block.script);
        }
        t.equal(res.status, 0, `step ${step} on ${org}: ${res.stderr.slice(-800)}`);
        outputs.set(org, res.stdout);
      }
      const script = block.script;
      if (/genesis create/.test(script)) {
        const hashes = [...outputs.values()].map((o) => /sha256 ([0-9a-f]{64})/.exec(o)?.[1]);
        t.ok(hashes[0], "genesis create prints the SHA-256");
        t.same(new Set(hashes).size, 1, `every organisation built the same genesis (sha256 ${hashes[0]})`);
        const texts = hosts.map((h) => readFileSync(join(h.srv, "genesis.json"), "utf8"));
        t.ok(texts.every((x) => x === texts[0]), "byte for byte");
        const g = JSON.parse(texts[0]!);
        t.same(g.validators.map((v: { id: string }) => v.id), ["bank-a", "bank-a-2", "core-enterprise", "customs"]);
        t.same(g.validators.map((v: { addresses: string[] }) => v.addresses[0]), [`/ip4/${topo.p2pAddress(0)}/tcp/26601`, `/ip4/${topo.p2pAddress(0)}/tcp/26602`, `/ip4/${topo.p2pAddress(2)}/tcp/26601`, `/ip4/${topo.p2pAddress(1)}/tcp/26601`]);
      }
      if (/tradeledger init/.test(script)) {
        for (const org of block.where) {
          const dir = /--dir "\$SRV\/([^"]+)"/.exec(script)![1]!;
          const key = JSON.parse(readFileSync(join(hostOf(org).srv, dir, "node-key.json"), "utf8"));
          t.equal(key.format, "tradeledger-keystore/v1", `${org}: the node key is encrypted`);
        }
      }
      if (/tradeledger anchor/.test(script)) {
        anchored = JSON.parse(outputs.get(block.where[0]!)!) as { txHash: string; height: string };
        t.match(anchored, { txHash: /^[0-9a-f]{64}$/, height: /^\d+$/ }, `the first transaction committed at height ${anchored.height}`);
      }
      if (/\/v1\/status/.test(script)) {
        for (const [org, out] of outputs) {
          const status = JSON.parse(out) as { height: string; chainId: string };
          t.equal(status.chainId, "tl-trade-network", `${org}: its node is on the new chain`);
          t.ok(Number(status.height) >= Number(anchored?.height ?? 1), `${org}: its node has the block (height ${status.height})`);
        }
      }
    }
    t.ok(anchored, "the walkthrough committed a transaction");
  });
}
