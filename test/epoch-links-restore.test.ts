// A node restored from scratch after a validator-set switch (docs/governance.md §5 "Where the links
// come from", §9): four validators over real libp2p, LevelDB and HTTP; the observer's data folder is
// emptied; the genesis validators' parties add a fifth validator (epoch 1: five validators, the
// fifth's node not running, so the four carry a quorum of 4) and the chain goes on past the switch. Restarted, the observer asks a validator for the epoch link it
// lacks (/tradeledger/epoch-links/1), proves epoch 1 from the genesis set with it, and so adopts a
// snapshot certified by epoch 1's set instead of syncing every block from genesis (before, nodes
// offered genesis-set snapshots only). A light client that pins the genesis set then fetches the
// chain of sets from the restored observer and verifies a receivable's history spanning both
// epochs through it; with the genesis set alone, epoch 1 is unproven.
import t from "tap";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { createClient } from "../sdk/client.js";
import { verifyValidatorSets } from "../sdk/epochs.js";
import { validatorSetFromGenesis, verifyHistory } from "../sdk/verify.js";
import { rpcFactory } from "../rpc/server.js";
import { nodeCrypto } from "../node/crypto.js";
import type { TradeLedgerNode } from "../node/node.js";
import type { Tx } from "../sdk/tx.js";
import { eventually, startTestNetwork, type TestNetwork } from "./net-harness.js";
import { invoice, registerPayload } from "./rpc-harness.js";

const EXPORTER = "exporter-hz-textiles";
let net: TestNetwork;
t.teardown(async () => {
  await net?.stop();
});

async function commit(node: TradeLedgerNode, signed: Tx): Promise<{ height: bigint; target: string }> {
  const admission = await node.api.submit(signed.bytes);
  if (!admission.ok) throw new Error(`refused ${admission.code}: ${admission.message}`);
  if (!(await node.api.waitForCommit(signed.hashHex, 30_000))) throw new Error(`tx ${signed.hashHex} not committed in time`);
  const rec = await node.query.getTx(signed.hash);
  if (rec!.receipt.code !== "OK") throw new Error(`${signed.body.payload.type}: ${rec!.receipt.code} ${rec!.receipt.message}`);
  return { height: rec!.height, target: rec!.receipt.target };
}

/** Keeps the chain moving (empty-handed cancellations: refused, but ordered) until `done`. */
async function loadUntil(nodes: TradeLedgerNode[], done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let i = 0;
  while (Date.now() < deadline) {
    if (await done()) return true;
    const signed = net.sign(EXPORTER, tx.cancelReceivable({ receivableId: toHex(randomBytes(32)), reason: `load ${i++}` }));
    await nodes[i % nodes.length]!.api.submit(signed.bytes).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
  }
  return await done();
}

