// Governance, the members' part (DESIGN.md §12, docs/governance.md): admitObserver, removeObserver,
// rotateKey, resetPartyKey — one table test per rule and per code through the real applyTx, with
// transactions built and signed by the SDK; every rejection writes nothing and emits nothing. Then
// the envelope across a rotation (KEY_RETIRED, the key in force per block, sdk/signers.ts agreeing),
// and the node-side caches that must not keep a stale key (signature cache, mempool, batch check).
import t from "tap";

interface Test {
  equal(found: unknown, wanted: unknown, message: string): boolean;
  same(found: unknown, wanted: unknown, message: string): boolean;
  match(found: unknown, wanted: unknown, message: string): boolean;
}
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { partyKeyAt, SIGNATURE_NOT_ACCEPTED } from "../sdk/signers.js";
import { keyPossessionProof } from "../sdk/transactions/index.js";
import { signerFromSeed } from "../sdk/signer.js";
import { decodeTx, signTx } from "../sdk/tx.js";
import { buildTxBody } from "../sdk/builders.js";
import type { Receipt, ResultCode } from "../sdk/types.js";
import { httpStatusOf } from "../sdk/api/errors.js";
import { decodeObserverSet } from "../node/ledger/records.js";
import { KEY } from "../node/ledger/state.js";
import { takesTxHash } from "../node/ledger/execute.js";
import { MAX_RETIRED_KEYS } from "../node/ledger/tx/key-change.js";
import { MAX_ADMITTED_OBSERVERS } from "../node/ledger/tx/observer-set.js";
import { nodeCrypto } from "../node/crypto.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { Mempool } from "../node/driver/mempool.js";
import { PartyKeys } from "../node/parties.js";
import { validateBatchTxs } from "../node/driver/batch.js";
import { PeerDirectory } from "../p2p/peers.js";
import { Dialer } from "../p2p/dialer.js";
import { Counters } from "../p2p/metrics.js";
import { peerIdFromNodePublicKey } from "../p2p/index.js";
import { ADMISSION_CLEAR_CHECKS, ObserverAdmission } from "../node/net/observers.js";
import type { ObserverRecord } from "../sdk/types.js";
import { CHAIN_ID, TestChain, h32, makeParty, pk32, type TestParty } from "./ledger-harness.js";

function newChain(): TestChain {
  return new TestChain([
    makeParty("bank-a", "BANK", "DE"),
    makeParty("bank-b", "BANK", "CN"),
    makeParty("regulator", "REGULATOR"),
    makeParty("customs", "CUSTOMS"),
    makeParty("auditor", "AUDITOR"),
    makeParty("genesis-corp", "ENTERPRISE"),
  ]);
}

/** A rejection: the code, and nothing written or emitted. */
function rejects(t: Test, c: TestChain, signer: string, payload: Parameters<TestChain["sign"]>[1], code: ResultCode, message?: RegExp): Receipt {
  const before = c.stateHash();
  const r = c.submit(signer, payload);
  t.equal(r.code, code, `${payload.type} by ${signer}: ${code} (${r.message})`);
  if (message) t.match(r.message, message, `message ${message}`);
  t.same(r.events, [], "no events");
  // the hash is taken (replay protection) but no state record changes
  t.equal(c.stateHash(), before, "nothing written");
  return r;
}

/** A payload the SDK refuses to build: the ledger answers MALFORMED naming the field, writes nothing. */
function malformed(t: Test, c: TestChain, signer: string, payload: Parameters<TestChain["sign"]>[1], field: RegExp): void {
  let refused: unknown;
  try {
    c.sign(signer, payload);
  } catch (err) {
    refused = (err as { code?: unknown }).code;
  }
  t.equal(refused, "MALFORMED", "the SDK refuses to build it");
  const before = c.stateHash();
  const r = c.run(c.signRaw(signer, payload));
  t.equal(r.code, "MALFORMED", `${payload.type}: MALFORMED (${r.message})`);
  t.match(r.message, field, `the field is named: ${field}`);
  t.equal(c.stateHash(), before, "nothing written");
}

