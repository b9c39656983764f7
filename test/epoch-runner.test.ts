// The node's validator-set switch (docs/governance.md §5, node/driver/epoch-runner.ts): real epoch
// runners, drivers, proposers, mempools, block sync and wire on an in-memory network (test/sim/epochs.ts),
// the set in state changed by the ledger's own rule. Checked: a network grows 4 -> 5 -> 7 under load
// and removes one (newcomers follow, then vote from the switch; the removed node stops voting and
// follows); every block's certificate verifies against its epoch's set; the epoch-ended hook runs
// with the state exactly at the switch and no driver running; a kill -9 inside the hook or right
// after the durable switch resumes in the right epoch; a laggard of a finished epoch is answered with
// the epoch's final proof and switches; garbage epochs on the wire are typed refusals; the gater
// refuses a removed validator; seeded runs of random changes under loss and kill -9 (npm run
// sim:epochs runs more) keep one chain and finish after the heal.
import t from "tap";
import { toHex } from "../sdk/bytes.js";
import { createConnectionGater } from "../p2p/gater.js";
import { PeerDirectory } from "../p2p/peers.js";
import { peerIdFromNodePublicKey } from "../p2p/identity.js";
import { nodeCrypto } from "../node/crypto.js";
import { registerConsensusChannel } from "../node/net/consensus-channel.js";
import { decodeConsensusFrame, encodeConsensusFrame, encodeConsensusMessage } from "../node/net/wire.js";
import { encode } from "../sdk/codec.js";
import type { ConsensusMessage } from "../consensus/index.js";
import { EpochNet, runEpochSeed } from "./sim/epochs.js";

/** Submits a transaction every `everyMs` for `ms` virtual ms. */
async function load(net: EpochNet, ms: number, everyMs = 40): Promise<void> {
  const until = net.now + ms;
  while (net.now < until) {
    net.submit();
    await net.runUntil(net.now + everyMs);
  }
}

/** Loads the network until `done` holds (or the deadline), then lets it settle. */
async function loadUntil(net: EpochNet, done: () => boolean, ms: number): Promise<boolean> {
  const deadline = net.now + ms;
  while (net.now < deadline && !done()) await load(net, 200);
  return done();
}

t.test("4 -> 5 -> 7 -> 6 under load: newcomers follow then vote from the switch, the removed node follows, one chain", async (t) => {
  const net = new EpochNet(11n, [0, 1, 2, 3]);
  for (const k of [0, 1, 2, 3]) await net.start(k);
  const newcomer = await net.start(4);
  t.equal(newcomer.runner!.driver, undefined, "a node whose key is in no set follows: it runs no replica");
  await load(net, 1500);
  t.ok(newcomer.chain.height > 0n, "the newcomer follows the chain before it is a validator");

  net.submit("ADD:4");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2, 3, 4]) === 1n, 20_000), "all five vote in epoch 1");
  const switch1 = net.hookCalls.filter((h) => h.epoch === 0n);
  t.same(new Set(switch1.map((h) => h.key)), new Set([0, 1, 2, 3]), "every member of epoch 0 ran the epoch-ended hook");
  const end0 = switch1[0]!.seq;
  t.ok(switch1.every((h) => h.seq === end0 && h.height === end0 && h.nextEpoch === 1n && !h.driverRunning), "each with its state exactly at the switch and no driver running");
  t.equal(end0 % 5n, 0n, "the switch is a checkpoint seq");
  t.equal(newcomer.runner!.epoch.baseSeq, end0, "the newcomer's epoch starts from the base");
  t.ok(net.nodes.get(0)!.runner!.finishedEpoch(0n)!.checkpoint.proof.length >= 3, "the old epoch's final proof is kept (a quorum of the four)");

  await net.start(5);
  await net.start(6);
  net.submit("ADD:5");
  net.submit("ADD:6");
  const seven = [0, 1, 2, 3, 4, 5, 6];
  t.ok(await loadUntil(net, () => net.votingEpoch(seven) >= 2n && net.nodes.get(0)!.runner!.epoch.members.length === 7, 30_000), "seven vote");
  const epoch7 = net.nodes.get(0)!.runner!.epoch.epoch;
  t.ok(epoch7 === 2n || epoch7 === 3n, `the set of seven runs as epoch ${epoch7} (the set's version)`);

  net.submit("REMOVE:3");
  const six = [0, 1, 2, 4, 5, 6];
  t.ok(await loadUntil(net, () => net.votingEpoch(six) === epoch7 + 1n, 30_000), "the six vote in the next epoch");
  const removed = net.nodes.get(3)!;
  t.equal(removed.runner!.driver, undefined, "the removed validator runs no replica");
  await load(net, 2000);
  t.ok(await net.runUntilTrue(() => net.allExecutedOn(seven), net.now + 20_000), "every transaction executed on all seven nodes (the removed one by following)");
  t.equal(removed.runner!.epoch.epoch, epoch7 + 1n, "the removed node follows the epoch in force");

  t.same(net.violations, [], "no fork, no halt, no misrouted frame");
  for (const k of seven) t.same(net.nodes.get(k)!.chain.problems, [], `node ${k}: every block's certificate verifies against its epoch's set`);
  const heights = seven.map((k) => net.nodes.get(k)!.chain.height);
  const top = heights.reduce((a, b) => (a > b ? a : b));
  t.ok(top > 100n, `a long chain (${top} blocks)`);
  const n0 = net.nodes.get(0)!.chain;
  const epochs = new Set([...n0.blocks.values()].map((b) => b.certificate.epoch ?? 0n));
  t.same([...epochs].sort(), [0n, 1n, epoch7, epoch7 + 1n].sort(), "certificates name every epoch the chain ran");
  t.ok(net.refused.future + net.refused.unknown >= 0);
});

