// Observers admitted on the ledger, end to end on a real devnet (DESIGN.md §12, docs/governance.md):
// four validator processes from the `npm start` supervisor, untouched (no config edit, no restart),
// and a regulator's OBSERVER node, a fifth process that nobody admitted yet. It must say so: /readyz
// 503 with the reason and the fix, one log line. Then the regulator admits it by transaction (the
// CLI): it connects and syncs without any restart. Then it is removed: the validators disconnect it
// and refuse it, and it says why.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { parseWith, writeJsonFile, writeKeyFile } from "../config/load.js";
import { nodeConfigSchema } from "../config/schema.js";
import { toHex } from "../sdk/bytes.js";
import { createClient, loadSigner } from "../sdk/client.js";
import { randomBytes } from "../sdk/crypto.js";
import { tx } from "../sdk/builders.js";
import { nodeCrypto } from "../node/crypto.js";
import { peerIdFromNodePublicKey } from "../p2p/index.js";
import { freePortRange } from "../tools/cluster.js";
import { ROOT, runProcess, startTestDevnet } from "./devnet-harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: () => Promise<T | undefined | false>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await what().catch(() => undefined);
    if (v) return v;
    await sleep(100);
  }
  return undefined;
}

t.test("an observer is admitted and removed by transaction, on a running devnet, with no restart", async (t) => {
  const net = await startTestDevnet(t, "tl-governance-devnet-");
  t.same(await net.waitReady(), [], "every validator is ready");

  // The regulator's observer: its own node key, a config naming nothing but itself (the genesis lists the validators).
  const [obsRpc, obsP2p] = [await freePortRange(1), await freePortRange(1)];
  const nodeDir = join(net.dir, "nodes", "regulator-observer");
  mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
  const seed = new Uint8Array(randomBytes(32));
  writeKeyFile(join(nodeDir, "node-key.json"), { seed });
  const nodeKey = toHex(nodeCrypto.publicKeyFromSeed(seed));
  const peerId = peerIdFromNodePublicKey(nodeCrypto.publicKeyFromSeed(seed));
  const config = parseWith(
    nodeConfigSchema,
    { dataDir: "data", genesisFile: "../../genesis.json", nodeKeyFile: "node-key.json", mode: "observer", p2p: { listen: [`/ip4/127.0.0.1/tcp/${obsP2p}`] }, rpc: { host: "127.0.0.1", port: obsRpc }, log: { level: "info" } },
    "observer config",
  );
  writeJsonFile(join(nodeDir, "node.json"), config);
  const started = Date.now();
  const observer = spawn(process.execPath, [join(ROOT, "dist", "node", "cli", "cli.js"), "start", "--config", join(nodeDir, "node.json")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let logs = "";
  observer.stdout!.on("data", (d) => (logs += d));
  observer.stderr!.on("data", (d) => (logs += d));
  t.teardown(async () => {
    if (observer.exitCode !== null) return;
    const exited = new Promise((r) => observer.once("exit", r));
    process.kill(-observer.pid!, "SIGTERM"); // its process group
    await Promise.race([exited, sleep(10_000)]);
  });
  const obsUrl = `http://127.0.0.1:${obsRpc}`;
  const obs = createClient({ url: obsUrl, timeoutMs: 2000 });
  const readyz = async () => {
    const r = await fetch(`${obsUrl}/readyz`);
    return { status: r.status, body: (await r.json()) as { ready: boolean; reasons: string[]; height: string } };
  };
  const notAdmittedLines = () => logs.split("\n").filter((l) => l.includes("this observer is not admitted to the network")).length;

  // 1. Not admitted: not ready, with the reason and the fix; logged once.
  const refused = await until(async () => {
    const r = await readyz();
    return r.status === 503 && r.body.reasons.some((x) => x.startsWith("not admitted")) && r;
  }, 30_000);
  t.ok(refused, `the unadmitted observer reports not ready (logs: ${logs.slice(-800)})`);
  const reason = refused!.body.reasons.find((x) => x.startsWith("not admitted"))!;
  t.comment(`readyz reason: ${reason}`);
  t.match(reason, nodeKey, "the reason names the node key to admit");
  t.match(reason, peerId, "and its peer id (what the validators' refusals log)");
  t.match(reason, `tradeledger observer admit ${nodeKey}`, "and the command that admits it");
  t.match((await obs.status()).notAdmitted, /^not admitted/, "GET /v1/status says it too");
  t.equal((await obs.status()).ready, false);
  t.comment(`not-ready reported ${Date.now() - started} ms after start`);
  await sleep(3000); // the observer keeps redialling meanwhile
  t.equal(notAdmittedLines(), 1, "the reason is logged once, not once per redial");
  t.match(logs, /"reason":"not admitted: no validator accepts this node/, "the log line carries the reason and the fix");
  const stuck = await readyz();
  t.equal(stuck.body.height, "0", "it cannot follow the chain");

  // 2. The regulator admits it by transaction (the CLI). Nothing restarts.
  const cli = (...args: string[]) => runProcess(process.execPath, [join(ROOT, "dist", "node", "cli", "cli.js"), ...args, "--devnet", net.dir, "--url", net.network.nodes[0]!.rpcUrl, "--json"], {}, 60_000);
  const admit = await cli("observer", "admit", nodeKey, "--operator", "regulator", "--party", "regulator");
  t.equal(admit.code, 0, admit.err);
  const admitted = JSON.parse(admit.out) as { admitted: boolean; height: string; nodePublicKey: string };
  t.match(admitted, { admitted: true, nodePublicKey: nodeKey, operator: "regulator", admittedBy: "regulator" });
  const admittedAt = Date.now();
  const validator = createClient({ url: net.network.nodes[1]!.rpcUrl, timeoutMs: 2000 });
  const synced = await until(async () => {
    const [o, v] = [await obs.status(), await validator.status()];
    return o.ready && BigInt(o.height) >= BigInt(admitted.height) && BigInt(o.height) >= BigInt(v.height) - 2n && o;
  }, 90_000);
  t.ok(synced, `the admitted observer connects and syncs, no restart (logs: ${logs.slice(-1500)})`);
  t.comment(`observer ready and synced ${Date.now() - admittedAt} ms after the admission committed (height ${synced?.height})`);
  t.equal(observer.exitCode, null, "the observer process was never restarted");
  const h = BigInt(admitted.height);
  const auditorAt = (url: string) => createClient({ url, signer: net.signerOf("auditor"), timeoutMs: 5000 });
  t.equal((await auditorAt(obsUrl).getBlock(h)).hash, (await auditorAt(net.network.nodes[1]!.rpcUrl).getBlock(h)).hash, "the observer holds the validators' block of its admission");
  t.equal(notAdmittedLines(), 1, "still logged once");
  t.match(logs, /this observer is admitted: validators accept it/);
  const peersOf = async (i: number) => (await createClient({ url: net.network.nodes[i]!.rpcUrl, timeoutMs: 2000 }).status()).peers.map((p) => p.id);
  // the observer synced through whichever validator answered first; validator 0 may still be dialling it
  t.ok(await until(async () => (await peersOf(0)).includes(peerId), 30_000), "a validator lists the observer among its peers");

  // The observer follows new blocks: a transaction submitted through it commits and it sees it.
  const exporter = createClient({ url: obsUrl, signer: net.signerOf("exporter-hz-textiles") });
  const through = await exporter.submit(tx.anchorDocument({ documentHash: new Uint8Array(randomBytes(32)), documentType: "PACKING_LIST" }), net.signerOf("exporter-hz-textiles"));
  t.equal(through.receipt.code, "OK", "a transaction submitted to the admitted observer is gossiped, ordered and followed back");

  // 3. Removed: disconnected and refused, and it says why.
  const remove = await cli("observer", "remove", nodeKey, "--reason", "engagement ended", "--party", "bank-a");
  t.equal(remove.code, 0, remove.err);
  const removed = JSON.parse(remove.out) as { removed: boolean; height: string };
  t.match(removed, { removed: true, removedBy: "bank-a", reason: "engagement ended" });
  const gone = await until(async () => {
    for (const i of [0, 1, 2, 3]) if ((await peersOf(i)).includes(peerId)) return false;
    return true;
  }, 20_000);
  t.ok(gone, "every validator disconnected the removed observer");
  await sleep(3000);
  let back = false;
  for (const i of [0, 1, 2, 3]) if ((await peersOf(i)).includes(peerId)) back = true;
  t.notOk(back, "and refuses it: it does not get back in while it keeps redialling");
  const out = await until(async () => {
    const r = await readyz();
    return r.status === 503 && r.body.reasons.some((x) => x.startsWith("not admitted")) && r;
  }, 60_000);
  t.ok(out, "the removed observer is not ready, and says it is not admitted");
  t.comment(`removed observer's readyz: ${JSON.stringify(out?.body.reasons)}`);
  const heightThen = BigInt((await obs.status()).height);
  const bank = net.clientOf("bank-a", 0);
  await bank.submit(tx.anchorDocument({ documentHash: new Uint8Array(randomBytes(32)), documentType: "PACKING_LIST" }), net.signerOf("bank-a"));
  await sleep(2000);
  t.ok(BigInt((await validator.status()).height) > heightThen, "the chain goes on");
  t.equal(BigInt((await obs.status()).height), heightThen, "without the removed observer");
  t.equal(observer.exitCode, null, "the observer process ran throughout");

  // 4. Party keys through the CLI on the same devnet (docs/governance.md §2).
  const bankBKey = join(net.dir, "keys", "bank-b.json");
  const oldBankB = loadSigner(readFileSync(bankBKey, "utf8"));
  const rotate = await cli("keys", "rotate", "--party", "bank-b");
  t.equal(rotate.code, 0, rotate.err);
  const rotated = JSON.parse(rotate.out) as { publicKey: string; previousPublicKey: string; keyFile: string; retiredKeyFile: string; height: string };
  t.equal(rotated.previousPublicKey, toHex(oldBankB.publicKey));
  t.equal(toHex(loadSigner(readFileSync(bankBKey, "utf8")).publicKey), rotated.publicKey, "the key file now holds the new key");
  t.equal(toHex(loadSigner(readFileSync(rotated.retiredKeyFile, "utf8")).publicKey), rotated.previousPublicKey, "the old one kept beside it");
  const byNewKey = await cli("observer", "admit", toHex(nodeCrypto.publicKeyFromSeed(new Uint8Array(randomBytes(32)))), "--operator", "bank-b", "--party", "bank-b");
  t.equal(byNewKey.code, 0, `the CLI signs with the new key: ${byNewKey.err}`);
  const stale = await createClient({ url: net.network.nodes[2]!.rpcUrl }).submit(tx.anchorDocument({ documentHash: new Uint8Array(randomBytes(32)), documentType: "PACKING_LIST" }), oldBankB).then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );
  t.equal(stale, "KEY_RETIRED", "the retired key is refused by another node too");

  // a bank resets the key of an exporter it onboarded: the exporter proves the new key, the bank submits
  const keygen = (out: string, party: string) => runProcess(process.execPath, [join(ROOT, "dist", "node", "cli", "cli.js"), "keys", "generate", "--party", party, "--out", out, "--plaintext", "--json"], {}, 30_000);
  const first = join(net.dir, "keys", "exporter-new.json");
  t.equal((await keygen(first, "exporter-new")).code, 0);
  const firstKey = loadSigner(readFileSync(first, "utf8"));
  const reg = await cli("party", "register", "exporter-new", "--name", "New Exporter Co.", "--country", "CN", "--public-key", toHex(firstKey.publicKey), "--party", "bank-a");
  t.equal(reg.code, 0, reg.err);
  const second = join(net.dir, "exporter-new-replacement.json");
  t.equal((await keygen(second, "exporter-new")).code, 0);
  const possession = await cli("keys", "possession", second);
  t.equal(possession.code, 0, possession.err);
  const proof = JSON.parse(possession.out) as { publicKey: string; possessionProof: string; partyId: string };
  t.equal(proof.partyId, "exporter-new");
  const reset = await cli("party", "reset-key", "exporter-new", "--new-public-key", proof.publicKey, "--proof", proof.possessionProof, "--reason", "lost the laptop", "--party", "bank-a");
  t.equal(reset.code, 0, reset.err);
  t.match(JSON.parse(reset.out), { partyId: "exporter-new", resetBy: "bank-a", reason: "lost the laptop" });
  const shown = await createClient({ url: net.network.nodes[3]!.rpcUrl, signer: net.signerOf("auditor") }).getParty("exporter-new");
  t.match(shown, { publicKey: proof.publicKey, retiredKeys: [{ publicKey: toHex(firstKey.publicKey), resetBy: "bank-a", reason: "lost the laptop" }] }, "recorded on the party, on every node");
});