function ok(t: Test, r: Receipt, what: string): Receipt {
  t.equal(r.code, "OK", `${what}: ${r.message}`);
  return r;
}

/** A fresh key for `partyId` and its possession proof on the test chain. */
function newKey(label: string, partyId: string, chainId = CHAIN_ID) {
  const seed = h32(`rotated/${label}`);
  const { publicKey, proof } = keyPossessionProof(chainId, partyId, seed, nodeCrypto);
  return { seed, publicKey, proof };
}

/** Onboards `id` by `bank`, then returns it. */
function onboard(t: Test, c: TestChain, bank: string, id: string): TestParty {
  const p = c.offChainParty(id);
  ok(t, c.submit(bank, tx.registerParty({ id, role: "ENTERPRISE", name: `${id} Ltd.`, country: "CN", publicKey: p.signer.publicKey })), `${bank} onboards ${id}`);
  return p;
}

/** Swaps the test party's signing seed (what the party does after its key changed). */
function useKey(c: TestChain, id: string, seed: Uint8Array): void {
  const p = c.party(id);
  c.parties.set(id, { ...p, seed, signer: signerFromSeed(id, seed, nodeCrypto) });
}

const observers = (c: TestChain) => {
  const b = c.state.get(KEY.observers);
  return b ? decodeObserverSet(b).observers : [];
};

t.test("admitObserver: who, what, every code", async (t) => {
  const c = newChain();
  const node = pk32("obs-1");
  const r = ok(t, c.submit("regulator", tx.admitObserver({ nodePublicKey: node, partyId: "regulator" })), "a regulator admits its observer");
  t.same(r.events, [{ type: "observerAdmitted", nodePublicKey: node, partyId: "regulator", admittedBy: "regulator" }]);
  t.equal(r.target, toHex(node), "the receipt names the node key");
  t.match(observers(c), [{ partyId: "regulator", admittedBy: "regulator", admittedAt: c.height, removedBy: "" }]);
  ok(t, c.submit("bank-a", tx.admitObserver({ nodePublicKey: pk32("obs-2"), partyId: "auditor" })), "a bank admits an auditor's observer");

  rejects(t, c, "bank-b", tx.admitObserver({ nodePublicKey: node, partyId: "auditor" }), "DUPLICATE_OBSERVER", /already admitted/);
  rejects(t, c, "auditor", tx.admitObserver({ nodePublicKey: pk32("obs-3"), partyId: "auditor" }), "UNAUTHORIZED");
  rejects(t, c, "customs", tx.admitObserver({ nodePublicKey: pk32("obs-3"), partyId: "customs" }), "UNAUTHORIZED");
  rejects(t, c, "genesis-corp", tx.admitObserver({ nodePublicKey: pk32("obs-3"), partyId: "genesis-corp" }), "UNAUTHORIZED");
  rejects(t, c, "bank-a", tx.admitObserver({ nodePublicKey: pk32("obs-3"), partyId: "nobody" }), "UNKNOWN_PARTY");
  // MALFORMED: a short key, a weak key (small order: would verify forged handshakes)
  malformed(t, c, "bank-a", { type: "admitObserver", nodePublicKey: new Uint8Array(31), partyId: "auditor" } as never, /nodePublicKey/);
  malformed(t, c, "bank-a", { type: "admitObserver", nodePublicKey: new Uint8Array(32), partyId: "auditor" } as never, /usable ed25519/);
  malformed(t, c, "bank-a", { type: "admitObserver", nodePublicKey: pk32("obs-3"), partyId: "Not An Id" } as never, /partyId/);
  t.equal(observers(c).length, 2);
});

