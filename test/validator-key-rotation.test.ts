// A validator rotates its node key (docs/governance.md §4 ROTATE_KEY, docs/operator.md "Rotating a
// validator's node key"), on real nodes in one process: four validators over real libp2p, LevelDB
// and the ledger's governance transactions, and an observer. bank-b's node runs with its next key
// configured (config nextNodeKeyFile, started by fromConfigFile as tradeledger start does); a quorum of the parties decides
// ROTATE_KEY; bank-b signs with the old key up to the switch, restarts itself at the switch and
// signs with the new key from it, in the same place (replica 1). Blocks after the switch carry
// certificates with the new key's signature and verify from genesis through the chain of sets; the
// old key is refused after the switch (its peer, and its signature under replica 1). The operator's
// path (a config file with nextNodeKeyFile, `tradeledger start`'s fromConfigFile) picks the next
// key by itself after the switch.
import t from "tap";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeKeyPossessionProof, verifyNodeKeyPossession } from "../sdk/transactions/key-possession.js";
import { tx } from "../sdk/builders.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { commitSigningBytes, epochSigningChainId, verifyCommitCertificate, type CommitCertificate, type Validator } from "../sdk/commit.js";
import { verifyCertifiedHeader } from "../sdk/certified.js";
import { epochLinkToJson, verifyValidatorSets } from "../sdk/epochs.js";
import { validatorSetFromGenesis } from "../sdk/verify.js";
import { statusSigningBytes } from "../consensus/messages.js";
import type { Status } from "../consensus/types.js";
import { nodeCrypto } from "../node/crypto.js";
import { TradeLedgerNode } from "../node/node.js";
import { loadKeyFile, writeKeyFile } from "../config/load.js";
import { peerIdFromNodePublicKey } from "../p2p/index.js";
import { silentLogger } from "../node/log.js";
import type { Tx } from "../sdk/tx.js";
import { eventually, startTestNetwork, type TestNetwork, commitOk } from "./net-harness.js";
import { initTestToken, softhsmUnavailable } from "./softhsm.js";
import { Pkcs11Key } from "../node/keys/pkcs11.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "node", "cli", "cli.js");

let net: TestNetwork;
/** bank-b's next node key */
const newSeed = new Uint8Array(randomBytes(32));
const newKey = nodeCrypto.publicKeyFromSeed(newSeed);
let restarting: Promise<void> = Promise.resolve();
t.teardown(async () => {
  await restarting.catch(() => undefined);
  await net?.stop();
});

const B = 1; // bank-b's validator: replica 1
const verify = (pk: Uint8Array, m: Uint8Array, s: Uint8Array) => nodeCrypto.verify(pk, m, s);
const live = () => net.nodes.filter((n): n is TradeLedgerNode => n !== undefined);

const commit = commitOk;

/** Keeps the chain moving until `done`. */
async function loadUntil(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let i = 0;
  while (Date.now() < deadline) {
    if (await done()) return true;
    const nodes = live();
    const signed = net.sign("exporter-hz-textiles", tx.cancelReceivable({ receivableId: toHex(randomBytes(32)), reason: `load ${i++}` }));
    await nodes[i % nodes.length]?.api.submit(signed.bytes).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
  }
  return await done();
}