t.test("a node restored from scratch after a switch gets the link on request, adopts an epoch-1 snapshot, and its clients prove epoch 1 from genesis", async (t) => {
  // checkpoints every 5 blocks, a snapshot at each, adopted from 10 blocks up; an epoch ends 5 + 10 blocks after its decision
  net = await startTestNetwork({ observer: true, rpc: rpcFactory(), snapshots: { everyCheckpoints: 1, minBlocks: 10 }, consensus: { checkpointInterval: 5, watermarkWindow: 10 } });
  await net.observer!.stop();
  rmSync(net.observerConfig!.dataDir, { recursive: true, force: true });
  const [a, b, c] = net.nodes as TradeLedgerNode[];

  // epoch 0: a receivable is registered
  const registered = await commit(a!, net.sign(EXPORTER, registerPayload(invoice(`LINKS-${Date.now()}`, { seller: EXPORTER })).payload));
  const receivableId = registered.target;

  // the genesis parties add the auditor's validator (a key whose node is not started): epoch 1 has five
  const auditorKey = nodeCrypto.publicKeyFromSeed(new Uint8Array(randomBytes(32)));
  const proposal = net.sign("bank-a", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: auditorKey, partyId: "auditor" }));
  await commit(a!, proposal);
  await commit(b!, net.sign("bank-b", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  await commit(c!, net.sign("customs", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  const switchAt = a!.chain.validatorSet!.switchAt;
  const four = net.nodes as TradeLedgerNode[];
  t.ok(await loadUntil(four, () => four.every((n) => n.epochRunner?.driver?.replica.epoch === 1n), 60_000), `the four run epoch 1 (switch at ${switchAt})`);
  t.same((await a!.query.epochLinks()).map((l) => l.epoch), [1n], "the validators built epoch 1's link at the switch");

  // epoch 1: the receivable is cancelled; the chain goes on to snapshots certified by epoch 1's set
  const cancelled = await commit(a!, net.sign(EXPORTER, tx.cancelReceivable({ receivableId, reason: "restored-node test" })));
  t.ok(cancelled.height > switchAt, "the cancellation is a block of epoch 1");
  t.ok(await loadUntil(four, () => a!.chain.height >= switchAt + 25n, 60_000), "the chain is 25 blocks past the switch");
  // a snapshot is cut when its block executes; its checkpoint certificate is stable a moment later
  // (2f+1 checkpoint messages), so the newest snapshot may not be certified yet: take the newest that is
  let newest = 0n;
  const certified = async () => {
    for (const h of [...a!.store.snapshotHeights].reverse()) {
      if (h > switchAt && (await a!.store.blocks.checkpointFrom(h, h))) return ((newest = h), true);
    }
    return false;
  };
  t.ok(await loadUntil(four, certified, 30_000), "a snapshot of epoch 1 is certified");
  t.equal((await a!.store.blocks.checkpointFrom(newest, newest))?.epoch, 1n, `the newest certified snapshot kept (at ${newest}) is certified by epoch 1`);

  // the observer, restored from scratch, asks for the link it lacks and adopts an epoch-1 snapshot
  const observer = await net.restartObserver();
  t.ok(await eventually(() => observer.snapshots?.last !== undefined, 30_000), "the restored observer adopted a snapshot");
  const adopted = observer.snapshots!.last!.height;
  t.ok(adopted > switchAt, `above the switch (${adopted} > ${switchAt}): a snapshot of epoch 1, not blocks from genesis`);
  t.equal((await observer.store.blocks.checkpointFrom(adopted, adopted))?.epoch, 1n, "its certificate is epoch 1's, checked with the set proven by the link");
  t.same((await observer.query.epochLinks()).map((l) => l.epoch), [1n], "the observer holds the complete chain of links (from genesis to the epoch in force)");
  t.equal(await observer.epochLinks!.lacks(1n), false);
  t.ok(await loadUntil(four, () => observer.chain.height >= a!.chain.height - 1n && observer.chain.height > cancelled.height, 30_000), "and follows the validators afterwards");
  t.equal(toHex((await observer.query.getHeader(adopted))!.hash), toHex((await a!.query.getHeader(adopted))!.hash), "on the same chain");

  // a light client pinning the genesis set verifies, through the restored observer, a history spanning both epochs
  const genesisSet = validatorSetFromGenesis(net.genesis);
  const client = createClient({ url: observer.rpcUrl()!, signer: net.signer(EXPORTER) });
  const sets = verifyValidatorSets(genesisSet, (await client.getValidatorSets()).links);
  t.ok(sets.ok, JSON.stringify(sets.problems));
  t.same(sets.chain.epochs.map((e) => e.validators.map((v) => v.id)), [["bank-a", "bank-b", "customs", "core-enterprise"], ["bank-a", "bank-b", "customs", "core-enterprise", "auditor"]], "the chain of sets from the genesis set");
  const history = await client.getFullHistory(receivableId, { waitCertifiedMs: 20_000 });
  const heights = history.items.map((i) => BigInt(i.height));
  t.ok(heights.some((h) => h <= switchAt) && heights.some((h) => h > switchAt), `the history spans both epochs (${heights.join(", ")})`);
  const report = verifyHistory(history, sets.chain);
  t.ok(report.ok, JSON.stringify(report.problems));
  const alone = verifyHistory(history, genesisSet);
  t.ok(!alone.ok && alone.problems.some((p) => p.code === "EPOCH_UNPROVEN"), "with the genesis set alone, epoch 1 is unproven");
});
