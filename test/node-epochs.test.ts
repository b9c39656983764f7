// Validator-set switches on real nodes in one process (docs/governance.md §5, §7): four validators
// over real libp2p, LevelDB and the ledger's governance transactions. A fifth node, configured as a
// validator whose key is in no set yet, follows the chain; a quorum of the four's parties adds it;
// at the switch it starts voting and the certificates of the new epoch carry five-validator
// quorums. Then one genesis validator is removed: after its switch it runs no replica, the others
// disconnect and refuse it, and the five go on. A validator restarted after the switch resumes in
// the new epoch from its log. An observer follows across both switches.
import t from "tap";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { verifyCommitCertificate } from "../sdk/commit.js";
import { verifyCertifiedHeader } from "../sdk/certified.js";
import { epochLinkToJson, verifyValidatorSets } from "../sdk/epochs.js";
import { validatorSetFromGenesis } from "../sdk/verify.js";
import { nodeCrypto } from "../node/crypto.js";
import { TradeLedgerNode } from "../node/node.js";
import { parseWith } from "../config/load.js";
import { nodeConfigSchema } from "../config/schema.js";
import { peerIdFromNodePublicKey } from "../p2p/index.js";
import { silentLogger } from "../node/log.js";
import type { Tx } from "../sdk/tx.js";
import { eventually, freePorts, startTestNetwork, type TestNetwork, commitOk } from "./net-harness.js";

let net: TestNetwork;
let newcomer: TradeLedgerNode | undefined;
const seed = new Uint8Array(randomBytes(32));
const newKey = nodeCrypto.publicKeyFromSeed(seed);
const hookCalls: { node: string; epoch: bigint; nextEpoch: bigint; seq: bigint; height: bigint }[] = [];

t.teardown(async () => {
  await newcomer?.stop();
  await net?.stop();
});

const live = () => [...net.nodes.filter((n): n is TradeLedgerNode => n !== undefined), ...(newcomer ? [newcomer] : [])];

const commit = commitOk;

/** Keeps the chain moving (so the epoch's end is reached quickly) until `done`. */
async function loadUntil(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let i = 0;
  while (Date.now() < deadline) {
    if (await done()) return true;
    const nodes = net.nodes.filter((n): n is TradeLedgerNode => n !== undefined);
    const signed = net.sign("exporter-hz-textiles", tx.cancelReceivable({ receivableId: toHex(randomBytes(32)), reason: `load ${i++}` }));
    await nodes[i % nodes.length]!.api.submit(signed.bytes).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
  }
  return await done();
}