t.test("bank-b's validator rotates its node key at a switch: same place, new key, the network keeps committing", async (t) => {
  net = await startTestNetwork({ observer: true, consensus: { checkpointInterval: 5, watermarkWindow: 10 } });
  const oldKey = fromHex(net.genesis.validators[B]!.nodePublicKey);
  const oldSeed = loadKeyFile(net.configs[B]!.nodeKeyFile!).seed;
  const oldPeer = peerIdFromNodePublicKey(oldKey);
  const newPeer = peerIdFromNodePublicKey(newKey);

  // bank-b's node, now with its next key in its config (nextNodeKeyFile), started the way `tradeledger
  // start` starts it: fromConfigFile, and at the switch the restart it hands over (node/cli/cli.ts)
  const dir = dirname(net.net.nodes[B]!.configFile);
  writeKeyFile(join(dir, "node-key.next.json"), { seed: newSeed }); // as `tradeledger keys generate` writes it (plaintext here)
  const json = JSON.parse(readFileSync(net.net.nodes[B]!.configFile, "utf8")) as { p2p: Record<string, unknown> };
  writeFileSync(rotatingConfig(), JSON.stringify({ ...json, nextNodeKeyFile: "node-key.next.json", p2p: { ...json.p2p, observers: net.configs[B]!.p2p.observers } }));
  const rotations: { at: number }[] = [];
  let restartedAt = 0;
  const onNodeKeyRotated = (restart: () => Promise<TradeLedgerNode>) => {
    rotations.push({ at: performance.now() });
    restarting = restarting.then(async () => {
      const old = net.nodes[B];
      net.nodes[B] = undefined;
      await old?.stop();
      net.nodes[B] = await restart();
      restartedAt = performance.now();
    });
  };
  await net.nodes[B]!.stop();
  net.nodes[B] = await TradeLedgerNode.fromConfigFile(rotatingConfig(), { logger: silentLogger, rpc: null, env: {}, onNodeKeyRotated });
  t.equal(net.nodes[B]!.p2p.peerId, oldPeer, "before the decision it runs with its current key");
  t.equal(net.nodes[B]!.epochRunner?.self, B, "as replica 1");

  // the consortium decides the rotation (bank-a proposes, bank-b and customs approve: 3 of 4)
  const [a, , c, d] = net.nodes as TradeLedgerNode[];
  const committedAt = new Map<bigint, number>();
  a!.api.onBlock((blk) => void committedAt.set(blk.certificate.seq, performance.now()));
  const proof = nodeKeyPossessionProof(net.genesis.chainId, "bank-b", newKey, (m) => nodeCrypto.sign(newSeed, m));
  const proposal = net.sign("bank-a", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: oldKey, partyId: "bank-b", newNodePublicKey: newKey, newNodeKeyProof: proof }));
  await commit(a!, proposal);
  await commit(c!, net.sign("bank-b", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  const decidedAt = await commit(c!, net.sign("customs", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  t.ok(await eventually(() => a!.chain.height >= decidedAt, 10_000), "bank-a executed the deciding block");
  const set = a!.chain.validatorSet!;
  const switchAt = set.switchAt;
  t.ok(switchAt > decidedAt, `decided at ${decidedAt}, the switch after ${switchAt}`);
  t.same(set.members.map((m) => m.partyId), net.genesis.validators.map((v) => v.id), "same parties, same order");
  t.equal(toHex(set.members[B]!.nodePublicKey), toHex(newKey), "bank-b's place holds the new key");
  t.equal(set.members.length, 4, "n stays 4");

  // at the switch the old node stops voting and restarts with the next key; the four vote in epoch 1
  t.ok(
    await loadUntil(async () => {
      await restarting;
      return rotations.length === 1 && live().length === 4 && live().every((n) => n.epochRunner?.driver?.replica.epoch === 1n);
    }, 120_000),
    "all four run epoch 1's replica, bank-b's restarted with its new key",
  );
  t.equal(rotations.length, 1, "the node restarted once, at the switch");
  const b = net.nodes[B]!;
  t.equal(b.p2p.peerId, newPeer, "a new libp2p identity: the new key's");
  t.equal(b.epochRunner!.self, B, "still replica 1");
  t.ok(await eventually(() => [a!, c!, d!].every((n) => n.p2p.connectedPeers().some((p) => p.peerId === newPeer)), 30_000), "the others accept the new key");
  // and keep it connected themselves (not only when it dials in): their dialers target it at bank-b's configured address
  const dialerOf = (n: TradeLedgerNode) => (n.p2p as unknown as { dialer: { has(id: string): boolean } }).dialer;
  t.ok(await eventually(() => [a!, c!, d!].every((n) => dialerOf(n).has(newPeer)), 10_000), "the others dial the new key at bank-b's address");


  // blocks of epoch 1 carry the new key's signature (in the certificates bank-b's node keeps: its own commit is in its quorum)
  const epoch1 = a!.epochRunner!.epoch.members;
  const withOld: Validator[] = epoch1.map((v, i) => (i === B ? { ...v, publicKey: oldKey } : v));
  let signedByNewKey = 0n;
  t.ok(
    await loadUntil(async () => {
      for (let h = switchAt + 1n; h <= b.chain.height; h++) {
        const cert = await b.query.getCertificate(h);
        if (cert?.commits.some((s) => s.replica === B)) {
          signedByNewKey = h;
          return true;
        }
      }
      return false;
    }, 60_000),
    "a block of epoch 1 is certified with bank-b's commit",
  );
  const cert = (await b.query.getCertificate(signedByNewKey))!;
  const own = cert.commits.find((s) => s.replica === B)!;
  t.equal(cert.epoch, 1n);
  t.ok(verifyCommitCertificate(cert, epoch1, verify, { epoch: 1n }).ok, `block ${signedByNewKey}: the certificate verifies with epoch 1's set`);
  t.ok(verify(newKey, ...signedCommit(cert, own)), "bank-b's commit is the new key's signature");
  t.notOk(verify(oldKey, ...signedCommit(cert, own)), "not the old key's");
  t.ok(await loadUntil(() => live().every((n) => n.chain.height >= switchAt + 10n), 60_000), "the four go on ordering");
  const seen = [...committedAt].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const before = seen.filter(([h]) => h <= switchAt).at(-1);
  const after = seen.find(([h]) => h > switchAt);
  t.comment(
    `bank-b's node restarted with the new key in ${(restartedAt - rotations[0]!.at).toFixed(0)} ms (stop + start); bank-a's last commit at or below the switch (${before?.[0]}) to its first above (${after?.[0]}): ${before && after ? (after[1] - before[1]).toFixed(0) : "?"} ms`,
  );  for (let h = 1n; h <= switchAt; h++) {
    const c0 = (await a!.query.getCertificate(h))!;
    if (!c0.commits.some((s) => s.replica === B)) continue;
    t.notOk(verifyCommitCertificate(c0, epoch1, verify, { epoch: 1n }).ok, `block ${h} (epoch 0, signed by the old key) does not pass as epoch 1's`);
    break;
  }

  // the chain of sets from genesis: one link, the same ids, bank-b's key replaced in place
  const genesisSet = validatorSetFromGenesis(net.genesis);
  const links = await a!.query.epochLinks();
  t.same(links.map((l) => l.epoch), [1n], "one link, built at the switch");
  const sets = verifyValidatorSets(genesisSet, links.map(epochLinkToJson));
  t.ok(sets.ok, JSON.stringify(sets.ok ? [] : sets.problems));
  if (sets.ok) {
    t.same(sets.chain.epochs.map((e) => e.validators.map((v) => v.id)), [net.genesis.validators.map((v) => v.id), net.genesis.validators.map((v) => v.id)]);
    t.equal(toHex(sets.chain.epochs[1]!.validators[B]!.publicKey), toHex(newKey), "epoch 1's set, proven from genesis, has the new key in bank-b's place");
    const head = await a!.query.waitCertifiedHeader(a!.chain.height, 10_000);
    t.ok(head && head.checkpoint.epoch === 1n, "the head is certified in epoch 1");
    t.match(verifyCertifiedHeader(head!, sets.chain, (x) => nodeCrypto.sha256(x), verify), { ok: true }, "and verifies through the chain of sets");
    // with the old key in bank-b's place, its commit counts for nothing: a quorum of exactly three holding it falls short
    if (cert.commits.length === 3) t.notOk(verifyCommitCertificate(cert, withOld, verify, { epoch: 1n }).ok, "with the old key in bank-b's place, the certificate falls short");
  }

  // the old key after the switch: no validator keeps its peer, and a frame of epoch 1 signed by it is refused
  t.ok(live().every((n) => !n.p2p.connectedPeers().some((p) => p.peerId === oldPeer)), "no validator is connected to the old key's peer");
  t.equal(a!.p2p.peerRef(newPeer)?.validatorId, "bank-b", "the new key's peer is bank-b's validator");
  t.equal(a!.p2p.peerRef(oldPeer)?.validatorId, undefined, "the old key's is no validator's any more");
  const status = (seed: Uint8Array): Status => {
    const m = { view: a!.epochRunner!.driver!.replica.view, viewActive: true, stableSeq: 0n, lastDelivered: 0n, round: 7, replica: B };
    return { type: "status", ...m, signature: nodeCrypto.sign(seed, statusSigningBytes(epochSigningChainId(net.genesis.chainId, 1n), m)) };
  };
  t.equal(a!.epochRunner!.onMessage(oldPeer, 1n, status(oldSeed)), "not-member", "from the old key's peer: not a member of epoch 1");
  const replica = a!.epochRunner!.driver!.replica;
  const bad = replica.counters.dropped.badSignature;
  t.equal(a!.epochRunner!.onMessage(newPeer, 1n, status(oldSeed)), "delivered");
  t.ok(await eventually(() => replica.counters.dropped.badSignature === bad + 1, 5_000), "replica 1's frame signed with the old key: dropped as a bad signature");
  t.equal(a!.epochRunner!.onMessage(newPeer, 1n, status(newSeed)), "delivered");
  await new Promise((r) => setTimeout(r, 200));
  t.equal(replica.counters.dropped.badSignature, bad + 1, "the same frame signed with the new key passes");

  // the observer followed across the switch, each block checked against its epoch's set
  const observer = net.observer!;
  const h1 = a!.chain.height;
  t.ok(await eventually(() => observer.chain.height >= h1, 30_000), "the observer follows across the switch");
  t.equal(toHex((await observer.query.getHeader(h1))!.hash), toHex((await a!.query.getHeader(h1))!.hash), "on the same chain");
});

t.test("the operator's path: a config file with nextNodeKeyFile; after the switch the node picks the next key by itself", async (t) => {
  await restarting;
  const b = net.nodes[B]!;
  t.equal(b.p2p.peerId, peerIdFromNodePublicKey(newKey), "bank-b runs with the rotated key");
  await b.stop();
  net.nodes[B] = undefined;
  // a plain restart from the same config (nodeKeyFile: the old key, nextNodeKeyFile: the new one), no restart hook
  const started = await TradeLedgerNode.fromConfigFile(rotatingConfig(), { logger: silentLogger, rpc: null, env: {} });
  net.nodes[B] = started;
  t.equal(started.p2p.peerId, peerIdFromNodePublicKey(newKey), "it runs with the next key, the one in force (nodeKeyFile still names the old one)");
  t.equal(started.epochRunner?.epoch.epoch, 1n, "in epoch 1");
  t.equal(started.epochRunner?.self, B, "as replica 1");
  const h = net.nodes[0]!.chain.height;
  t.ok(await loadUntil(() => live().every((n) => n.chain.height >= h + 5n), 60_000), "and the four go on ordering");
});

t.test("a next key in an HSM (nextNodeKeyPkcs11): bank-b rotates again, to a key generated in a SoftHSM2 token", async (t) => {
  const why = softhsmUnavailable();
  if (why && !process.env.CI) {
    t.pass(`skipped: ${why}`);
    return;
  }
  await restarting;
  const token = initTestToken();
  t.teardown(() => rmSync(token.dir, { recursive: true, force: true }));
  const keyRef = { module: token.module, tokenLabel: token.tokenLabel, keyLabel: "bank-b-node-2028" };
  const generated = Pkcs11Key.generate({ ...keyRef, pin: token.pin });
  const hsmKey = generated.publicKey;
  generated.close(); // the node opens it itself, from its config
  const dir = dirname(net.net.nodes[B]!.configFile);
  const json = JSON.parse(readFileSync(rotatingConfig(), "utf8")) as Record<string, unknown>;
  const hsmConfig = join(dir, "node-rotating-hsm.json");
  // the key in force (the first rotation's) is now nodeKeyFile; the HSM key is next
  const { nextNodeKeyFile: _n, ...rest } = json;
  writeFileSync(hsmConfig, JSON.stringify({ ...rest, nodeKeyFile: "node-key.next.json", nextNodeKeyPkcs11: keyRef }));
  let restarted = 0;
  const onNodeKeyRotated = (restart: () => Promise<TradeLedgerNode>) => {
    restarting = restarting.then(async () => {
      const old = net.nodes[B];
      net.nodes[B] = undefined;
      await old?.stop();
      net.nodes[B] = await restart();
      restarted++;
    });
  };
  await net.nodes[B]!.stop();
  net.nodes[B] = await TradeLedgerNode.fromConfigFile(hsmConfig, { logger: silentLogger, rpc: null, env: { TRADELEDGER_PKCS11_PIN: token.pin }, onNodeKeyRotated });
  t.equal(net.nodes[B]!.p2p.peerId, peerIdFromNodePublicKey(newKey), "until the switch: the key in force");

  const [a, , c] = net.nodes as TradeLedgerNode[];
  // the proof is signed in the HSM: bank-b's operator runs the CLI on the node's config
  const possession = spawnSync(process.execPath, [CLI, "keys", "node-possession", "--config", hsmConfig, "--json"], { encoding: "utf8", env: { ...process.env, TRADELEDGER_PKCS11_PIN: token.pin } });
  t.equal(possession.status, 0, possession.stderr);
  const proved = JSON.parse(possession.stdout) as { partyId: string; chainId: string; newNodePublicKey: string; newNodeKeyProof: string };
  t.match(proved, { partyId: "bank-b", chainId: net.genesis.chainId, newNodePublicKey: toHex(hsmKey) }, "keys node-possession opens the HSM key the node's config names");
  t.ok(verifyNodeKeyPossession(nodeCrypto, net.genesis.chainId, "bank-b", hsmKey, fromHex(proved.newNodeKeyProof)), "and the HSM signed the proof");
  const proposal = net.sign("customs", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: newKey, partyId: "bank-b", newNodePublicKey: hsmKey, newNodeKeyProof: proved.newNodeKeyProof }));
  await commit(a!, proposal);
  await commit(c!, net.sign("bank-a", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  const decidedAt = await commit(c!, net.sign("core-enterprise", tx.approveValidatorChange({ proposalId: proposal.hashHex })));
  t.ok(await eventually(() => a!.chain.height >= decidedAt, 10_000));
  const switchAt = a!.chain.validatorSet!.switchAt;
  t.ok(
    await loadUntil(async () => {
      await restarting;
      return restarted === 1 && live().length === 4 && live().every((n) => n.epochRunner?.driver?.replica.epoch === 2n);
    }, 120_000),
    "the four run epoch 2, bank-b's node restarted with the HSM key",
  );
  const b = net.nodes[B]!;
  t.equal(b.p2p.peerId, peerIdFromNodePublicKey(hsmKey), "its libp2p identity is the HSM key's");
  t.equal(b.epochRunner!.self, B, "still replica 1");
  let signed = 0n;
  t.ok(
    await loadUntil(async () => {
      for (let h = switchAt + 1n; h <= b.chain.height; h++) {
        const cert = await b.query.getCertificate(h);
        if (cert?.commits.some((x) => x.replica === B)) {
          signed = h;
          return true;
        }
      }
      return false;
    }, 60_000),
    "a block of epoch 2 is certified with bank-b's commit",
  );
  const cert = (await b.query.getCertificate(signed))!;
  t.equal(cert.epoch, 2n);
  t.ok(verify(hsmKey, ...signedCommit(cert, cert.commits.find((x) => x.replica === B)!)), "signed in the token");
  const links = await a!.query.epochLinks();
  const sets = verifyValidatorSets(validatorSetFromGenesis(net.genesis), links.map(epochLinkToJson));
  t.ok(sets.ok && toHex(sets.chain.epochs[2]!.validators[B]!.publicKey) === toHex(hsmKey), "the chain of sets from genesis proves the HSM key in bank-b's place in epoch 2");
});

/** bank-b's config with nextNodeKeyFile, beside its devnet node.json */
function rotatingConfig(): string {
  return join(dirname(net.net.nodes[B]!.configFile), "node-rotating.json");
}

/** The bytes a commit signature of `cert` is over, and the signature. */
function signedCommit(cert: CommitCertificate, s: { replica: number; signature: Uint8Array }): [Uint8Array, Uint8Array] {
  return [commitSigningBytes(epochSigningChainId(cert.chainId, cert.epoch ?? 0n), cert.view, cert.seq, cert.digest, s.replica), s.signature];
}