t.test("admitObserver: at most MAX_ADMITTED_OBSERVERS at once (INVALID_STATE)", async (t) => {
  const c = newChain();
  const txs = Array.from({ length: MAX_ADMITTED_OBSERVERS }, (_, i) => c.sign("bank-a", tx.admitObserver({ nodePublicKey: pk32(`many-${i}`), partyId: "auditor" })));
  t.ok(c.block(txs).receipts.every((r) => r.code === "OK"), `${MAX_ADMITTED_OBSERVERS} admitted`);
  rejects(t, c, "bank-a", tx.admitObserver({ nodePublicKey: pk32("one-too-many"), partyId: "auditor" }), "INVALID_STATE", /remove one first/);
  ok(t, c.submit("regulator", tx.removeObserver({ nodePublicKey: pk32("many-0"), reason: "decommissioned" })), "one removed");
  ok(t, c.submit("bank-a", tx.admitObserver({ nodePublicKey: pk32("one-too-many"), partyId: "auditor" })), "then there is room");
});

t.test("removeObserver: who, what, every code; re-admission", async (t) => {
  const c = newChain();
  const node = pk32("obs-r");
  ok(t, c.submit("bank-a", tx.admitObserver({ nodePublicKey: node, partyId: "auditor" })), "admitted");
  rejects(t, c, "auditor", tx.removeObserver({ nodePublicKey: node, reason: "x" }), "UNAUTHORIZED");
  rejects(t, c, "bank-a", tx.removeObserver({ nodePublicKey: pk32("never"), reason: "x" }), "NOT_FOUND", /not an admitted observer/);
  malformed(t, c, "bank-a", { type: "removeObserver", nodePublicKey: node, reason: "" } as never, /reason/);
  const r = ok(t, c.submit("regulator", tx.removeObserver({ nodePublicKey: node, reason: "audit engagement ended" })), "a regulator removes it");
  t.same(r.events, [{ type: "observerRemoved", nodePublicKey: node, removedBy: "regulator", reason: "audit engagement ended" }]);
  t.match(observers(c), [{ partyId: "auditor", removedBy: "regulator", removedAt: c.height, reason: "audit engagement ended" }], "the removal is recorded, the record kept");
  rejects(t, c, "bank-a", tx.removeObserver({ nodePublicKey: node, reason: "again" }), "NOT_FOUND");
  ok(t, c.submit("bank-b", tx.admitObserver({ nodePublicKey: node, partyId: "auditor" })), "admitted again");
  t.match(observers(c), [{ admittedBy: "bank-b", removedBy: "", removedAt: 0n, reason: "" }], "one record per node key");
});

