// The light client follows the chain of validator sets (docs/governance.md §5, issue 14): a real
// chain of three epochs built in-process on the real node of test/rpc-harness.ts (store, executor,
// query model, RPC) with the genesis validator set in state. The four genesis validators' parties
// decide to add a fifth validator (proposeValidatorChange / approveValidatorChange through the RPC);
// blocks up to the switch E1 carry commit and checkpoint certificates of the genesis set (epoch 0),
// node/epochs.ts builds and keeps the epoch link at E1 with the stable checkpoint of the old set,
// then the five sign epoch 1, decide to remove a validator, and the four left sign epoch 2. The
// client fetches the links (GET /v1/validator-sets), verifyValidatorSets proves each epoch's set
// from the genesis set, and verifyTx / verifyHistory / verifyBlock / verifyCertifiedHeader accept
// blocks of every epoch with that chain. Then every tampering is refused with its typed problem.
import t from "tap";
import { createHash } from "node:crypto";
import { tx } from "../sdk/builders.js";
import { fromHex, toHex, utf8 } from "../sdk/bytes.js";
import { certifiedHeaderFromJson, verifyCertifiedHeader, type ValidatorSetChain } from "../sdk/certified.js";
import { decode, encode } from "../sdk/codec.js";
import { commitSigningBytes, epochSigningChainId } from "../sdk/commit.js";
import { nobleCrypto, sha256 } from "../sdk/crypto.js";
import { epochLinkToJson, verifyValidatorSets, VALIDATOR_SET_STATE_KEY, type EpochLinkJson } from "../sdk/epochs.js";
import { stateProofToJson } from "../sdk/proofs.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import { verifyBlock } from "../sdk/verify-block.js";
import { checkpointToJson } from "../sdk/certified.js";
import type { TxJson } from "../sdk/api/schemas.js";
import { epochEndFor } from "../consensus/replica.js";
import { nodeCrypto } from "../node/crypto.js";
import { EpochLinkError, EpochLinks } from "../node/epochs.js";
import { silentLogger } from "../node/log.js";
import { certifiedBlockServer } from "../node/net/block-sync.js";
import { decodeCertifiedBlock } from "../node/net/wire.js";
import { decodeEpochLinkFrame, encodeEpochLinkFrame, encodeEpochLinksRequest, EPOCH_LINKS_ANSWER_BYTES, epochLinksServer, MAX_LINKS_PER_ANSWER } from "../node/net/epoch-links.js";
import { attestPayload, decideValidatorChange, invoice, registerPayload, RpcHarness, servedHarness } from "./rpc-harness.js";