t.test("kill -9 inside the epoch-ended hook and right after the durable switch: each resumes in the right epoch", async (t) => {
  const net = new EpochNet(23n, [0, 1, 2, 3]);
  for (const k of [0, 1, 2, 3]) await net.start(k);
  await net.start(4);
  net.nodes.get(1)!.crashInHook = true;
  net.nodes.get(2)!.crashAfterSwitch = true;
  await load(net, 500);
  net.submit("ADD:4");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2, 3, 4]) === 1n, 30_000), "all five vote in epoch 1, the two crashed nodes included");
  t.equal(net.nodes.get(1)!.restarts, 1, "node 1 was killed in the hook");
  t.equal(net.nodes.get(2)!.restarts, 1, "node 2 was killed after the switch was durable");
  const calls1 = net.hookCalls.filter((h) => h.key === 1 && h.epoch === 0n);
  t.equal(calls1.length, 2, "the hook runs again after a crash before the switch was durable (at least once)");
  t.ok(calls1.every((h) => h.height === h.seq), "both times with the state at the switch");
  t.equal(net.hookCalls.filter((h) => h.key === 2 && h.epoch === 0n).length, 1, "a crash after the durable switch does not end the epoch again");
  t.same(net.nodes.get(1)!.log.current?.epoch, 1n);
  t.ok(net.nodes.get(2)!.log.finished.has(0n), "the finished epoch's proof is durable");
  await load(net, 1500);
  t.ok(await net.runUntilTrue(() => net.allExecutedOn([0, 1, 2, 3, 4]), net.now + 20_000), "nothing submitted is lost");
  t.same(net.violations, []);
});

t.test("a laggard of a finished epoch gets its final proof, fetches the state and switches", async (t) => {
  const net = new EpochNet(37n, [0, 1, 2, 3]);
  for (const k of [0, 1, 2, 3]) await net.start(k);
  await net.start(4);
  await load(net, 400);
  net.crash(3); // down across the switch: the other three are a quorum of four
  net.submit("ADD:4");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2, 4]) === 1n, 30_000), "the others switch without it");
  await load(net, 1000);
  const laggard = await net.start(3);
  t.equal(laggard.runner!.epoch.epoch, 0n, "it restarts in the epoch its log says");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2, 3, 4]) === 1n, 30_000), "and reaches epoch 1");
  const answered = [0, 1, 2].reduce((s, k) => s + net.nodes.get(k)!.runner!.stats.answeredLaggards, 0);
  t.ok(answered > 0, `its STATUS of epoch 0 was answered with the final proof (${answered} times)`);
  t.ok(laggard.log.finished.has(0n) || laggard.log.current?.epoch === 1n, "its log holds the new epoch");
  await load(net, 1000);
  t.ok(await net.runUntilTrue(() => net.allExecutedOn([0, 1, 2, 3, 4]), net.now + 20_000));
  t.same(net.violations, []);
  for (const k of [0, 1, 2, 3, 4]) t.same(net.nodes.get(k)!.chain.problems, []);
});