t.test("rotateKey: the new key signs from the next block; the old one is retired, KEY_RETIRED after", async (t) => {
  const c = newChain();
  const old = c.party("bank-a").signer.publicKey;
  const k = newKey("bank-a/1", "bank-a");
  const r = ok(t, c.submit("bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: k.publicKey, possessionProof: k.proof })), "bank-a rotates its key");
  const at = c.height;
  t.same(r.events, [{ type: "keyRotated", partyId: "bank-a", publicKey: k.publicKey, resetBy: "", reason: "" }]);
  const rec = c.partyRecord("bank-a")!;
  t.same(rec.publicKey, k.publicKey, "the record holds the new key");
  t.match(rec.retiredKeys, [{ publicKey: old, untilHeight: at + 1n }], "the old key, valid below the next block");
  t.same(partyKeyAt(rec, at), old, "verifiers: the rotation's own block was signed with the old key");
  t.same(partyKeyAt(rec, at + 1n), k.publicKey, "and every later block with the new one");
  t.equal(c.state.get(KEY.publicKey(toHex(old))) !== undefined, true, "the old key stays taken (keys are never reused)");

  // the old key after the rotation: KEY_RETIRED, a 401, not the hash taken, no signature to check for verifiers
  const stale = c.sign("bank-a", tx.admitObserver({ nodePublicKey: pk32("x"), partyId: "auditor" }));
  const before = c.stateHash();
  const rs = c.run(stale);
  t.equal(rs.code, "KEY_RETIRED", rs.message);
  t.match(rs.message, new RegExp(`retired at height ${at}`));
  t.equal(c.stateHash(), before, "nothing written");
  t.equal(takesTxHash("KEY_RETIRED"), false, "the body may still be signed with the current key");
  t.equal(httpStatusOf("KEY_RETIRED"), 401);
  t.ok(SIGNATURE_NOT_ACCEPTED.has("KEY_RETIRED"), "verifyHistory does not check a signature the ledger refused");

  // a forgery is still BAD_SIGNATURE
  useKey(c, "bank-a", h32("someone-else"));
  t.equal(c.submit("bank-a", tx.admitObserver({ nodePublicKey: pk32("y"), partyId: "auditor" })).code, "BAD_SIGNATURE");
  useKey(c, "bank-a", k.seed);
  ok(t, c.run(decodeTx(nodeCrypto, signTx(nodeCrypto, stale.body, k.seed).bytes)), "the same body re-signed with the new key");
});

t.test("rotateKey: within the rotation's block the old key still signs, the new one not yet", async (t) => {
  const c = newChain();
  const k = newKey("bank-a/same-block", "bank-a");
  const rotate = c.sign("bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: k.publicKey, possessionProof: k.proof }));
  const byOld = c.sign("bank-a", tx.admitObserver({ nodePublicKey: pk32("sb-1"), partyId: "auditor" }));
  useKey(c, "bank-a", k.seed);
  const byNew = c.sign("bank-a", tx.admitObserver({ nodePublicKey: pk32("sb-2"), partyId: "auditor" }));
  const again = newKey("bank-a/same-block-2", "bank-a");
  const rotateAgain = c.sign("bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: again.publicKey, possessionProof: again.proof }));
  const { receipts } = c.block([rotate, byOld, byNew]);
  t.same(receipts.map((r) => r.code), ["OK", "OK", "BAD_SIGNATURE"], "one key per party per block: the old one");
  t.equal(c.run(rotateAgain).code, "OK", "the new key rotates in the next block");
});

t.test("rotateKey: every code", async (t) => {
  const c = newChain();
  const k = newKey("bank-a/2", "bank-a");
  rejects(t, c, "bank-a", tx.rotateKey({ partyId: "bank-b", newPublicKey: k.publicKey, possessionProof: k.proof }), "UNAUTHORIZED", /only its own key/);
  const wrongParty = newKey("bank-a/3", "bank-b");
  rejects(t, c, "bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: wrongParty.publicKey, possessionProof: wrongParty.proof }), "KEY_NOT_PROVEN", /possession proof/);
  const wrongChain = newKey("bank-a/4", "bank-a", "another-chain");
  rejects(t, c, "bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: wrongChain.publicKey, possessionProof: wrongChain.proof }), "KEY_NOT_PROVEN");
  const other = newKey("other", "bank-a");
  rejects(t, c, "bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: k.publicKey, possessionProof: other.proof }), "KEY_NOT_PROVEN", /possession proof/);
  // KEY_IN_USE: another party's key (possession proven: that party's own seed signs it), or its own
  const bankB = c.party("bank-b");
  const stolen = keyPossessionProof(CHAIN_ID, "bank-a", bankB.seed, nodeCrypto);
  rejects(t, c, "bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: stolen.publicKey, possessionProof: stolen.proof }), "KEY_IN_USE", /party bank-b/);
  const same = keyPossessionProof(CHAIN_ID, "bank-a", c.party("bank-a").seed, nodeCrypto);
  rejects(t, c, "bank-a", tx.rotateKey({ partyId: "bank-a", newPublicKey: same.publicKey, possessionProof: same.proof }), "KEY_IN_USE", /own key/);
  // MALFORMED: a weak new key, a short proof
  malformed(t, c, "bank-a", { type: "rotateKey", partyId: "bank-a", newPublicKey: new Uint8Array(32), possessionProof: k.proof } as never, /newPublicKey/);
  malformed(t, c, "bank-a", { type: "rotateKey", partyId: "bank-a", newPublicKey: k.publicKey, possessionProof: k.proof.subarray(0, 63) } as never, /possessionProof/);
  // any role rotates its own key, an auditor included
  const ak = newKey("auditor/1", "auditor");
  ok(t, c.submit("auditor", tx.rotateKey({ partyId: "auditor", newPublicKey: ak.publicKey, possessionProof: ak.proof })), "an auditor rotates its key");
  // a retired key cannot come back
  useKey(c, "auditor", ak.seed);
  const back = keyPossessionProof(CHAIN_ID, "auditor", makeParty("auditor", "AUDITOR").seed, nodeCrypto);
  rejects(t, c, "auditor", tx.rotateKey({ partyId: "auditor", newPublicKey: back.publicKey, possessionProof: back.proof }), "KEY_IN_USE", /own key/);
});

t.test("rotateKey: at most MAX_RETIRED_KEYS retired (INVALID_STATE)", async (t) => {
  const c = newChain();
  for (let i = 0; i < MAX_RETIRED_KEYS; i++) {
    const k = newKey(`many/${i}`, "genesis-corp");
    if (c.submit("genesis-corp", tx.rotateKey({ partyId: "genesis-corp", newPublicKey: k.publicKey, possessionProof: k.proof })).code !== "OK") t.fail(`rotation ${i}`);
    useKey(c, "genesis-corp", k.seed);
  }
  t.equal(c.partyRecord("genesis-corp")!.retiredKeys!.length, MAX_RETIRED_KEYS);
  const k = newKey("many/last", "genesis-corp");
  rejects(t, c, "genesis-corp", tx.rotateKey({ partyId: "genesis-corp", newPublicKey: k.publicKey, possessionProof: k.proof }), "INVALID_STATE", /retired 64 keys/);
});

t.test("resetPartyKey: the onboarding bank resets a lost key, with the reason recorded; every code", async (t) => {
  const c = newChain();
  const exporter = onboard(t, c, "bank-a", "exporter-1");
  onboard(t, c, "bank-b", "exporter-2");
  const k = newKey("exporter-1/1", "exporter-1");
  rejects(t, c, "bank-b", tx.resetPartyKey({ partyId: "exporter-1", newPublicKey: k.publicKey, possessionProof: k.proof, reason: "lost" }), "UNAUTHORIZED", /onboarded by bank-a/);
  rejects(t, c, "bank-a", tx.resetPartyKey({ partyId: "genesis-corp", newPublicKey: k.publicKey, possessionProof: k.proof, reason: "lost" }), "UNAUTHORIZED", /genesis party/);
  rejects(t, c, "bank-a", tx.resetPartyKey({ partyId: "nobody", newPublicKey: k.publicKey, possessionProof: k.proof, reason: "lost" }), "UNKNOWN_PARTY");
  rejects(t, c, "regulator", tx.resetPartyKey({ partyId: "exporter-1", newPublicKey: k.publicKey, possessionProof: k.proof, reason: "lost" }), "UNAUTHORIZED");
  rejects(t, c, "exporter-2", tx.resetPartyKey({ partyId: "exporter-1", newPublicKey: k.publicKey, possessionProof: k.proof, reason: "lost" }), "UNAUTHORIZED");
  const forOther = newKey("exporter-1/2", "exporter-2");
  rejects(t, c, "bank-a", tx.resetPartyKey({ partyId: "exporter-1", newPublicKey: forOther.publicKey, possessionProof: forOther.proof, reason: "lost" }), "KEY_NOT_PROVEN");
  const taken = keyPossessionProof(CHAIN_ID, "exporter-1", c.party("exporter-2").seed, nodeCrypto);
  rejects(t, c, "bank-a", tx.resetPartyKey({ partyId: "exporter-1", newPublicKey: taken.publicKey, possessionProof: taken.proof, reason: "lost" }), "KEY_IN_USE", /exporter-2/);
  malformed(t, c, "bank-a", { type: "resetPartyKey", partyId: "exporter-1", newPublicKey: k.publicKey, possessionProof: k.proof, reason: "" } as never, /reason/);

  const r = ok(t, c.submit("bank-a", tx.resetPartyKey({ partyId: "exporter-1", newPublicKey: k.publicKey, possessionProof: k.proof, reason: "laptop stolen, ticket 4711" })), "bank-a resets its customer's key");
  t.same(r.events, [{ type: "keyRotated", partyId: "exporter-1", publicKey: k.publicKey, resetBy: "bank-a", reason: "laptop stolen, ticket 4711" }]);
  t.match(c.partyRecord("exporter-1")!.retiredKeys, [{ publicKey: exporter.signer.publicKey, untilHeight: c.height + 1n, resetBy: "bank-a", reason: "laptop stolen, ticket 4711" }], "who reset it and why, in the record");
  // whoever holds the lost key is refused from now on
  t.equal(c.submit("exporter-1", tx.anchorDocument({ documentHash: h32("doc-after-reset"), documentType: "PACKING_LIST" })).code, "KEY_RETIRED");
  useKey(c, "exporter-1", k.seed);
  ok(t, c.submit("exporter-1", tx.anchorDocument({ documentHash: h32("doc-after-reset"), documentType: "PACKING_LIST" })), "the new key signs");
});

t.test("the node's caches never keep a stale key", async (t) => {
  const bank = makeParty("bank-a", "BANK");
  const k = newKey("cache", "bank-a");
  const body = buildTxBody(tx.admitObserver({ nodePublicKey: pk32("c"), partyId: "bank-a" }), { chainId: CHAIN_ID, signer: bank.signer, createdAt: BigInt(Date.now()), nonce: h32("n").subarray(0, 16) });
  const byOld = decodeTx(nodeCrypto, signTx(nodeCrypto, body, bank.seed).bytes);

  // the signature cache: verified under the old key is no pass under the new one
  const cache = new SignatureCache(nodeCrypto);
  t.equal(cache.verify(byOld, bank.signer.publicKey), true);
  t.equal(cache.verify(byOld, k.publicKey), false, "a cached signature is checked against the key asked for");

  // PartyKeys follows keyRotated; the mempool refuses the old key with KEY_RETIRED, accepts the new
  let record = { ...bank.party };
  const parties = new PartyKeys({ getParty: async () => record });
  t.same(await parties.key("bank-a"), bank.signer.publicKey);
  record = { ...record, publicKey: k.publicKey, retiredKeys: [{ publicKey: bank.signer.publicKey, untilHeight: 5n }] };
  await parties.onReceipts([{ txHash: new Uint8Array(32), code: "OK", message: "", target: "bank-a", events: [{ type: "keyRotated", partyId: "bank-a", publicKey: k.publicKey, resetBy: "", reason: "" }] }]);
  t.same(parties.known("bank-a"), k.publicKey, "the current key follows the event");
  t.same(parties.retired("bank-a"), [bank.signer.publicKey]);
  const fresh = new PartyKeys({ getParty: async () => record });
  await fresh.key("bank-a");
  t.same(fresh.retired("bank-a"), [bank.signer.publicKey], "a node that loads the party later reads the retired keys from the record");

  const mempool = new Mempool(
    { maxTxs: 100, maxBytes: 1 << 20, txMaxAgeMs: 3_600_000, txMaxFutureMs: 300_000 },
    { crypto: nodeCrypto, sigCache: cache, chainId: CHAIN_ID, partyKey: (id) => parties.key(id), retiredKeys: (id) => parties.retired(id), isCommitted: () => false },
  );
  const refused = await mempool.admit(byOld.bytes);
  t.match(refused, { ok: false, code: "KEY_RETIRED" }, "a stale key is refused at admission, with its own code");
  const byNew = decodeTx(nodeCrypto, signTx(nodeCrypto, body, k.seed).bytes);
  t.match(await mempool.admit(byNew.bytes), { ok: true }, "the same body under the new key is admitted");

  // a backup's batch check: a retired key's signature is no forgery (the ledger answers KEY_RETIRED)
  const keys = (id: string) => parties.knownKeys(id);
  t.equal(validateBatchTxs([byOld], CHAIN_ID, keys, (x, pk) => cache.verify(x, pk)), true);
  const forged = decodeTx(nodeCrypto, signTx(nodeCrypto, body, h32("forger")).bytes);
  t.match(validateBatchTxs([forged], CHAIN_ID, keys, (x, pk) => cache.verify(x, pk)), /forged signature/);
});

// ---- the network side: the allow-list follows the ledger, the redialler, the observer's own view ----

t.test("the p2p allow-list: observers admitted on the ledger join it; removed ones leave it, even if configured", async (t) => {
  const key = (label: string) => nodeCrypto.publicKeyFromSeed(h32(`node/${label}`));
  const self = peerIdFromNodePublicKey(key("self"));
  const validator = { publicKey: key("v1"), validatorId: "bank-a", addrs: ["/ip4/127.0.0.1/tcp/1"] };
  const configured = { publicKey: key("configured"), name: "auditor-node" };
  const dir = new PeerDirectory([validator, configured, { publicKey: key("self"), validatorId: "self" }], self);
  const idOf = (label: string) => peerIdFromNodePublicKey(key(label));
  t.notOk(dir.isRemote(idOf("ledger-1")), "not admitted yet");
  t.same(dir.setLedgerObservers([{ publicKey: key("ledger-1"), name: "observer of regulator" }], []), [], "admitting drops nobody");
  t.ok(dir.isRemote(idOf("ledger-1")), "admitted on the ledger: allowed");
  t.equal(dir.get(idOf("ledger-1"))?.ref.validatorId, undefined, "as an observer");
  t.ok(dir.remotes().some((p) => p.ref.peerId === idOf("ledger-1")));
  const dropped = dir.setLedgerObservers([], [key("ledger-1"), key("configured"), key("v1")]);
  t.same(dropped.sort(), [idOf("ledger-1"), idOf("configured")].sort(), "removal: both observers are to be disconnected");
  t.notOk(dir.isRemote(idOf("ledger-1")), "removed: refused");
  t.notOk(dir.isRemote(idOf("configured")), "a removal on the ledger overrides this node's config");
  t.ok(dir.isRemote(idOf("v1")), "a validator is never revoked by an observer removal");
  dir.setLedgerObservers([{ publicKey: key("configured") }], []);
  t.ok(dir.isRemote(idOf("configured")), "admitted again");
});

t.test("the redialler backs off from a peer that closes the connection at once (an allow-list refusal)", async (t) => {
  let now = 0;
  const delays: number[] = [];
  const counters = new Counters(null);
  const logs: string[] = [];
  const dialer = new Dialer(
    {
      dial: async () => undefined,
      isConnected: () => false,
      banRemainingMs: () => 0,
      counters,
      logger: { debug: () => undefined, info: (m) => void logs.push(m), warn: () => undefined, error: () => undefined },
      random: () => 0.5,
      now: () => now,
    },
    [{ peerId: "p", validatorId: "bank-a" }],
    { baseMs: 500, maxMs: 30_000, timeoutMs: 1000 },
  );
  // observe the delays the dialer schedules: start() is not called, so nothing dials; schedule needs running
  (dialer as unknown as { running: boolean }).running = true;
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    delays.push(ms);
    return realSetTimeout(() => undefined, 0);
  }) as typeof setTimeout;
  try {
    for (let i = 0; i < 6; i++) {
      dialer.onConnected("p");
      now += 20; // closed 20 ms after the handshake
      dialer.onDisconnected("p");
      (dialer as unknown as { targets: Map<string, { timer: unknown }> }).targets.get("p")!.timer = null;
    }
    t.same(delays, [1000, 2000, 4000, 8000, 16000, 30000], "each closed-at-once connection doubles the wait, up to the maximum");
    t.equal(counters.connectionsClosedAtOnce, 6, "counted");
    t.equal(logs.filter((m) => m.includes("closed the connection at once")).length, 1, "logged once at info (then every 20th)");
    dialer.onConnected("p");
    now += 60_000; // a real connection
    dialer.onDisconnected("p");
    t.equal(delays.at(-1), 500, "a connection that lasted starts the backoff over");
  } finally {
    globalThis.setTimeout = realSetTimeout;
    dialer.stop();
  }
});

t.test("an unadmitted observer says why, once, with the fix; a removed one too; admission withdraws it", async (t) => {
  const nodePublicKey = pk32("my-observer");
  const records: ObserverRecord[] = [];
  let connected = 0;
  let refusals = 0;
  let closedAtOnce = 0;
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: (msg: string, fields?: Record<string, unknown>) => void logs.push({ level: "info", msg, ...(fields ? { fields } : {}) }),
    warn: (msg: string, fields?: Record<string, unknown>) => void logs.push({ level: "warn", msg, ...(fields ? { fields } : {}) }),
    error: () => undefined,
    child: () => logger,
  };
  const a = new ObserverAdmission({ nodePublicKey, peerId: "12D3KooWme", observers: { records }, connectedValidators: () => connected, refusals: () => ({ dialFailures: refusals, closedAtOnce }), height: () => 0n, logger });
  t.equal(a.check(), undefined, "nothing tried yet: nothing to say");
  refusals = 1;
  const why = a.check();
  t.match(why, /^not admitted: no validator accepts this node/);
  t.match(why, `tradeledger observer admit ${toHex(nodePublicKey)} --operator`, "the fix, with the key to admit");
  for (let i = 0; i < 10; i++) {
    connected = i % 2; // a refusing validator completes the handshake, then closes
    refusals++;
    a.check();
  }
  connected = 0;
  a.check();
  t.equal(logs.filter((l) => l.level === "warn").length, 1, "logged once, however the connections flap");
  t.equal(a.current, why, "/readyz keeps the reason");
  // admitted: validators accept it, then its chain shows the admission
  connected = 2;
  for (let i = 0; i < ADMISSION_CLEAR_CHECKS - 1; i++) t.equal(a.check(), why, "withdrawn only after clean checks in a row");
  t.equal(a.check(), undefined, "then withdrawn");
  t.match(logs.at(-1), { level: "info", msg: "this observer is admitted: validators accept it" });
  records.push({ nodePublicKey, partyId: "regulator", admittedBy: "regulator", admittedAt: 5n, removedBy: "", removedAt: 0n, reason: "" });
  connected = 0;
  t.equal(a.check(), undefined, "admitted on its chain but disconnected: a connectivity matter, not admission");
  closedAtOnce++;
  t.match(a.check(), /validators close this node's connections .* shows it admitted at height 5: a later block probably removed it/, "admitted on its chain, but validators close its connections: removed in a block it did not get");
  records[0] = { ...records[0]!, removedBy: "bank-a", removedAt: 9n, reason: "engagement ended" };
  t.match(a.check(), /removed as an observer by bank-a at height 9 \(engagement ended\)/, "removed: says who, when and why");
  a.check();
  t.equal(logs.filter((l) => l.level === "warn").length, 3, "logged once more for each");
});