const K = 4;
const L = 8;
const { h, as } = await servedHarness(t, { governance: true, ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
const genesis = validatorSetFromGenesis(h.genesis());
const links = new EpochLinks({ store: h.store, genesis, crypto: nodeCrypto, logger: silentLogger });
const seedOf = (label: string) => new Uint8Array(createHash("sha256").update(utf8(`epoch-links/${label}`)).digest());
const regulatorNodeSeed = seedOf("node/regulator");
const regulatorNode = nodeCrypto.publicKeyFromSeed(regulatorNodeSeed);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const flipHex = (hex: string, at = 0): string => {
  const b = fromHex(hex);
  b[at] = b[at]! ^ 1;
  return toHex(b);
};
const codes = (r: { problems: { code: string }[] }) => [...new Set(r.problems.map((p) => p.code))];

const advanceTo = (height: bigint) => h.advanceTo(height);
const stableCheckpoint = (seq: bigint) => h.stableCheckpoint(seq);
const decide = (change: "ADD" | "REMOVE", partyId: string, nodePublicKey: Uint8Array) => decideValidatorChange(as, change, partyId, nodePublicKey);

// ---- epoch 0: the genesis four ----------------------------------------------------------------------
const reg = await as("exporter-hz-textiles").submit(registerPayload(invoice("E-1")).payload);
const receivableId = reg.receipt.target;
const addedAt = await decide("ADD", "regulator", regulatorNode);
const E1 = epochEndFor(addedAt, K, L);
await advanceTo(E1 - 1n);
// what a dishonest node could serve instead: the set one block before the switch, and another record at E1
const beforeSwitch = {
  header: toHex((await h.store.blocks.headerBytes(E1 - 1n))!),
  checkpoint: checkpointToJson((await h.store.blocks.checkpointFrom(E1 - 1n, E1 - 1n))!),
  ...(() => {
    const p = h.store.state.proveSync(VALIDATOR_SET_STATE_KEY);
    return { setRecord: toHex(p.value!), proof: stateProofToJson(p.proof) };
  })(),
};
await advanceTo(E1);
const partyAtE1 = h.store.state.proveSync("p/bank-a");
const stableAtE1 = await stableCheckpoint(E1);
await links.onEpochEnded({ epoch: 0n, nextEpoch: 1n, checkpoint: stableAtE1 });

// ---- epoch 1: five validators, the regulator's node is replica 4 -------------------------------------
h.signing = { epoch: 1n, seeds: [...h.validatorSeeds, regulatorNodeSeed] };
const attested = await as("customs").submit(attestPayload("E1", { exporter: "exporter-hz-textiles", amount: "152500.00", receivableIds: [receivableId] }));
const epoch1Block = BigInt(attested.height);
const removedAt = await decide("REMOVE", "core-enterprise", nodeCrypto.publicKeyFromSeed(h.validatorSeeds[3]!));
const E2 = epochEndFor(removedAt, K, L);
await advanceTo(E2);
await links.onEpochEnded({ epoch: 1n, nextEpoch: 2n, checkpoint: await stableCheckpoint(E2) });

// ---- epoch 2: core-enterprise's node removed; bank-a, bank-b, customs, regulator -------------------------
h.signing = { epoch: 2n, seeds: [h.validatorSeeds[0]!, h.validatorSeeds[1]!, h.validatorSeeds[2]!, regulatorNodeSeed] };
const financed = await as("bank-a").submit(tx.financeReceivable({ receivableId, amount: 10_000_000n, currency: "USD" }));

const auditor = as("auditor");
const served = await auditor.getValidatorSets();
const verified = verifyValidatorSets(genesis, served.links);
const chain: ValidatorSetChain = verified.chain;
const ids = (e: number) => chain.epochs[e]?.validators.map((v) => v.id);

t.test("the node keeps a link at each switch and serves them; the chain of sets verifies from genesis", async (t) => {
  t.equal(served.links.length, 2, "two switches, two links");
  t.same(served.links.map((l) => l.epoch), ["1", "2"]);
  t.match(served, { epoch: "2", switchAt: E2.toString() }, "the set in the node's state");
  t.same(served.links.map((l) => l.checkpoint.epoch), [undefined, "1"], "each switch's checkpoint names the epoch that ended (absent for 0)");
  t.ok(verified.ok, JSON.stringify(verified.problems));
  t.same(chain.epochs.map((e) => [e.epoch, e.baseSeq, e.endSeq]), [
    [0n, 0n, E1],
    [1n, E1, E2],
    [2n, E2, undefined],
  ], "each epoch with its base and end");
  t.same(ids(0), ["bank-a", "bank-b", "customs", "core-enterprise"]);
  t.same(ids(1), ["bank-a", "bank-b", "customs", "core-enterprise", "regulator"], "the added validator goes last");
  t.same(ids(2), ["bank-a", "bank-b", "customs", "regulator"], "the removed one leaves its place");
  t.equal(toHex(chain.epochs[1]!.validators[4]!.publicKey), toHex(regulatorNode));

  // a second call at the same switch (a restart between the hook and the new replica) keeps the link as it is
  await links.onEpochEnded({ epoch: 0n, nextEpoch: 1n, checkpoint: stableAtE1 });
  t.same((await links.links()).map((l) => epochLinkToJson(l)), served.links, "idempotent");
  // the driver's contract: the state must be exactly at E
  await t.rejects(async () => links.onEpochEnded({ epoch: 2n, nextEpoch: 3n, checkpoint: { ...stableAtE1, seq: h.chain.height + 5n } }), EpochLinkError, "a link is never built from a state that is not the switch's");
});

t.test("transactions and histories of every epoch verify with the chain of sets, not with the genesis set alone", async (t) => {
  const views: [string, TxJson][] = [
    ["epoch 0", await auditor.getTx(reg.txHash, { waitCertifiedMs: 5_000 })],
    ["epoch 1", await auditor.getTx(attested.txHash, { waitCertifiedMs: 5_000 })],
    ["epoch 2", await auditor.getTx(financed.txHash, { waitCertifiedMs: 5_000 })],
  ];
  t.same(views.map(([, v]) => v.certificate?.epoch), [undefined, "1", "2"], "commit certificates name their epoch");
  for (const [what, view] of views) {
    const r = verifyTx(view, chain);
    t.ok(r.ok, `${what}: ${JSON.stringify(r.problems)}`);
  }
  // the genesis set alone: epoch 0 blocks are fine, but the signer keys are certified at the head (epoch 2)
  const alone = verifyTx(views[1]![1], genesis);
  t.same(codes(alone), ["EPOCH_UNPROVEN"], "the genesis set does not prove epoch 1");

  const history = await auditor.getFullHistory(receivableId);
  t.same(new Set(history.items.map((i) => BigInt(i.height) > E2 ? 2 : BigInt(i.height) > E1 ? 1 : 0)), new Set([0, 1, 2]), "the history spans the three epochs");
  const report = verifyHistory(history, chain);
  t.ok(report.ok, JSON.stringify(report.problems));
  t.equal(report.completeThrough !== undefined, true, "complete up to a certified height of epoch 2");
  t.ok(codes(verifyHistory(history, genesis)).includes("EPOCH_UNPROVEN"));

  // a block as the explorer checks it, and a certified header
  const block1 = await auditor.getBlock(epoch1Block);
  t.match(verifyBlock(block1, chain), { ok: true, signers: ["bank-a", "bank-b", "core-enterprise", "customs"] }, "a quorum of the five (4 of 5)");
  t.match(verifyBlock(block1, genesis), { ok: false, reason: /epoch 1/ });
  const header = certifiedHeaderFromJson(await auditor.getCertifiedHeader(BigInt(financed.height)));
  t.equal(header.checkpoint.epoch, 2n);
  t.match(verifyCertifiedHeader(header, chain, sha256, nobleCrypto.verify), { ok: true });
  t.match(verifyCertifiedHeader(header, genesis, sha256, nobleCrypto.verify), { ok: false, code: "EPOCH_UNPROVEN" });
  // a chain proven only up to epoch 1 (the node withheld the last link) does not pass epoch 2 silently
  const upTo1 = verifyValidatorSets(genesis, served.links.slice(0, 1));
  t.ok(upTo1.ok);
  t.same(codes(verifyTx(views[2]![1], upTo1.chain)), ["EPOCH_UNPROVEN"]);
  // ... and its last epoch, not known to have ended, does not take certificates of seqs at or below its base
  t.match(verifyCertifiedHeader(certifiedHeaderFromJson(await auditor.getCertifiedHeader(E1)), { chainId: chain.chainId, epochs: chain.epochs.slice(1) }, sha256, nobleCrypto.verify), { ok: false, code: "EPOCH_UNPROVEN" });
});

t.test("tampered links are refused, each with its typed problem", async (t) => {
  const good = served.links;
  const refuse = (what: string, links: EpochLinkJson[], code: string, link?: number) => {
    const r = verifyValidatorSets(genesis, links);
    t.equal(r.ok, false, what);
    t.equal(r.problems[0]?.code, code, `${what}: ${r.problems[0]?.message}`);
    if (link !== undefined) t.equal(r.problems[0]?.link, link, `${what}: at link ${link}`);
    t.equal(r.chain.epochs.length, 1 + (link ?? 0), `${what}: the chain stops before the bad link`);
  };
  const with0 = (f: (l: EpochLinkJson) => void): EpochLinkJson[] => {
    const ls = clone(good);
    f(ls[0]!);
    return ls;
  };
  const with1 = (f: (l: EpochLinkJson) => void): EpochLinkJson[] => {
    const ls = clone(good);
    f(ls[1]!);
    return ls;
  };
  // every signature of each switch's checkpoint
  for (const [n, s] of good[0]!.checkpoint.signatures.entries()) {
    refuse(`link 0, checkpoint signature ${n} (validator ${s.replica}) forged`, with0((l) => (l.checkpoint.signatures[n]!.signature = flipHex(s.signature))), "CHECKPOINT_INVALID", 0);
  }
  for (const [n, s] of good[1]!.checkpoint.signatures.entries()) {
    refuse(`link 1, checkpoint signature ${n} (validator ${s.replica}) forged`, with1((l) => (l.checkpoint.signatures[n]!.signature = flipHex(s.signature))), "CHECKPOINT_INVALID", 1);
  }
  refuse("link 1 with a signature dropped (3 of 5, 4 needed)", with1((l) => l.checkpoint.signatures.pop()), "CHECKPOINT_INVALID", 1);
  // the removed validator cannot stand in for another in a later epoch's checkpoint
  refuse("link 1 signed by replica 3 under another index", with1((l) => (l.checkpoint.signatures[0] = { replica: 0, signature: l.checkpoint.signatures[3]!.signature })), "CHECKPOINT_INVALID", 1);

  // the proof: siblings, entries, the record's value, a proof of another record
  const siblings = good[0]!.proof.siblings;
  for (const at of [0, 32, siblings.length / 2 - 1]) {
    refuse(`link 0, proof sibling byte ${at} flipped`, with0((l) => (l.proof.siblings = flipHex(siblings, at))), "SET_NOT_PROVEN", 0);
  }
  refuse("link 0, the bucket's entries altered", with0((l) => (l.proof.entries = flipHex(l.proof.entries, 40))), "SET_NOT_PROVEN", 0);
  const forgedSet = (() => {
    const rec = decode<{ members: { partyId: string; nodePublicKey: Uint8Array }[]; version: bigint; switchAt: bigint }>("ValidatorSet", fromHex(good[0]!.setRecord));
    rec.members[4] = { partyId: "regulator", nodePublicKey: nodeCrypto.publicKeyFromSeed(seedOf("attacker")) };
    return toHex(encode("ValidatorSet", rec));
  })();
  refuse("link 0, the record's value changed (another fifth key)", with0((l) => (l.setRecord = forgedSet)), "SET_NOT_PROVEN", 0);
  refuse("link 0, a proof of another record (party bank-a at E1)", with0((l) => ((l.setRecord = toHex(partyAtE1.value!)), (l.proof = stateProofToJson(partyAtE1.proof)))), "SET_NOT_PROVEN", 0);
  refuse("link 0 with link 1's record and proof (v/set under another root)", with0((l) => ((l.setRecord = good[1]!.setRecord), (l.proof = good[1]!.proof))), "SET_NOT_PROVEN", 0);

  // the header, the switch, the order and the epoch numbers
  refuse("link 0 with the header below E1", with0((l) => (l.header = beforeSwitch.header)), "HEADER_MISMATCH", 0);
  refuse("a checkpoint of a seq that is not the switch (E1 - 1, its header and v/set)", [{ epoch: "1", ...beforeSwitch }, good[1]!], "NOT_THE_SWITCH", 0);
  refuse("the links in reverse order", [good[1]!, good[0]!], "WRONG_EPOCH", 0);
  refuse("epoch 1's link twice", [good[0]!, good[0]!], "OUT_OF_ORDER", 1);
  refuse("link 0 left out", [good[1]!], "WRONG_EPOCH", 0);
  refuse("link 0 naming epoch 2", with0((l) => (l.epoch = "2")), "VERSION_MISMATCH", 0);
  refuse("link 1 naming epoch 3", with1((l) => (l.epoch = "3")), "VERSION_MISMATCH", 1);
  refuse("link 1's checkpoint presented as epoch 0's", with1((l) => delete l.checkpoint.epoch), "WRONG_EPOCH", 1);
  refuse("link 0's checkpoint presented as epoch 1's", with0((l) => (l.checkpoint.epoch = "1")), "WRONG_EPOCH", 0);
  refuse("an undecodable header", with0((l) => (l.header = "ff")), "MALFORMED", 0);
  refuse("a link whose epoch is no number", [{ ...good[0]!, epoch: "x" } as EpochLinkJson], "MALFORMED", 0);
  t.equal(verifyValidatorSets(null as never, good).ok, false, "never throws");
  t.equal(verifyValidatorSets(genesis, [null as never]).ok, false, "never throws");
  t.same(codes(verifyValidatorSets({ ...genesis, chainId: "another-chain" }, good)), ["CHECKPOINT_INVALID"], "another chain's genesis set");
});

t.test("tampered certificates of blocks are refused with the chain of sets", async (t) => {
  const view1 = await auditor.getTx(attested.txHash, { waitCertifiedMs: 5_000 });
  const view2 = await auditor.getTx(financed.txHash, { waitCertifiedMs: 5_000 });
  t.ok(verifyTx(view1, chain).ok && verifyTx(view2, chain).ok);

  // a commit certificate of epoch 1 presented as epoch 0's: the genesis set ended at E1
  const as0 = clone(view1);
  delete as0.certificate!.epoch;
  t.same(codes(verifyTx(as0, chain)), ["WRONG_EPOCH"], "an epoch-1 block's certificate relabelled epoch 0");
  // its checkpoint (certified header) relabelled too
  const cp0 = clone(view1);
  delete cp0.certified!.checkpoint.epoch;
  t.same(codes(verifyTx(cp0, chain)), ["WRONG_EPOCH"], "an epoch-1 checkpoint relabelled epoch 0");
  // an epoch the chain does not prove
  const e9 = clone(view2);
  e9.certificate!.epoch = "9";
  t.same(codes(verifyTx(e9, chain)), ["EPOCH_UNPROVEN"]);
  // every commit signature of an epoch-1 block
  for (const [n] of view1.certificate!.commits.entries()) {
    const v = clone(view1);
    v.certificate!.commits[n]!.signature = flipHex(v.certificate!.commits[n]!.signature);
    t.same(codes(verifyTx(v, chain)), ["CERTIFICATE_INVALID"], `epoch 1 commit signature ${n} forged`);
  }

  // a removed validator's signature in a later epoch: core-enterprise (replica 3 of epochs 0 and 1) is
  // not in epoch 2's set; in replica 3's place of epoch 2 (the regulator) its signature does not verify
  const digest = fromHex(view2.certificate!.digest);
  const seq = BigInt(view2.height);
  const signAs = (seed: Uint8Array, epoch: bigint, replica: number) => ({ replica, signature: toHex(nodeCrypto.sign(seed, commitSigningBytes(epochSigningChainId(h.chainId, epoch), 0n, seq, digest, replica))) });
  const removedSeed = h.validatorSeeds[3]!;
  const inPlace = clone(view2);
  inPlace.certificate!.commits = [signAs(h.validatorSeeds[0]!, 2n, 0), signAs(h.validatorSeeds[1]!, 2n, 1), signAs(removedSeed, 2n, 3)];
  t.same(codes(verifyTx(inPlace, chain)), ["CERTIFICATE_INVALID"], "the removed validator's signature as replica 3 of epoch 2");
  // and the old set of epoch 1, removed validator included, signing a block of epoch 2 as epoch 1: a full
  // quorum of real epoch-1 keys over the right bytes, refused because epoch 1 ended at E2
  const oldSet = clone(view2);
  oldSet.certificate!.epoch = "1";
  oldSet.certificate!.commits = [0, 1, 2, 3].map((i) => signAs(h.validatorSeeds[i]!, 1n, i));
  t.same(codes(verifyTx(oldSet, chain)), ["WRONG_EPOCH"], "epoch 1's set (with the removed validator) signing after its end");
  // without the seq bound (a single set of epoch 1, as a careless verifier would pass) the signatures are fine: the bound is what refuses it
  t.same(codes(verifyTx(oldSet, { chainId: h.chainId, validators: chain.epochs[1]!.validators, epoch: 1n })).includes("CERTIFICATE_INVALID"), false);
});

t.test("block sync carries the links: a node that follows learns them, verified from genesis; forged or out-of-turn ones are not kept", async (t) => {
  // what a validator serves: the links whose switch is in the run, or up to EPOCH_LINK_WINDOW below it
  const serve = certifiedBlockServer(h.query, links);
  const linksIn = async (from: bigint, to: bigint, maxBytes = 8 * 1024 * 1024) => {
    const frames = await serve(from, to, maxBytes);
    const last = decodeCertifiedBlock(frames[frames.length - 1]!);
    if (last instanceof Error) throw last;
    return { epochs: (last.epochLinks ?? []).map((l) => l.epoch), bytes: frames.reduce((n, f) => n + f.length, 0), frames: frames.length };
  };
  t.same((await linksIn(1n, 3n)).epochs, [], "none near the first blocks");
  t.same((await linksIn(E1 - 1n, E1 + 1n)).epochs, [1n], "epoch 1's link with the run through E1");
  t.same((await linksIn(E2 + 1n, E2 + 2n)).epochs, [1n, 2n], "and after: a follower that fetched E before the link was built gets it with its next answers");
  const tight = await linksIn(E1, E1, (await serve(E1, E1, 1 << 20))[0]!.length - 10);
  t.same(tight.epochs, [], "links never push an answer over its byte budget");

  // a node that did not switch itself (an observer, a newcomer): a fresh store of the same chain
  const other = await RpcHarness.create({ governance: true, ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
  t.teardown(() => other.close());
  const learner = new EpochLinks({ store: other.store, genesis, crypto: nodeCrypto, logger: silentLogger });
  const [l1, l2] = await links.links();
  await learner.offer([l2!], "peer-a");
  t.same((await learner.links()).length, 0, "epoch 2's link alone cannot be checked yet: not kept");
  t.equal(learner.refused, 0, "and no fault of the peer's");
  const forged = { ...l1!, checkpoint: { ...l1!.checkpoint, signatures: l1!.checkpoint.signatures.map((s, i) => (i === 0 ? { ...s, signature: Uint8Array.from(s.signature, (b, j) => (j === 0 ? b ^ 1 : b)) } : s)) } };
  await learner.offer([forged], "peer-b");
  t.equal(learner.refused, 1, "a forged link is refused");
  t.same((await learner.links()).length, 0);
  await learner.offer([l2!, l1!], "peer-c");
  t.same((await learner.links()).map((l) => l.epoch), [1n, 2n], "both kept, in epoch order, once they verify from genesis");
  t.same((await other.store.blocks.epochLinks()).map(epochLinkToJson), served.links, "durably, as the node that built them has them");
  await learner.offer([l1!], "peer-d");
  t.same((await learner.links()).length, 2, "a link held already is not written again");
});

t.test("links on request (/tradeledger/epoch-links/1): what a node serves, and every bad answer refused with its typed reason, nothing kept", async (t) => {
  const serve = epochLinksServer(links);
  const [l1, l2] = await links.links();
  const ask = (after: bigint, maxLinks = MAX_LINKS_PER_ANSWER, maxBytes = EPOCH_LINKS_ANSWER_BYTES) => serve(encodeEpochLinksRequest({ after, maxLinks }), maxBytes);
  const epochsOf = (frames: Uint8Array[]) => frames.map((f) => (decodeEpochLinkFrame(f) as { epoch: bigint }).epoch);
  t.same(epochsOf(await ask(0n)), [1n, 2n], "after the genesis set: both links, in epoch order");
  t.same(epochsOf(await ask(1n)), [2n], "after epoch 1: epoch 2's");
  t.same(epochsOf(await ask(2n)), [], "after the last: none (no fault of anyone's)");
  t.same(epochsOf(await ask(0n, 1)), [1n], "at most max_links");
  const one = (await ask(0n))[0]!.length;
  t.comment(`link frames on the wire: ${(await ask(0n)).map((f) => f.length).join(" and ")} bytes (4 then 5 validators; K = ${K})`);
  t.same(epochsOf(await ask(0n, 64, one + 10)), [1n], "within the byte budget");
  await t.rejects(async () => serve(Uint8Array.of(0xff, 0xff), 1 << 20), { code: "BAD_EPOCH_LINKS_REQUEST" }, "a request that does not decode is the asker's fault");
  await t.rejects(async () => serve(encode("EpochLinksRequest", { after: 0n, maxLinks: 65 }), 1 << 20), { code: "BAD_EPOCH_LINKS_REQUEST" }, "more than 64 links asked for");
  await t.rejects(async () => serve(encode("EpochLinksRequest", { after: 3n, maxLinks: 0 }), 1 << 20), { code: "BAD_EPOCH_LINKS_REQUEST" }, "no link asked for");
  t.throws(() => encodeEpochLinksRequest({ after: 0n, maxLinks: 65 }), RangeError);

  // a node restored from a snapshot past both switches: a fresh store that holds no link
  const other = await RpcHarness.create({ governance: true, ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
  t.teardown(() => other.close());
  const asker = new EpochLinks({ store: other.store, genesis, crypto: nodeCrypto, logger: silentLogger });
  t.equal(await asker.lacks(2n), true, "with epoch 2 in force it lacks links");
  const good = await ask(0n);
  const frame = (l: typeof l1) => encodeEpochLinkFrame(l!);
  const forged = { ...l1!, checkpoint: { ...l1!.checkpoint, signatures: l1!.checkpoint.signatures.map((s, i) => (i === 1 ? { ...s, signature: Uint8Array.from(s.signature, (b, j) => (j === 5 ? b ^ 1 : b)) } : s)) } };
  const relabelled = { ...l2!, epoch: 3n };
  const otherSet = { ...l1!, setRecord: l2!.setRecord, proof: l2!.proof };
  const refusals: [string, Uint8Array[], { after: bigint; maxLinks: number }, string, string?][] = [
    ["a forged checkpoint signature", [frame(forged), good[1]!], { after: 0n, maxLinks: 64 }, "LINKS_INVALID", "CHECKPOINT_INVALID"],
    ["epoch 2's link where epoch 1's is due (a link for a wrong epoch)", [good[1]!], { after: 0n, maxLinks: 64 }, "LINKS_INVALID", "WRONG_EPOCH"],
    ["epoch 2's link relabelled epoch 3", [good[0]!, frame(relabelled)], { after: 0n, maxLinks: 64 }, "LINKS_INVALID", "VERSION_MISMATCH"],
    ["epoch 1's link with epoch 2's set and proof", [frame(otherSet)], { after: 0n, maxLinks: 64 }, "LINKS_INVALID", "SET_NOT_PROVEN"],
    ["a link at or below the epoch asked after", [good[0]!, good[1]!], { after: 1n, maxLinks: 64 }, "LINKS_NOT_ASKED"],
    ["links out of epoch order", [good[1]!, good[0]!], { after: 0n, maxLinks: 64 }, "LINKS_NOT_ASKED"],
    ["epoch 1's link twice", [good[0]!, good[0]!], { after: 0n, maxLinks: 64 }, "LINKS_NOT_ASKED"],
    ["truncated bytes", [good[0]!.subarray(0, good[0]!.length - 7)], { after: 0n, maxLinks: 64 }, "LINKS_MALFORMED"],
    ["a frame of garbage", [Uint8Array.of(0x0a, 0xff, 0x01)], { after: 0n, maxLinks: 64 }, "LINKS_MALFORMED"],
    ["a link without its proof", [encode("EpochLinkMsg", { ...l1!, proof: undefined })], { after: 0n, maxLinks: 64 }, "LINKS_MALFORMED"],
    ["an answer with more links than asked for", good, { after: 0n, maxLinks: 1 }, "LINKS_TOO_MANY"],
  ];
  for (const [what, frames, asked, code, problem] of refusals) {
    const before = asker.refused;
    const r = await asker.takeAnswer(frames, asked, "byzantine-peer");
    t.match(r, { ok: false, code, ...(problem ? { problem } : {}) }, `${what}: refused (${r.ok ? "" : r.reason})`);
    t.equal(asker.refused, before + 1, `${what}: counted`);
  }
  t.same(await other.store.blocks.epochLinks(), [], "nothing of a refused answer is kept, not even its good links");
  t.equal(await asker.provenThrough(), 0n);

  // a peer that answers with forged links is blamed and asked no more; the next peer's answer is kept
  const blamed: string[] = [];
  const peer = (name: string, answer: (req: Uint8Array, o: { maxFrames: number; maxBytes: number }) => Promise<Uint8Array[]>) => ({ name, request: answer, penalize: (reason: string) => void blamed.push(`${name}: ${reason}`) });
  const liar = peer("liar", async () => [frame(forged)]);
  const old = peer("old-node", async () => Promise.reject(Object.assign(new Error("protocol not supported"), { code: "STREAM_ERROR" })));
  const honest = peer("honest", async (req, o) => serve(req, o.maxBytes));
  t.equal(await asker.catchUp(2n, [liar, old, honest]), true, "catches up from genesis to the epoch in force");
  t.equal(blamed.length, 1, "only the liar is blamed");
  t.match(blamed[0], /^liar: epoch links: LINKS_INVALID/);
  t.same((await other.store.blocks.epochLinks()).map(epochLinkToJson), served.links, "the links kept, durably, as the node that built them has them");
  t.equal(await asker.lacks(2n), false);
  t.equal((await asker.proven()).chain.epochs.length, 3, "the chain proves epochs 0, 1 and 2");

  // a link held after a gap (built at a switch while an earlier one was missing) is not served and makes the node ask
  const gapped = await RpcHarness.create({ governance: true, ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
  t.teardown(() => gapped.close());
  await gapped.store.putEpochLink(l2!);
  const withGap = new EpochLinks({ store: gapped.store, genesis, crypto: nodeCrypto, logger: silentLogger });
  t.equal(await withGap.lacks(0n), true, "a link after a gap: the node lacks links whatever the epoch in force");
  t.same((await epochLinksServer(withGap)(encodeEpochLinksRequest({ after: 0n, maxLinks: 64 }), 1 << 20)).length, 0, "and never serves one it cannot prove itself");
  let asked = 0;
  t.equal(await withGap.askPeer(peer("honest", async (req, o) => (asked++, serve(req, o.maxBytes)))), 1, "the missing link is kept");
  t.equal(asked, 1, "one answer was enough (not a full one)");
  t.equal(await withGap.lacks(0n), false);
  t.same((await withGap.proven()).links.map((l) => l.epoch), [1n, 2n], "the chain closes");

  // the node's loop: asks while it lacks links, then stops asking
  const looping = await RpcHarness.create({ governance: true, ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
  t.teardown(() => looping.close());
  const restored = new EpochLinks({ store: looping.store, genesis, crypto: nodeCrypto, logger: silentLogger });
  let requests = 0;
  let inForce = 0n;
  const stop = restored.keepProving({ inForce: () => inForce, peers: () => [peer("validator", async (req, o) => (requests++, serve(req, o.maxBytes)))], everyMs: 10 });
  t.teardown(stop);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(requests, 0, "nothing is asked while the node lacks no link");
  inForce = 2n;
  const deadline = Date.now() + 5_000;
  while ((await restored.lacks(2n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.same((await restored.proven()).links.map((l) => l.epoch), [1n, 2n], "with epoch 2 in force, it asks until it proves genesis to epoch 2");
  const askedSoFar = requests;
  await new Promise((r) => setTimeout(r, 100));
  t.equal(requests, askedSoFar, "and then asks no more");
  stop();
});