t.test("ROTATE_KEY: the rotated node restarts with its other key at the switch; a laggard of the old epoch is answered by the others, not by it", async (t) => {
  const net = new EpochNet(43n, [0, 1, 2, 3]);
  for (const k of [0, 1, 2, 3]) await net.start(k);
  await load(net, 400);
  net.crash(3); // down across the switch: the other three are a quorum of four
  net.submit("ROT:1");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2]) === 1n && net.nodes.get(1)!.signing === 1 + net.pool, 30_000), "the others switch, node 1 under its other key");
  t.equal(net.rotations, 1, "node 1 restarted once, at the switch");
  t.same(net.nodes.get(1)!.runner!.epoch.members.map((v) => net.keyOf(v.publicKey)), [0, 1, 2, 3], "same members, same places");
  await load(net, 1000);
  const laggard = await net.start(3);
  t.equal(laggard.runner!.epoch.epoch, 0n, "the laggard restarts in epoch 0");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2, 3]) === 1n, 30_000), "and reaches epoch 1");
  t.equal(net.nodes.get(1)!.runner!.stats.answeredLaggards, 0, "node 1 was epoch 0's member under its old key: it does not answer (under its new peer id the laggard would take it for no member)");
  t.ok((net.nodes.get(0)!.runner!.stats.answeredLaggards ?? 0) + (net.nodes.get(2)!.runner!.stats.answeredLaggards ?? 0) > 0, "nodes 0 and 2 answer it");
  await load(net, 1000);
  t.ok(await net.runUntilTrue(() => net.allExecutedOn([0, 1, 2, 3]), net.now + 20_000), "nothing submitted is lost");
  t.same(net.violations, [], "no frame taken for a non-member's, no fork, no halt");
  for (const k of [0, 1, 2, 3]) t.same(net.nodes.get(k)!.chain.problems, [], `node ${k}: every certificate verifies with its epoch's set`);
});

t.test("a node whose consensus log is behind its chain (the log lost, the store kept) resumes in the chain's epoch", async (t) => {
  const net = new EpochNet(41n, [0, 1, 2, 3]);
  for (const k of [0, 1, 2, 3]) await net.start(k);
  await net.start(4);
  net.submit("ADD:4");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2, 3, 4]) === 1n, 30_000));
  await load(net, 1000);
  const node = net.nodes.get(2)!;
  net.crash(2);
  node.log.current = undefined;
  node.log.records = [];
  node.log.finished.clear();
  t.ok(node.chain.height > net.nodes.get(0)!.runner!.epoch.baseSeq, "its chain holds blocks of epoch 1");
  await net.start(2);
  t.equal(node.runner!.epoch.epoch, 1n, "it starts in epoch 1, not in the epoch 0 its empty log implies");
  t.ok(await loadUntil(net, () => net.votingEpoch([0, 1, 2, 3, 4]) === 1n && node.runner!.driver !== undefined, 20_000), "and votes");
  await load(net, 500);
  t.ok(await net.runUntilTrue(() => net.allExecutedOn([0, 1, 2, 3, 4]), net.now + 20_000));
  t.same(net.violations, []);
});