t.test("a fifth validator joins by governance, then a genesis validator leaves", async (t) => {
  net = await startTestNetwork({ observer: true, consensus: { checkpointInterval: 5, watermarkWindow: 10 } });
  const [port, rpcPort] = await freePorts(2);
  const config = parseWith(
    nodeConfigSchema,
    {
      dataDir: join(net.dir, "auditor-node", "data"),
      genesisFile: net.net.genesisFile,
      nodeKeyFile: join(net.dir, "auditor-node", "node-key.json"),
      mode: "validator",
      validatorId: "auditor",
      p2p: { listen: [`/ip4/127.0.0.1/tcp/${port}`] },
      rpc: { host: "127.0.0.1", port: rpcPort },
    },
    "joining validator config",
  );
  newcomer = await TradeLedgerNode.start({
    config,
    genesis: net.genesis,
    nodeSeed: seed,
    logger: silentLogger,
    rpc: null,
    onEpochEnded: (e) => void hookCalls.push({ node: "auditor", epoch: e.epoch, nextEpoch: e.nextEpoch, seq: e.checkpoint.seq, height: newcomer!.chain.height }),
  });
  t.equal(newcomer.consensusDriver, undefined, "a validator whose key is in no set starts as a follower");

  const [a, b, c] = net.nodes as TradeLedgerNode[];
  const proposal = net.sign("bank-a", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: newKey, partyId: "auditor" }));
  await commit(a!, proposal);
  await commit(b!, net.sign("bank-b", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  const decidedAt = await commit(c!, net.sign("customs", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  const switchAt = a!.chain.validatorSet!.switchAt;
  t.ok(switchAt > decidedAt, `decided at ${decidedAt}, the switch after ${switchAt}`);

  t.ok(await loadUntil(() => live().every((n) => n.epochRunner?.driver?.replica.epoch === 1n), 90_000), "all five run epoch 1's replica, the newcomer included");
  t.equal(newcomer.epochRunner!.self, 4, "the newcomer is replica 4");
  t.ok(await eventually(() => a!.p2p.connectedPeers().some((p) => p.peerId === peerIdFromNodePublicKey(newKey)), 30_000), "the genesis validators accept the newcomer (it dials in)");

  // blocks of epoch 1 are certified by quorums of the five
  const h0 = a!.chain.height;
  t.ok(await loadUntil(() => live().every((n) => n.chain.height >= h0 + 10n), 60_000), "the five order blocks");
  const five = a!.epochRunner!.epoch.members;
  t.equal(five.length, 5);
  for (let h = switchAt + 1n; h <= h0 + 5n; h++) {
    const cert = await a!.query.getCertificate(h);
    t.ok(cert && cert.epoch === 1n && verifyCommitCertificate(cert, five, (pk, m, s) => nodeCrypto.verify(pk, m, s), { epoch: 1n }).ok, `block ${h}: a certificate of epoch 1 by the five`);
  }
  const ended = a!.epochRunner!.finishedEpoch(0n);
  t.equal(ended?.checkpoint.seq, switchAt, "epoch 0's final checkpoint is kept");

  // remove core-enterprise's validator
  const core = net.nodes[3]!;
  const coreKey = net.genesis.validators[3]!.nodePublicKey;
  const removal = net.sign("bank-a", tx.proposeValidatorChange({ change: "REMOVE", nodePublicKey: Buffer.from(coreKey, "hex"), partyId: "core-enterprise" }));
  await commit(a!, removal);
  await commit(b!, net.sign("bank-b", tx.approveValidatorChange({ proposalId: removal.hashHex })));
  await commit(c!, net.sign("customs", tx.approveValidatorChange({ proposalId: removal.hashHex })));
  const four = [a!, b!, c!, newcomer];
  t.ok(await loadUntil(() => four.every((n) => n.epochRunner?.driver?.replica.epoch === 2n), 90_000), "the remaining four run epoch 2");
  t.ok(await eventually(() => core.consensusDriver === undefined, 10_000), "the removed validator runs no replica");
  t.ok(await eventually(() => !a!.p2p.connectedPeers().some((p) => p.peerId === peerIdFromNodePublicKey(Buffer.from(coreKey, "hex"))), 30_000), "and is disconnected");

  // a restart after the switch resumes in the new epoch from the consensus log
  await net.nodes[1]!.stop();
  net.nodes[1] = undefined;
  const restarted = await net.startValidator(1);
  t.equal(restarted.epochRunner?.epoch.epoch, 2n, "a restarted validator resumes in epoch 2");
  const h1 = a!.chain.height;
  t.ok(await loadUntil(() => [a!, restarted, c!, newcomer!].every((n) => n.chain.height >= h1 + 5n), 60_000), "and the four go on ordering");
  // the observer followed every switch: its blocks verified against each epoch's set
  const observer = net.observer!;
  t.ok(await eventually(() => observer.chain.height >= h1 + 5n, 30_000), "the observer follows across both switches");
  t.equal(toHex((await observer.query.getHeader(h1))!.hash), toHex((await a!.query.getHeader(h1))!.hash), "on the same chain");
  t.ok(await loadUntil(async () => ((await observer.query.checkpointAtOrBelow(observer.chain.height))?.seq ?? 0n) > a!.epochRunner!.epoch.baseSeq, 30_000) , "and keeps checkpoint certificates of the epoch in force (signed by its set)");
  const heights = [a!, restarted, c!, newcomer].map((n) => n.chain.height);
  const low = heights.reduce((x, y) => (x < y ? x : y));
  const hashes = new Set(await Promise.all([a!, restarted, c!, newcomer].map(async (n) => toHex((await n.query.getHeader(low))!.hash))));
  t.equal(hashes.size, 1, "one chain");
  t.ok(hookCalls.some((h) => h.epoch === 1n && h.nextEpoch === 2n && h.height === h.seq), "the newcomer's epoch-ended hook ran with its state at the switch");
});

t.test("the validators that switched keep the epoch links; the chain of sets verifies from genesis, and so do certified headers of epoch 2", async (t) => {
  const a = net.nodes[0]!;
  const genesisSet = validatorSetFromGenesis(net.genesis);
  const links = await a.query.epochLinks();
  t.same(links.map((l) => l.epoch), [1n, 2n], "one link per switch, built at each switch by node/epochs.ts");
  const sets = verifyValidatorSets(genesisSet, links.map(epochLinkToJson));
  t.ok(sets.ok, JSON.stringify(sets.problems));
  t.same(sets.chain.epochs.map((e) => e.validators.length), [4, 5, 4]);
  t.same(sets.chain.epochs[1]!.validators.map((v) => toHex(v.publicKey)).at(-1), toHex(newKey), "epoch 1 adds the newcomer last");
  // the checkpoint certificates the node keeps name their epoch, so a client checks them with that set
  const head = a.chain.height;
  const certified = await a.query.waitCertifiedHeader(head, 10_000);
  t.ok(certified, "the head is certified");
  t.equal(certified!.checkpoint.epoch, 2n, "a checkpoint of epoch 2");
  t.match(verifyCertifiedHeader(certified!, sets.chain, (b) => nodeCrypto.sha256(b), (pk, m, s) => nodeCrypto.verify(pk, m, s)), { ok: true });
  t.match(verifyCertifiedHeader(certified!, genesisSet, (b) => nodeCrypto.sha256(b), (pk, m, s) => nodeCrypto.verify(pk, m, s)), { ok: false, code: "EPOCH_UNPROVEN" });
  // the observer ran no replica, so no hook: it learnt both links from the block-sync answers it
  // followed with, each verified from the genesis set, and serves them too
  const observer = net.observer!;
  t.ok(await eventually(async () => (await observer.query.epochLinks()).length === 2, 30_000), "the observer learnt both links by block sync");
  const fromObserver = verifyValidatorSets(genesisSet, (await observer.query.epochLinks()).map(epochLinkToJson));
  t.ok(fromObserver.ok, JSON.stringify(fromObserver.problems));
  t.same(fromObserver.chain.epochs.map((e) => e.validators.length), [4, 5, 4]);
  // the newcomer followed epoch 0 (no replica then) and voted from E1: it holds epoch 2's link (its
  // own switch) and epoch 1's if a block-sync answer brought it; whatever it holds is in epoch order
  const own = (await newcomer!.query.epochLinks()).map((l) => l.epoch);
  t.ok(own.includes(2n), `the newcomer built epoch 2's link at its switch (holds ${own.join(", ")})`);
});
