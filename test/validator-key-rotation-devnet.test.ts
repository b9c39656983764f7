// A validator rotates its node key on a live devnet of `tradeledger start` processes
// (docs/governance.md §7.2, docs/operator.md §2.2): bank-b's node.json names a next key
// (nextNodeKeyFile); ROTATE_KEY is decided through the SDK; at the switch bank-b's process restarts
// its node in process with the new key (same pid, same RPC port, a new peer id) and its commits of
// the new epoch are the new key's signatures, served by the others' APIs; the network keeps
// committing throughout. What the in-process test (validator-key-rotation.test.ts) cannot show: the
// CLI's own restart wiring (node/cli/cli.ts).
import t from "tap";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cluster, FAST_CONSENSUS, sleep } from "../tools/cluster.js";
import { readJsonFile, writeJsonFile, writeKeyFile } from "../config/load.js";
import { tx } from "../sdk/builders.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { commitSigningBytes, epochSigningChainId } from "../sdk/commit.js";
import { certificateFromJson } from "../sdk/json.js";
import { nodeCrypto } from "../node/crypto.js";

const B = 1; // bank-b
const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "node", "cli", "cli.js");

t.test("tradeledger start restarts a rotated validator with its next key at the switch", async (t) => {
  t.setTimeout(240_000);
  const cluster = await Cluster.create({ consensus: { ...FAST_CONSENSUS, checkpointInterval: 5, watermarkWindow: 10 }, rpc: { rateLimitPerMinute: 10_000_000 } });
  t.teardown(async () => {
    await (process.env.KEEP_DEVNET ? cluster.stopAll() : cluster.destroy());
  });
  t.comment(`devnet in ${cluster.dir}`);
  const oldKey = cluster.nodePublicKey(B);
  const newSeed = new Uint8Array(randomBytes(32));
  const newKey = toHex(nodeCrypto.publicKeyFromSeed(newSeed));
  const configFile = cluster.net.nodes[B]!.configFile;
  writeKeyFile(join(dirname(configFile), "node-key.next.json"), { seed: newSeed });
  writeJsonFile(configFile, { ...(readJsonFile(configFile) as object), nextNodeKeyFile: "node-key.next.json" });

  await cluster.startAll(120_000);
  const ready = async () => (await Promise.all([0, 1, 2, 3].map((i) => cluster.status(i)))).every((s) => s?.ready);
  t.ok(await until(ready, 60_000), "the four validators are ready");
  const pid = cluster.pid(B);

  const submit = async (party: string, payload: Parameters<ReturnType<Cluster["client"]>["submit"]>[0], via = 0) => {
    const done = await cluster.client(via, party).submit(payload, cluster.signer(party), { wait: "commit", timeoutMs: 60_000 });
    if (!done.ok) throw new Error(`${payload.type} by ${party}: ${done.code}`);
    return done;
  };
  // bank-b's operator proves the next key from the node's own config; bank-a proposes with it
  const possession = spawnSync(process.execPath, [CLI, "keys", "node-possession", "--config", configFile, "--json"], { encoding: "utf8" });
  t.equal(possession.status, 0, possession.stderr);
  const proved = JSON.parse(possession.stdout) as { partyId: string; chainId: string; newNodePublicKey: string; newNodeKeyProof: string };
  t.match(proved, { partyId: "bank-b", chainId: (readJsonFile(cluster.net.genesisFile) as { chainId: string }).chainId, newNodePublicKey: newKey }, "keys node-possession names the validator's party, the chain and the next key");
  const proposed = await submit("bank-a", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: oldKey, partyId: "bank-b", newNodePublicKey: newKey, newNodeKeyProof: proved.newNodeKeyProof }));
  await submit("bank-b", tx.approveValidatorChange({ proposalId: proposed.txHash }), 2);
  const decided = await submit("customs", tx.approveValidatorChange({ proposalId: proposed.txHash }), 2);
  t.ok(decided.receipt.events.some((e) => e.type === "validatorSetChanged"), `decided in block ${decided.height}`);
  const gov = await cluster.client(0).getGovernance({ minHeight: BigInt(decided.height) });
  t.equal(gov.governance.validators[B]!.nodePublicKey, newKey, "bank-b's place holds the new key");
  const switchAt = BigInt((await cluster.client(0).getValidatorSets({ minHeight: BigInt(decided.height) })).switchAt);

  // a trickle of transactions keeps blocks coming; the chain must keep committing across the switch
  let stop = false;
  const load = (async () => {
    for (let i = 0; !stop; i++) {
      await submit("exporter-hz-textiles", tx.cancelReceivable({ receivableId: toHex(randomBytes(32)), reason: `load ${i}` }), i % 3 === 0 ? 0 : i % 3 === 1 ? 2 : 3).catch(() => undefined);
      await sleep(100);
    }
  })();
  t.teardown(async () => {
    stop = true;
    await load;
  });

  const log = () => readFileSync(cluster.logFile(B), "utf8");
  t.ok(await until(async () => log().includes("restarting with the next node key"), 90_000), "bank-b's node logs its rotation at the switch");
  t.ok(await until(async () => log().includes("it signs with the next node key"), 30_000), "and starts again with the next key");
  t.ok(cluster.isRunning(B) && cluster.pid(B) === pid, "in the same process (tradeledger start restarted it in process)");

  // a block of the new epoch certified with bank-b's commit under the new key, as bank-b's own API serves it (the same RPC port after the restart)
  const found = await until(async () => {
    const head = BigInt((await cluster.client(0).getBlock("latest")).height);
    for (let h = switchAt + 1n; h <= head; h++) {
      const b = await cluster.client(B).getBlock(h).catch(() => undefined);
      const cert = b?.certificate ? certificateFromJson(b.certificate) : undefined;
      const own = cert?.commits.find((c) => c.replica === B);
      if (cert && own) return { h, cert, own };
    }
    return undefined;
  }, 60_000);
  t.ok(found, "a block after the switch is certified with bank-b's commit");
  if (found) {
    const bytes = commitSigningBytes(epochSigningChainId(found.cert.chainId, found.cert.epoch ?? 0n), found.cert.view, found.cert.seq, found.cert.digest, B);
    t.equal(found.cert.epoch, 1n);
    t.ok(nodeCrypto.verify(fromHex(newKey), bytes, found.own.signature), `block ${found.h}: bank-b's commit is the new key's signature`);
    t.notOk(nodeCrypto.verify(fromHex(oldKey), bytes, found.own.signature), "not the old key's");
  }
  const h0 = BigInt((await cluster.client(0).getBlock("latest")).height);
  t.ok(await until(async () => (await cluster.heads()).every((x) => x.height >= h0 + 3n), 60_000), "all four go on committing");
  t.ok(await cluster.converged({ timeoutMs: 30_000 }), "on one chain");
  stop = true;
  await load;
});

async function until<T>(what: () => Promise<T | undefined | false>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(200);
  }
}