t.test("wire: the epoch travels in the envelope; garbage epochs are typed refusals, never a crash", async (t) => {
  const net = new EpochNet(5n, [0, 1, 2, 3]);
  for (const k of [0, 1, 2, 3]) await net.start(k);
  await load(net, 300);
  const runner = net.nodes.get(0)!.runner!;
  const status: ConsensusMessage = { type: "status", view: 0n, viewActive: true, stableSeq: 0n, lastDelivered: 0n, round: 1, replica: 1, signature: new Uint8Array(64) };
  const sizes = (e: bigint) => runner.validatorsIn(e);
  t.match(decodeConsensusFrame(encodeConsensusFrame(status, 0n), sizes), { epoch: 0n, message: { type: "status" } }, "epoch 0 frames decode as before");
  t.same(encodeConsensusFrame(status, 0n), encodeConsensusMessage(status), "and are byte-identical to frames without an epoch");
  t.match(decodeConsensusFrame(encodeConsensusFrame(status, 7n), sizes), { refused: "future", epoch: 7n }, "an epoch not reached: refused, not an error");
  t.match(decodeConsensusFrame(encodeConsensusFrame(status, 18446744073709551615n), sizes), { refused: "future" }, "the largest u64 epoch too");
  // a varint epoch beyond 64 bits, and a truncated one
  const body = encodeConsensusMessage(status);
  const huge = Uint8Array.from([...body, 9 << 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  t.type(decodeConsensusFrame(huge, sizes), Error, "an epoch beyond u64: a decode error");
  const truncated = Uint8Array.from([...body, 9 << 3, 0xff]);
  t.type(decodeConsensusFrame(truncated, sizes), Error, "a truncated epoch: a decode error");
  t.type(decodeConsensusFrame(encode("ConsensusEnvelope", { epoch: 3n }), sizes), Error, "an epoch with no message: an error");
  // the channel: a refusal costs the sender nothing; a frame of the current epoch from a non-member is penalised
  const penalised: string[] = [];
  const refusals: string[] = [];
  let spec: { decode(b: Uint8Array): unknown; handler(from: { peerId: string }, m: unknown): void } | undefined;
  registerConsensusChannel(
    { registerChannel: (s) => void (spec = s as never), penalize: (id) => void penalised.push(id) },
    { validatorsIn: sizes, deliver: (from, epoch, m) => runner.onMessage(from.peerId, epoch, m), refused: (_f, r) => void refusals.push(r.refused) },
  );
  const stranger = toHex(nodeCrypto.sha256(new Uint8Array([1])));
  const feed = (bytes: Uint8Array, from: string) => {
    const d = spec!.decode(bytes);
    if (!(d instanceof Error)) spec!.handler({ peerId: from }, d);
    return d;
  };
  feed(encodeConsensusFrame(status, 9n), stranger);
  t.same(refusals, ["future"]);
  t.same(penalised, [], "no penalty for an epoch not reached");
  feed(encodeConsensusFrame(status, 0n), stranger);
  t.same(penalised, [stranger], "a current-epoch frame from no member of the set is a protocol violation");
  t.same(net.violations, []);
});

t.test("gater: the set in state replaces the genesis validators; a removed validator is refused after its switch", async (t) => {
  const keys = [1, 2, 3, 4, 5, 6].map((i) => nodeCrypto.publicKeyFromSeed(nodeCrypto.sha256(new Uint8Array([i]))));
  const id = (k: Uint8Array) => peerIdFromNodePublicKey(k);
  const dir = new PeerDirectory(
    keys.slice(0, 4).map((k, i) => ({ publicKey: k, validatorId: `v${i}`, addrs: [`/ip4/127.0.0.1/tcp/${3000 + i}`] })),
    id(keys[0]!),
  );
  const refused: string[] = [];
  const gater = createConnectionGater({ isAllowed: (p) => dir.isRemote(p), isBanned: () => false, onRefused: (p) => void refused.push(p) });
  const peer = (k: Uint8Array) => ({ toString: () => id(k) }) as never;
  t.notOk(await gater.denyInboundEncryptedConnection!(peer(keys[3]!), undefined as never), "a genesis validator is accepted");
  t.ok(await gater.denyInboundEncryptedConnection!(peer(keys[4]!), undefined as never), "an unknown node is refused");
  // v4 added (switch pending): both sets
  let dropped = dir.setLedgerValidators(keys.slice(0, 5).map((k, i) => ({ publicKey: k, validatorId: `v${i}` })));
  t.same(dropped, []);
  t.notOk(await gater.denyInboundEncryptedConnection!(peer(keys[4]!), undefined as never), "an added validator is accepted from its decision on (it dials in)");
  t.equal(dir.get(id(keys[4]!))?.ref.validatorId, "v4", "and named as a validator");
  // v3 removed, its switch past: the set in state no longer has it
  dropped = dir.setLedgerValidators([0, 1, 2, 4].map((i) => ({ publicKey: keys[i]!, validatorId: `v${i}` })));
  t.same(dropped, [id(keys[3]!)], "the removed validator is to be disconnected");
  t.ok(await gater.denyInboundEncryptedConnection!(peer(keys[3]!), undefined as never), "and refused inbound");
  t.ok(await gater.denyDialPeer!(peer(keys[3]!)), "and never dialled");
  t.notOk(dir.remotes().some((p) => p.ref.peerId === id(keys[3]!)));
  // admitted as an observer on the ledger, it may follow the chain again
  dir.setLedgerObservers([{ publicKey: keys[3]! }], []);
  t.notOk(await gater.denyInboundEncryptedConnection!(peer(keys[3]!), undefined as never), "a removed validator admitted as an observer follows as one");
  t.equal(dir.get(id(keys[3]!))?.ref.validatorId, undefined, "not as a validator");
});

t.test("gater: a validator's rotated node key (ROTATE_KEY) is accepted from its decision, dialled at the validator's configured addresses once the old key is gone", async (t) => {
  const keys = [1, 2, 3, 4, 5].map((i) => nodeCrypto.publicKeyFromSeed(nodeCrypto.sha256(new Uint8Array([i]))));
  const id = (k: Uint8Array) => peerIdFromNodePublicKey(k);
  const dir = new PeerDirectory(
    keys.slice(0, 4).map((k, i) => ({ publicKey: k, validatorId: `v${i}`, addrs: [`/ip4/127.0.0.1/tcp/${3000 + i}`] })),
    id(keys[0]!),
  );
  const gater = createConnectionGater({ isAllowed: (p) => dir.isRemote(p), isBanned: () => false, onRefused: () => undefined });
  const peer = (k: Uint8Array) => ({ toString: () => id(k) }) as never;
  const rotated = keys[4]!;
  // decided, switch pending: the set in force (old key) and the set in state (new key in v2's place)
  let dropped = dir.setLedgerValidators([...keys.slice(0, 4).map((k, i) => ({ publicKey: k, validatorId: `v${i}` })), { publicKey: rotated, validatorId: "v2" }]);
  t.same(dropped, []);
  t.notOk(await gater.denyInboundEncryptedConnection!(peer(rotated), undefined as never), "the new key is accepted from the decision (it dials in)");
  t.same(dir.get(id(rotated))?.addrs, [], "but not dialled at v2's address while the old key still answers there");
  t.notOk(await gater.denyInboundEncryptedConnection!(peer(keys[2]!), undefined as never), "the old key still votes until the switch");
  // the switch is past: the set in state only
  dropped = dir.setLedgerValidators([0, 1, 4, 3].map((i) => ({ publicKey: keys[i]!, validatorId: `v${i === 4 ? 2 : i}` })));
  t.same(dropped, [id(keys[2]!)], "the old key is to be disconnected");
  t.ok(await gater.denyInboundEncryptedConnection!(peer(keys[2]!), undefined as never), "and refused inbound");
  t.ok(await gater.denyDialPeer!(peer(keys[2]!)), "and never dialled");
  t.equal(dir.get(id(rotated))?.ref.validatorId, "v2", "the new key is v2's validator");
  t.same(dir.get(id(rotated))?.addrs.map(String), ["/ip4/127.0.0.1/tcp/3002"], "dialled at v2's configured address");
  t.ok(dir.remotes().some((p) => p.ref.peerId === id(rotated) && p.addrs.length === 1));
});

t.test("seeded runs: random changes under loss and kill -9 (in the hook, after the durable switch, anywhere)", async (t) => {
  for (const seed of [1n, 2n, 3n, 4n, 5n, 6n]) {
    const r = await runEpochSeed(seed);
    t.same(r.violations, [], `seed ${seed}: no safety violation (${r.scenario})`);
    t.equal(r.liveness, null, `seed ${seed}: after the heal every member of the final set votes in the final epoch and every node executed everything`);
    t.ok(r.switches > 0, `seed ${seed}: the set changed (version ${r.switches})`);
  }
});
