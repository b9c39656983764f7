// The store, the state commitment and the block executor (node/store, node/chain/chain.ts, sdk/proofs.ts),
// on real LevelDB with real signed transactions. The crash test is test/store-crash.test.ts.
import { readdirSync, statSync, truncateSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClassicLevel } from "classic-level";
import t, { type Test } from "tap";
import { concatBytes, fromHex, toHex, utf8 } from "../sdk/bytes.js";
import { decode, encode } from "../sdk/codec.js";
import { sha256 as nobleSha256 } from "../sdk/crypto.js";
import { merkleRoot } from "../sdk/merkle.js";
import {
  stateMultiproofFromJson,
  stateMultiproofToJson,
  stateProofFromJson,
  stateProofToJson,
  verifyStateMultiproof,
  type StateMultiproof,
  stateTreeLevelBits,
  verifyReceiptInclusion,
  verifyStateProof,
  verifyTxInclusion,
  type StateProof,
} from "../sdk/proofs.js";
import { decodeTx, signTx, type Tx } from "../sdk/tx.js";
import type { BlockHeader, Receivable } from "../sdk/types.js";
import type { TxPayload } from "../sdk/transactions/index.js";
import { Chain, type ChainGenesis } from "../node/chain/chain.js";
import { LedgerQuery } from "../node/query/query.js";
import { nodeCrypto } from "../node/crypto.js";
import { KEY } from "../node/ledger/state.js";
import { Bucket } from "../node/store/buckets.js";
import { StoreError } from "../node/store/errors.js";
import { rfc6962Root } from "../node/store/hash.js";
import { decodeMeta, encodeMeta } from "../node/store/meta.js";
import { receivableIndexFields } from "../node/store/receivable-fields.js";
import { StateTree, applyBucketChanges, stateKeyHash } from "../node/store/state-tree.js";
import { META_KEY, Store } from "../node/store/store.js";
import { DAY_MS, WORKLOAD_CHAIN_ID, WORKLOAD_T0, Workload, isoDate, makeParties, prng, sha256, type WorkloadParty } from "./fixtures/ledger-workload.js";

const parties = makeParties(nodeCrypto, { banks: 2, exporters: 3 });
const party = (id: string) => parties.find((p) => p.id === id)!;
const genesis = (depth = 8): ChainGenesis => ({ chainId: WORKLOAD_CHAIN_ID, parties: parties.map((p) => p.party), stateTreeDepth: depth });

function tempDir(t: Test, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tradeledger-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function rejection(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error("expected a StoreError");
}

let nonce = 0;
function tx(signer: WorkloadParty, payload: TxPayload, time: bigint): Tx {
  const n = new Uint8Array(16);
  new DataView(n.buffer).setUint32(12, ++nonce);
  return signTx(nodeCrypto, { chainId: WORKLOAD_CHAIN_ID, signer: signer.id, createdAt: time, nonce: n, payload }, signer.seed);
}

// ---- the state tree, against an independent reference ------------------------------------------

/** The state root straight from the spec in sdk/proofs.ts, with noble's SHA-256 and no incremental state. */
function referenceRoot(state: Map<string, Uint8Array>, depth: number): Uint8Array {
  const buckets = new Map<number, Uint8Array[]>();
  for (const [k, v] of state) {
    const kh = nobleSha256(utf8(k));
    const b = Number(BigInt("0x" + toHex(kh.subarray(0, 4))) >> BigInt(32 - depth));
    buckets.set(b, [...(buckets.get(b) ?? []), concatBytes(kh, nobleSha256(v))]);
  }
  let level: Uint8Array[] = [];
  for (let b = 0; b < 2 ** depth; b++) {
    const entries = (buckets.get(b) ?? []).sort((x, y) => Buffer.compare(x, y));
    level.push(nobleSha256(concatBytes(Uint8Array.of(1), ...entries)));
  }
  for (const bits of stateTreeLevelBits(depth)) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 1 << bits) next.push(nobleSha256(concatBytes(Uint8Array.of(2), ...level.slice(i, i + (1 << bits)))));
    level = next;
  }
  if (level.length !== 1) throw new Error("the reference tree did not end in one root");
  return level[0]!;
}

/** Sibling hashes of one single-key proof at this depth. */
const stateProofSiblingsOf = (depth: number) => stateTreeLevelBits(depth).reduce((n, b) => n + (1 << b) - 1, 0);

function treeOf(state: Map<string, Uint8Array>, depth: number): { tree: StateTree; buckets: Map<number, Uint8Array> } {
  const tree = StateTree.empty(depth);
  const buckets = new Map<number, Uint8Array>();
  const hashes = new Map<number, Uint8Array>();
  for (const [k, v] of state) {
    const kh = stateKeyHash(k);
    const b = Number(BigInt("0x" + toHex(kh.subarray(0, 4))) >> BigInt(32 - depth));
    const entries = applyBucketChanges(buckets.get(b) ?? new Uint8Array(0), [{ keyHash: kh, valueHash: nodeCrypto.sha256(v) }]);
    buckets.set(b, entries);
    hashes.set(b, nodeCrypto.sha256(concatBytes(Uint8Array.of(1), entries)));
  }
  tree.update(hashes);
  return { tree, buckets };
}

t.test("state tree: roots match a from-the-spec reference at several depths, incrementally", async (t) => {
  const rand = prng(42);
  for (const depth of [4, 5, 8, 10]) {
    const state = new Map<string, Uint8Array>();
    for (let i = 0; i < 300; i++) state.set(`r/${i}`, utf8(`value ${i} ${rand()}`));
    const { tree } = treeOf(state, depth);
    t.same(tree.root, referenceRoot(state, depth), `depth ${depth}: incremental root equals the reference`);
    const again = StateTree.fromBucketHashes(depth, [...Array(2 ** depth).keys()].filter((b) => !tree.isEmptyBucket(b)).map((b) => [b, Uint8Array.from(tree.bucketHash(b))] as [number, Uint8Array]));
    t.same(again.root, tree.root, `depth ${depth}: rebuilt from bucket hashes, same root`);
  }
  // A fixed vector: a change in the tree's definition would fork every chain (docs/storage.md).
  const vector = new Map([
    ["p/bank-a", utf8("A")],
    ["r/0001", utf8("B")],
  ]);
  t.equal(toHex(referenceRoot(vector, 4)), toHex(treeOf(vector, 4).tree.root));
  t.equal(toHex(treeOf(vector, 4).tree.root), "11714330aa75e5951cb6d741a46e1276a6ff3acb1d5f530790b2f1a7a669ea58", "known-answer root for depth 4 {p/bank-a: A, r/0001: B}");
  t.same(StateTree.empty(14).root, referenceRoot(new Map(), 14), "the empty tree of depth 14 (a root of 4 children)");
});

t.test("state proofs: membership and non-membership verify; any tampering fails", async (t) => {
  const depth = 6;
  const state = new Map<string, Uint8Array>();
  for (let i = 0; i < 400; i++) state.set(`r/${i}`, utf8(`receivable ${i}`));
  const { tree, buckets } = treeOf(state, depth);
  const root = tree.root;
  const proofFor = (key: string): StateProof => {
    const kh = stateKeyHash(key);
    const b = Number(BigInt("0x" + toHex(kh.subarray(0, 4))) >> BigInt(32 - depth));
    return tree.proof(b, buckets.get(b) ?? new Uint8Array(0));
  };
  const p = proofFor("r/7");
  t.ok(p.entries.length > 64, "the bucket holds several records (so neighbours are in the proof)");
  t.ok(verifyStateProof(root, "r/7", utf8("receivable 7"), p), "membership");
  t.notOk(verifyStateProof(root, "r/7", utf8("receivable 8"), p), "wrong value");
  t.notOk(verifyStateProof(root, "r/7", null, p), "claimed absent while present");
  const absent = proofFor("r/nope");
  t.ok(verifyStateProof(root, "r/nope", null, absent), "non-membership");
  t.notOk(verifyStateProof(root, "r/nope", utf8("x"), absent), "claimed present while absent");
  // Dropping the key's entry from its bucket must not prove absence.
  const kh = stateKeyHash("r/7");
  let without: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < p.entries.length; i += 64) if (toHex(p.entries.subarray(i, i + 32)) !== toHex(kh)) without = concatBytes(without, p.entries.subarray(i, i + 64));
  t.notOk(verifyStateProof(root, "r/7", null, { ...p, entries: without }), "omitting an entry breaks the bucket hash");
  const swapped = concatBytes(p.entries.subarray(64, 128), p.entries.subarray(0, 64), p.entries.subarray(128));
  t.notOk(verifyStateProof(root, "r/7", utf8("receivable 7"), { ...p, entries: swapped }), "unsorted entries");
  const sib = Uint8Array.from(p.siblings);
  sib[5]! ^= 1;
  t.notOk(verifyStateProof(root, "r/7", utf8("receivable 7"), { ...p, siblings: sib }), "a flipped sibling bit");
  t.notOk(verifyStateProof(root, "r/7", utf8("receivable 7"), { ...p, depth: depth + 1 }), "another depth");
  t.notOk(verifyStateProof(root, "r/7", utf8("receivable 7"), { ...p, siblings: p.siblings.subarray(32) }), "a short path");
  t.notOk(verifyStateProof(root.subarray(1), "r/7", utf8("receivable 7"), p), "a malformed root");
  t.notOk(verifyStateProof(root, "r/7", utf8("receivable 7"), null as unknown as StateProof), "no proof at all, no throw");
  t.ok(verifyStateProof(root, "r/7", utf8("receivable 7"), stateProofFromJson(JSON.parse(JSON.stringify(stateProofToJson(p))))), "survives its JSON form");
  t.throws(() => stateProofFromJson({ depth: 6, entries: "zz", siblings: "" }), TypeError);
});

t.test("state multiproofs: many keys in one proof verify; any leaf, sibling or absence claim altered fails", async (t) => {
  const depth = 8;
  const state = new Map<string, Uint8Array>();
  for (let i = 0; i < 1500; i++) state.set(`r/${i}`, utf8(`receivable ${i}`));
  const { tree, buckets } = treeOf(state, depth);
  const root = tree.root;
  const bucketOf = (key: string) => Number(BigInt("0x" + toHex(stateKeyHash(key).subarray(0, 4))) >> BigInt(32 - depth));
  const multiproofFor = (keys: string[]): StateMultiproof => {
    const indices = [...new Set(keys.map(bucketOf))].sort((a, b) => a - b);
    return tree.multiproof(indices.map((index) => ({ index, entries: buckets.get(index) ?? new Uint8Array(0) })));
  };
  const item = (key: string) => ({ key, value: state.get(key) ?? null });
  // keys spread over the tree, two sharing a bucket, and one absent key
  const keys = ["r/1", "r/2", "r/300", "r/999", "r/1499", "r/absent"];
  const shared = [...state.keys()].find((k) => k !== "r/1" && bucketOf(k) === bucketOf("r/1"))!;
  keys.push(shared);
  const items = keys.map(item);
  const proof = multiproofFor(keys);
  t.ok(verifyStateMultiproof(root, items, proof), "every key (present, and absent) against the root in one proof");
  const single = stateProofSiblingsOf(depth) * keys.length;
  t.ok(proof.siblings.length / 32 < single, `shared siblings: ${proof.siblings.length / 32} hashes where ${keys.length} single proofs carry ${single}`);
  for (const k of keys) t.ok(verifyStateMultiproof(root, [item(k)], multiproofFor([k])), `a multiproof of ${k} alone`);
  t.ok(verifyStateMultiproof(root, items, stateMultiproofFromJson(JSON.parse(JSON.stringify(stateMultiproofToJson(proof))))), "survives its JSON form");
  // a whole report's worth: 1,200 keys in one proof
  const many = [...state.keys()].slice(0, 1200);
  t.ok(verifyStateMultiproof(root, many.map(item), multiproofFor(many)), "1,200 keys in one proof");

  // a leaf (a value) altered, claimed absent while present, claimed present while absent
  t.notOk(verifyStateMultiproof(root, items.map((i) => (i.key === "r/300" ? { ...i, value: utf8("receivable 301") } : i)), proof), "an altered value");
  t.notOk(verifyStateMultiproof(root, items.map((i) => (i.key === "r/300" ? { ...i, value: null } : i)), proof), "a key claimed absent that is present");
  t.notOk(verifyStateMultiproof(root, items.map((i) => (i.key === "r/absent" ? { ...i, value: utf8("x") } : i)), proof), "a key claimed present that is absent");
  // a key the proof's buckets do not cover; a bucket no key needs; a bucket dropped
  t.notOk(verifyStateMultiproof(root, [...items, item("r/777")].filter((i, n, all) => all.findIndex((j) => j.key === i.key) === n), proof), "a key outside the proven buckets");
  const extra = multiproofFor([...keys, "r/777"]);
  t.notOk(verifyStateMultiproof(root, items, extra), "an extra bucket no input needs");
  t.notOk(verifyStateMultiproof(root, items, { ...proof, buckets: proof.buckets.slice(1) }), "a bucket dropped");
  // a bucket's entry dropped (so its key would look absent), entries reordered, another bucket's index
  const i0 = proof.buckets.findIndex((b) => b.index === bucketOf("r/1"));
  const b0 = proof.buckets[i0]!;
  t.ok(b0.entries.length >= 128, "r/1's bucket holds at least two records");
  const kh = toHex(stateKeyHash("r/1"));
  let without: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < b0.entries.length; i += 64) if (toHex(b0.entries.subarray(i, i + 32)) !== kh) without = concatBytes(without, b0.entries.subarray(i, i + 64));
  const withBucket = (entries: Uint8Array, index = b0.index) => ({ ...proof, buckets: proof.buckets.map((b, n) => (n === i0 ? { index, entries } : b)) });
  t.notOk(verifyStateMultiproof(root, items.map((i) => (i.key === "r/1" ? { ...i, value: null } : i)), withBucket(without)), "an entry left out of its bucket does not prove absence");
  t.notOk(verifyStateMultiproof(root, items, withBucket(concatBytes(b0.entries.subarray(64, 128), b0.entries.subarray(0, 64), b0.entries.subarray(128)))), "entries out of order");
  t.notOk(verifyStateMultiproof(root, items, withBucket(b0.entries, b0.index + 1)), "a bucket under another index");
  const flipped = Uint8Array.from(b0.entries);
  flipped[40]! ^= 1;
  t.notOk(verifyStateMultiproof(root, items, withBucket(flipped)), "a neighbour's value hash altered");
  // every sibling matters: flipping any one, dropping one, adding one, reordering two
  let caught = 0;
  const n = proof.siblings.length / 32;
  for (let s = 0; s < n; s++) {
    const sib = Uint8Array.from(proof.siblings);
    sib[s * 32 + (s % 32)]! ^= 0x80;
    if (!verifyStateMultiproof(root, items, { ...proof, siblings: sib })) caught++;
  }
  t.equal(caught, n, `each of the ${n} siblings altered fails`);
  t.notOk(verifyStateMultiproof(root, items, { ...proof, siblings: proof.siblings.subarray(32) }), "a sibling dropped");
  t.notOk(verifyStateMultiproof(root, items, { ...proof, siblings: concatBytes(proof.siblings, new Uint8Array(32)) }), "a sibling too many");
  const swapped = concatBytes(proof.siblings.subarray(32, 64), proof.siblings.subarray(0, 32), proof.siblings.subarray(64));
  t.notOk(verifyStateMultiproof(root, items, { ...proof, siblings: swapped }), "two siblings swapped");
  t.notOk(verifyStateMultiproof(root, items, { ...proof, depth: depth + 1 }), "another depth");
  t.notOk(verifyStateMultiproof(root.subarray(1), items, proof), "a malformed root");
  t.notOk(verifyStateMultiproof(root, [], proof), "no items");
  t.notOk(verifyStateMultiproof(root, items, null as unknown as StateMultiproof), "no proof at all, no throw");
  t.throws(() => stateMultiproofFromJson({ depth, buckets: [{ index: 0, entries: "zz" }], siblings: "" }), TypeError);
});

t.test("block roots: the node's RFC 6962 root equals the SDK's", async (t) => {
  for (const n of [0, 1, 2, 3, 7, 64, 100]) {
    const items = Array.from({ length: n }, (_, i) => sha256(`item ${i}`));
    t.same(rfc6962Root(items), merkleRoot(nodeCrypto.sha256, items), `${n} leaves`);
  }
});

t.test("the index projection of a Receivable equals its full decode", async (t) => {
  const rand = prng(7);
  const statuses = ["REGISTERED", "ATTESTED", "PARTIALLY_FINANCED", "FINANCED", "SETTLED", "CANCELLED"] as const;
  for (let i = 0; i < 300; i++) {
    const financings = Array.from({ length: Math.floor(rand() * 4) }, (_, j) => {
      const amount = BigInt(Math.floor(rand() * 2 ** 40)) * (rand() < 0.2 ? 2n ** 20n : 1n) + 1n;
      return { id: toHex(sha256(`f${i}/${j}`)), bankId: `bank-${j}`, amount, repaid: rand() < 0.5 ? amount : amount / 2n, financedAt: BigInt(i), writtenOff: 0n, writtenOffAt: 0n };
    });
    const r: Receivable = {
      id: toHex(sha256(`r${i}`)),
      exporterId: "exporter-0",
      buyerId: "b\u00fcyer",
      buyerPartyId: "",
      warrantPieceId: "",
      acknowledgedAmount: 0n,
      acknowledgedDueDate: "",
      acknowledgedAt: 0n,
      disputed: false,
      disputeReason: "",
      disputedSince: 0n,
      payeeBankId: "",
      payeeAccountHash: new Uint8Array(0),
      payeeNotifiedAt: 0n,
      extensionBankId: "",
      extensionDueDate: "",
      extensionProposedAt: 0n,
      extensions: 0,
      amount: 10n ** 18n,
      currency: "USD",
      issueDate: "2026-01-01",
      dueDate: rand() < 0.1 ? "" : isoDate(WORKLOAD_T0 + BigInt(Math.floor(rand() * 1000)) * DAY_MS),
      documentHash: sha256(`d${i}`),
      fingerprint: sha256(`p${i}`),
      status: statuses[i % statuses.length]!,
      declarationFingerprint: rand() < 0.5 ? new Uint8Array(0) : sha256(`x${i}`),
      attestedBy: "",
      financings,
      registeredAt: i === 0 ? 0n : BigInt(Math.floor(rand() * 2 ** 50)) * 1000n,
      updatedAt: 2n ** 64n - 1n,
    };
    const bytes = encode("Receivable", r);
    const full = decode<Receivable>("Receivable", bytes);
    const got = receivableIndexFields(bytes);
    t.same(got, { status: full.status, registeredAt: full.registeredAt, dueDate: full.dueDate, outstanding: full.financings.some((f) => f.amount > f.repaid) }, `receivable ${i}`);
  }
  t.throws(() => receivableIndexFields(Uint8Array.of(0x52, 0x05, 0x01)), { code: "STORE_CORRUPTED" }, "truncated bytes are corruption, not garbage fields");
});

// ---- a chain on LevelDB -------------------------------------------------------------------------

interface Built {
  chain: Chain;
  query: LedgerQuery;
  store: Store;
  dir: string;
  time: bigint;
  ids: Record<string, string>;
}

/**
 * A hand-written history: two receivables through their lives with rejected attempts at them,
 * then the workload for volume.
 */
async function buildChain(t: Test, depth = 8, workloadBlocks = 6): Promise<Built> {
  const dir = tempDir(t, "store");
  const store = await Store.open(dir);
  const chain = await Chain.open(store, genesis(depth));
  const query = new LedgerQuery(store, chain, nodeCrypto);
  let time = WORKLOAD_T0;
  let height = 0n;
  const run = async (txs: Tx[]) => {
    time += 60_000n;
    return chain.executeBlock({ height: ++height, time, proposer: "validator-0", view: 0n, txs });
  };
  const ex = party("exporter-0");
  const bankA = party("bank-0");
  const bankB = party("bank-1");
  const customs = party("customs-cn");
  const inv = (n: number): TxPayload => ({
    type: "registerReceivable",
    documentHash: sha256(`doc ${n}`),
    fingerprint: sha256(`fp ${n}`),
    buyerId: "buyer-1",
    buyerPartyId: "",
    amount: 1_000_000n,
    currency: "USD",
    issueDate: isoDate(WORKLOAD_T0),
    dueDate: isoDate(WORKLOAD_T0 + 30n * DAY_MS),
  });
  const r1 = tx(ex, inv(1), time);
  const r2 = tx(ex, inv(2), time);
  const dupe = tx(party("exporter-1"), { ...inv(1), documentHash: sha256("doc 1 again") } as TxPayload, time);
  const b1 = await run([r1, r2, dupe]);
  t.same(b1.receipts.map((r) => r.code), ["OK", "OK", "DUPLICATE_RECEIVABLE"]);
  const id1 = r1.hashHex;
  const id2 = r2.hashHex;
  const early = tx(bankA, { type: "financeReceivable", receivableId: id1, amount: 1n, currency: "USD" }, time);
  const attest = tx(
    customs,
    { type: "attestShipment", declarationFingerprint: sha256("decl 1"), declarationHash: sha256("decl doc 1"), exporterId: ex.id, declaredValue: 2_000_000n, currency: "USD", exportDate: isoDate(time), receivableIds: [id1, id2] },
    time,
  );
  const b2 = await run([early, attest]);
  t.same(b2.receipts.map((r) => r.code), ["NOT_ATTESTED", "OK"]);
  const finA = tx(bankA, { type: "financeReceivable", receivableId: id1, amount: 600_000n, currency: "USD" }, time);
  const finB = tx(bankB, { type: "financeReceivable", receivableId: id1, amount: 400_000n, currency: "USD" }, time);
  const over = tx(bankB, { type: "financeReceivable", receivableId: id1, amount: 1n, currency: "USD" }, time);
  const b3 = await run([finA, finB, over]);
  t.same(b3.receipts.map((r) => r.code), ["OK", "OK", "DOUBLE_FINANCING"]);
  const repay = tx(bankA, { type: "recordRepayment", receivableId: id1, financingId: finA.hashHex, amount: 600_000n }, time);
  const b4 = await run([repay, repay]); // the same signed transaction twice: a replay
  t.same(b4.receipts.map((r) => r.code), ["OK", "DUPLICATE_TX"]);
  const b5 = await run([repay]); // and again in a later block
  t.same(b5.receipts.map((r) => r.code), ["DUPLICATE_TX"]);
  const repayB = tx(bankB, { type: "recordRepayment", receivableId: id1, financingId: finB.hashHex, amount: 400_000n }, time);
  const b6 = await run([repayB]);
  t.same(b6.receipts.map((r) => r.code), ["OK"]);

  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 3, fraudRate: 0.1 });
  for (let i = 0; i < workloadBlocks; i++) {
    time += 60_000n;
    const txs = workload.block(60, time);
    const out = await chain.executeBlock({ height: ++height, time, proposer: "validator-1", view: 1n, txs });
    workload.observe(txs, out.receipts);
  }
  t.equal(workload.counts.unexpected, 0, `the workload got the receipts it expected ${workload.mismatches.join("; ")}`);
  return { chain, query, store, dir, time, ids: { id1, id2, finA: finA.hashHex, repay: repay.hashHex, attest: attest.hashHex } };
}

t.test("blocks, transactions and their proofs", async (t) => {
  const { chain, query, store, ids } = await buildChain(t);
  t.teardown(() => store.close());
  const head = await query.getHeader(chain.height);
  t.ok(head);
  t.same(head!.hash, chain.headHash, "the head hash is the SHA-256 of the stored header bytes");
  let prev: Uint8Array = new Uint8Array(32);
  for (let h = 1n; h <= chain.height; h++) {
    const b = (await query.getBlock(h))!;
    t.same(b.header.prevHash, prev, `block ${h} links to its parent`);
    prev = b.hash;
  }
  t.equal(await query.getBlock(chain.height + 1n), undefined, "no block above the head");

  const rec = (await query.getTx(fromHex(ids.repay)))!;
  t.equal(rec.tx.hashHex, ids.repay, "the replayed repayment is found by hash at its first (taking) position");
  t.equal(rec.height, 4n);
  t.equal(rec.index, 0);
  t.equal(rec.receipt.code, "OK");
  t.ok(verifyTxInclusion(rec.header.txsRoot, rec.tx.hash, rec.index, rec.txCount, rec.txProof), "tx inclusion proof verifies (SDK)");
  t.ok(verifyReceiptInclusion(rec.header.receiptsRoot, rec.receiptBytes, rec.index, rec.txCount, rec.receiptProof), "receipt inclusion proof verifies (SDK)");
  t.notOk(verifyTxInclusion(rec.header.txsRoot, sha256("another tx"), rec.index, rec.txCount, rec.txProof), "another transaction does not verify");
  t.notOk(verifyTxInclusion(rec.header.txsRoot, rec.tx.hash, rec.index, rec.txCount + 1, rec.txProof), "nor in a block of another size");
  t.ok(await query.hasCommittedTx(rec.tx.hash), "its hash is taken");
  t.notOk(await query.hasCommittedTx(sha256("never sent")));
  const attempts = await query.getTxAttempts(rec.tx.hash);
  t.same(
    attempts.map((a) => [a.height, a.index, a.code]),
    [
      [4n, 1, "DUPLICATE_TX"],
      [5n, 0, "DUPLICATE_TX"],
    ],
    "replays are kept apart as attempts",
  );

  const bytes = (await query.getBlockBytes(3n))!;
  const block = decode<{ header: BlockHeader; txs: Uint8Array[]; receipts: unknown[] }>("Block", bytes);
  const stored = (await query.getBlock(3n))!;
  t.same(block.header, stored.header, "the Block message carries the header");
  t.same(block.txs, stored.txs, "and the transactions as received");
  t.equal(block.receipts.length, 3);
});

t.test("read indexes: history, parties, status, due dates, documents, fingerprints, rejections", async (t) => {
  const { chain, query, store, ids, time } = await buildChain(t);
  t.teardown(() => store.close());

  const history = await query.getHistory(ids.id1);
  t.same(
    history.items.map((e) => [e.height, e.code, e.event?.type ?? "rejected", e.signer]),
    [
      [1n, "OK", "receivableRegistered", "exporter-0"],
      [1n, "DUPLICATE_RECEIVABLE", "rejected", "exporter-1"],
      [2n, "NOT_ATTESTED", "rejected", "bank-0"],
      [2n, "OK", "receivableAttested", "customs-cn"],
      [3n, "OK", "receivableFinanced", "bank-0"],
      [3n, "OK", "receivableFinanced", "bank-1"],
      [3n, "DOUBLE_FINANCING", "rejected", "bank-1"],
      [4n, "OK", "repaymentRecorded", "bank-0"],
      [4n, "DUPLICATE_TX", "rejected", "bank-0"],
      [5n, "DUPLICATE_TX", "rejected", "bank-0"],
      [6n, "OK", "repaymentRecorded", "bank-1"],
      [6n, "OK", "receivableSettled", "bank-1"],
    ],
    "every event and every rejected attempt, in order, with signer",
  );
  t.ok(history.items.every((e) => e.time > WORKLOAD_T0 && e.txHash.length === 32));

  // pagination, forwards and backwards, covers the same entries exactly once
  const forward: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await query.getHistory(ids.id1, { limit: 5, ...(cursor ? { cursor } : {}) });
    t.ok(page.items.length <= 5);
    forward.push(...page.items.map((e) => `${e.height}/${e.index}/${e.eventIndex ?? "x"}`));
    cursor = page.cursor;
  } while (cursor);
  t.equal(forward.length, 12);
  const backward: string[] = [];
  do {
    const page = await query.getHistory(ids.id1, { limit: 4, reverse: true, ...(cursor ? { cursor } : {}) });
    backward.push(...page.items.map((e) => `${e.height}/${e.index}/${e.eventIndex ?? "x"}`));
    cursor = page.cursor;
  } while (cursor);
  t.same(backward, [...forward].reverse(), "reverse pages are the same entries, newest first");
  await t.rejects(query.getHistory(ids.id1, { cursor: "not hex" }), { code: "STORE_BAD_REQUEST" });
  await t.rejects(query.getHistory(ids.id1, { limit: 0 }), { code: "STORE_BAD_REQUEST" });

  const r1 = (await query.getReceivable(ids.id1))!;
  t.equal(r1.status, "SETTLED");
  const mine = await query.receivablesByExporter("exporter-0", { limit: 1000 });
  t.ok(mine.items.some((r) => r.id === ids.id1) && mine.items.some((r) => r.id === ids.id2));
  t.ok(mine.items.every((r) => r.exporterId === "exporter-0"), "only the exporter's receivables");
  const settled = await query.receivablesByStatus("SETTLED", { limit: 1000 });
  t.ok(settled.items.some((r) => r.id === ids.id1), "the settled receivable is listed as SETTLED");
  const attested = await query.receivablesByStatus("ATTESTED", { limit: 1000 });
  t.ok(attested.items.some((r) => r.id === ids.id2));
  t.notOk(attested.items.some((r) => r.id === ids.id1), "and no longer under its old status");
  for (const status of ["REGISTERED", "ATTESTED", "FINANCED", "SETTLED"] as const) {
    const page = await query.receivablesByStatus(status, { limit: 1000 });
    t.ok(page.items.every((r) => r.status === status), `status index agrees with the records (${status})`);
  }
  const bankB = await query.financingsByBank("bank-1", { limit: 1000 });
  t.ok(bankB.items.some((f) => f.receivable.id === ids.id1 && f.entry.code === "OK"));
  t.ok(bankB.items.every((f) => f.entry.signer === "bank-1"));

  const due = isoDate(WORKLOAD_T0 + 30n * DAY_MS);
  const byDue = await query.receivablesByDueDate({ from: due, before: isoDate(WORKLOAD_T0 + 31n * DAY_MS) }, { limit: 1000 });
  t.same(new Set(byDue.items.map((r) => r.id)), new Set([ids.id1, ids.id2]), "due-date range [from, before)");
  t.ok((await query.receivablesByDueDate({ from: isoDate(WORKLOAD_T0 + 90n * DAY_MS) }, { limit: 1000 })).items.every((r) => r.dueDate >= isoDate(WORKLOAD_T0 + 90n * DAY_MS)));
  await t.rejects(query.receivablesByDueDate({ from: "tomorrow" }), { code: "STORE_BAD_REQUEST" });

  // Overdue: receivables with financing outstanding past their due date. Nothing yet; the
  // workload's financed deals (due in 90 days) are overdue 91 days on; the settled one never.
  t.same((await query.overdueReceivables(time)).items, [], "nothing is overdue today");
  const later = time + 200n * DAY_MS;
  const overdue = await query.overdueReceivables(later, { limit: 1000 });
  t.ok(overdue.items.length > 0, "financed, unpaid receivables are overdue after their due date");
  t.ok(overdue.items.every((r) => r.financings.some((f) => f.amount > f.repaid)), "each has financing outstanding");
  t.notOk(overdue.items.some((r) => r.id === ids.id1), "a settled receivable is never overdue");
  const exposure = await query.exposure("exporter-0", later);
  t.ok(exposure.receivables >= 2);
  for (const [cur, amount] of exposure.overdue) t.ok(amount <= exposure.outstanding.get(cur)!, "overdue is part of outstanding");

  const docs = await query.documentHistory(sha256("doc 1"));
  t.same(docs.items.map((e) => [e.height, e.code]), [[1n, "OK"]]);
  const fps = await query.fingerprintHistory(sha256("fp 1"));
  t.same(fps.items.map((e) => [e.signer, e.code]), [
    ["exporter-0", "OK"],
    ["exporter-1", "DUPLICATE_RECEIVABLE"],
  ], "a fingerprint lists every registration that carried it, the fraud attempt included");
  t.same((await query.getDocument(sha256("decl doc 1")))?.documentType, "EXPORT_DECLARATION");
  t.equal((await query.getDeclaration(sha256("decl 1")))?.attestedTotal, 2_000_000n);
  t.equal((await query.getParty("bank-0"))?.role, "BANK");

  const all = await query.rejections({}, { limit: 1000 });
  t.ok(all.items.length >= 5);
  t.ok(all.items.every((e) => e.code !== "OK"));
  const dbl = await query.rejections({ code: "DOUBLE_FINANCING" }, { limit: 1000 });
  t.ok(dbl.items.length >= 1 && dbl.items.every((e) => e.code === "DOUBLE_FINANCING"));
  t.equal(dbl.items[0]!.target, ids.id1, "a rejection names the receivable it targeted");
  const bySigner = await query.rejections({ signer: "exporter-1" }, { limit: 1000 });
  t.ok(bySigner.items.length >= 1 && bySigner.items.every((e) => e.signer === "exporter-1"));
  await t.rejects(query.rejections({ code: "OVERDUE", signer: "x" }), { code: "STORE_BAD_REQUEST" });

  const report = await chain.verify();
  t.equal(report.height, chain.height, "full verification from scratch passes");
});

t.test("state proofs through the chain, against the head header's state root", async (t) => {
  const { chain, query, store, ids } = await buildChain(t, 10);
  t.teardown(() => store.close());
  const head = (await query.getHeader(chain.height))!;
  const p = await query.proveState("receivable", ids.id1);
  t.equal(p.height, chain.height);
  t.same(p.stateRoot, head.header.stateRoot);
  t.ok(p.value);
  t.ok(verifyStateProof(head.header.stateRoot, KEY.receivable(ids.id1), p.value!, p.proof), "a receivable's state is proven by the certified header");
  t.equal(decode<{ status: string }>("Receivable", p.value!).status, "SETTLED");
  const none = await query.proveState("receivable", "00".repeat(32));
  t.equal(none.value, undefined);
  t.ok(verifyStateProof(head.header.stateRoot, KEY.receivable("00".repeat(32)), null, none.proof), "an absent receivable is proven absent");
  t.ok(p.proof.siblings.length === 2 * 15 * 32 + 3 * 32, "depth 10: two 16-ary levels and a root of 4");
});

t.test("reopen, genesis, heights, time and expected hashes", async (t) => {
  const built = await buildChain(t, 8, 2);
  const { chain, dir } = built;
  const head = chain.height;
  const root = chain.stateRoot;
  const hash = chain.headHash;
  await built.store.close();

  await t.rejects(Store.open(dir).then((s) => Chain.open(s, { ...genesis(), chainId: "another-chain" }).finally(() => s.close())), { code: "STORE_GENESIS_MISMATCH" });
  await t.rejects(Store.open(dir).then((s) => Chain.open(s, genesis(9)).finally(() => s.close())), { code: "STORE_GENESIS_MISMATCH" }, "another tree depth");
  await t.rejects(
    Store.open(dir).then((s) => Chain.open(s, { ...genesis(), parties: genesis().parties.slice(1) }).finally(() => s.close())),
    { code: "STORE_GENESIS_MISMATCH" },
    "other genesis parties",
  );

  const store = await Store.open(dir);
  t.teardown(() => store.close());
  const again = await Chain.open(store, genesis());
  const query = new LedgerQuery(store, again, nodeCrypto);
  t.equal(again.height, head, "reopened at the same head");
  t.same(again.stateRoot, root);
  t.same(again.headHash, hash);
  await t.rejects(Store.open(dir), { code: "STORE_LOCKED" }, "a second opener is refused while the store is open");

  const t1 = again.headTime + 1000n;
  const exporter = party("exporter-2");
  const mk = () =>
    tx(exporter, { type: "anchorDocument", documentHash: sha256(`bl ${nonce}`), documentType: "PACKING_LIST", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }, t1);
  await t.rejects(again.executeBlock({ height: head + 2n, time: t1, proposer: "v", view: 0n, txs: [mk()] }), { code: "HEIGHT_GAP" });
  await t.rejects(again.executeBlock({ height: head, time: t1, proposer: "v", view: 0n, txs: [mk()] }), { code: "HEIGHT_GAP" }, "a height already committed");
  await t.rejects(again.executeBlock({ height: head + 1n, time: again.headTime - 1n, proposer: "v", view: 0n, txs: [mk()] }), { code: "BLOCK_INVALID" }, "time going backwards");
  const doc = mk();
  const docHash = doc.body.payload.type === "anchorDocument" ? doc.body.payload.documentHash : new Uint8Array(0);
  const err = await rejection(again.executeBlock({ height: head + 1n, time: t1, proposer: "v", view: 0n, txs: [doc], expectedHash: new Uint8Array(32) }));
  t.equal(err.code, "BLOCK_MISMATCH");
  t.equal(again.height, head, "a mismatching block writes nothing");
  t.same(again.stateRoot, root, "and leaves the state root");
  t.same(store.tree.root, root, "and the in-memory tree");
  t.equal(await query.getDocument(docHash), undefined);
  const ok = await again.executeBlock({ height: head + 1n, time: t1, proposer: "v", view: 0n, txs: [doc] });
  t.equal(ok.receipts[0]!.code, "OK", "the same block then commits");
  t.equal((await again.verify()).height, head + 1n);

  // A commit certificate is stored with its block, and must be for that block.
  const cert = { chainId: WORKLOAD_CHAIN_ID, view: 2n, seq: head + 2n, digest: sha256("batch"), commits: [0, 1, 3].map((replica) => ({ replica, signature: sha256(`sig ${replica}`).slice(0, 32) })) };
  await t.rejects(again.executeBlock({ height: head + 2n, time: t1, proposer: "v", view: 3n, txs: [], certificate: cert }), { code: "BLOCK_INVALID" }, "a certificate of another view");
  await t.rejects(again.executeBlock({ height: head + 2n, time: t1, proposer: "v", view: 2n, txs: [], certificate: { ...cert, seq: head + 3n } }), { code: "BLOCK_INVALID" }, "of another height");
  await t.rejects(again.executeBlock({ height: head + 2n, time: t1, proposer: "v", view: 2n, txs: [], certificate: { ...cert, chainId: "other-chain" } }), { code: "BLOCK_INVALID" }, "of another chain");
  await again.executeBlock({ height: head + 2n, time: t1, proposer: "v", view: 2n, txs: [mk()], certificate: cert });
  t.same(await query.getCertificate(head + 2n), cert, "the certificate reads back as stored");
  t.equal(await query.getCertificate(head + 1n), undefined, "a block committed without one has none");
  t.equal((await again.verify()).certificates, 1);

  // Concurrent callers are refused rather than interleaved.
  const d2 = mk();
  const first = again.executeBlock({ height: head + 3n, time: t1, proposer: "v", view: 0n, txs: [d2] });
  await t.rejects(again.executeBlock({ height: head + 4n, time: t1, proposer: "v", view: 0n, txs: [mk()] }), { code: "STORE_BAD_REQUEST" });
  await first;
  t.equal(again.height, head + 3n);
});

t.test("executing through caches or without them gives the same blocks", async (t) => {
  const dirs = [tempDir(t, "a"), tempDir(t, "b")];
  const a = await Store.open(dirs[0]!, { sync: false });
  const b = await Store.open(dirs[1]!, { sync: false, recordCacheEntries: 0, bucketCacheBytes: 0 });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const ca = await Chain.open(a, genesis(6));
  const cb = await Chain.open(b, genesis(6));
  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 11, fraudRate: 0.1 });
  let time = WORKLOAD_T0;
  for (let h = 1n; h <= 12n; h++) {
    time += 1000n;
    const txs = workload.block(40, time);
    const ra = await ca.executeBlock({ height: h, time, proposer: "v", view: 0n, txs });
    const rb = await cb.executeBlock({ height: h, time, proposer: "v", view: 0n, txs, expectedHash: ra.hash });
    t.same(rb.hash, ra.hash, `block ${h}`);
    workload.observe(txs, ra.receipts);
  }
  t.equal(workload.counts.unexpected, 0);
  t.ok(a.state.stats.recordCacheHits > 0, "the cached store served records from its cache");
  t.equal(b.state.stats.recordCacheHits, 0, "the uncached one read everything from LevelDB");
});

t.test("consensus records: durable put/get/delete/batch and ordered ranges", async (t) => {
  const store = await Store.open(tempDir(t, "consensus"));
  const k = (s: string) => utf8(s);
  await store.consensus.put(k("view"), Uint8Array.of(3));
  await store.consensus.batch([
    { type: "put", key: k("signed/0002"), value: k("b") },
    { type: "put", key: k("signed/0001"), value: k("a") },
    { type: "put", key: k("signed/0003"), value: k("c") },
  ]);
  t.same(await store.consensus.get(k("view")), Uint8Array.of(3));
  await store.consensus.del(k("signed/0003"));
  const got: string[] = [];
  for await (const [key, value] of store.consensus.entries({ gte: k("signed/"), lt: k("signed0") })) got.push(`${Buffer.from(key)}=${Buffer.from(value)}`);
  t.same(got, ["signed/0001=a", "signed/0002=b"]);
  const rev: string[] = [];
  for await (const [key] of store.consensus.entries({ reverse: true, limit: 1 })) rev.push(Buffer.from(key).toString());
  t.same(rev, ["view"]);
  await t.rejects(store.consensus.get(new Uint8Array(0)), { code: "STORE_BAD_REQUEST" });
  t.equal(store.meta, undefined, "consensus records need no genesis, and are not chain data");
  await store.close();
  const reopened = await Store.open(store.path);
  t.equal(reopened.meta, undefined, "a store holding only consensus records reopens as a store without a chain");
  t.same(await reopened.consensus.get(k("signed/0001")), k("a"), "with its records");
  await reopened.close();
});

// ---- damage is detected, never served --------------------------------------------------------------

async function damagedStore(t: Test): Promise<{ dir: string; head: bigint }> {
  const { store, dir, chain } = await buildChain(t, 8, 2);
  const head = chain.height;
  await store.close();
  return { dir, head };
}

/** Edits the LevelDB files directly, as damage or a buggy tool would. */
async function rawEdit(dir: string, edit: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const { Level } = await import("level");
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" }) as unknown as ClassicLevel<Uint8Array, Uint8Array>;
  await db.open();
  await edit(db);
  await db.close();
}

t.test("damage is detected at open with a typed error", async (t) => {
  t.test("a meta record that fails its checksum", async (t) => {
    const { dir } = await damagedStore(t);
    await rawEdit(dir, async (db) => {
      const meta = (await db.get(META_KEY))!;
      const bad = Uint8Array.from(meta);
      bad[10]! ^= 0x01;
      await db.put(META_KEY, bad);
    });
    const err = await rejection(Store.open(dir));
    t.equal(err.code, "STORE_CORRUPTED");
    t.match(err.message, /meta record/);
  });
  t.test("a meta record of another format version", async (t) => {
    const { dir } = await damagedStore(t);
    await rawEdit(dir, async (db) => {
      const meta = decodeMeta((await db.get(META_KEY))!);
      await db.put(META_KEY, encodeMeta({ ...meta, format: 99 }));
    });
    const err = await rejection(Store.open(dir));
    t.equal(err.code, "STORE_FORMAT");
    t.same(err.detail, { found: 99, supported: 1 });
  });
  t.test("a meta record pointing past the last block", async (t) => {
    const { dir, head } = await damagedStore(t);
    await rawEdit(dir, async (db) => {
      const meta = decodeMeta((await db.get(META_KEY))!);
      await db.put(META_KEY, encodeMeta({ ...meta, height: head + 1n }));
    });
    t.match(await rejection(Store.open(dir)), { code: "STORE_CORRUPTED", message: /missing/ });
  });
  t.test("a block whose header was lost", async (t) => {
    const { dir, head } = await damagedStore(t);
    await rawEdit(dir, async (db) => {
      const k = new Uint8Array(9);
      k[0] = Bucket.blockHeader;
      new DataView(k.buffer).setBigUint64(1, head - 1n);
      await db.del(k);
    });
    t.match(await rejection(Store.open(dir)), { code: "STORE_CORRUPTED" });
  });
  t.test("a state tree bucket hash that changed", async (t) => {
    const { dir } = await damagedStore(t);
    await rawEdit(dir, async (db) => {
      for await (const [k, v] of db.iterator({ gte: Uint8Array.of(Bucket.stateTreeBucketHash), lt: Uint8Array.of(Bucket.stateTreeBucketHash + 1), limit: 1 })) {
        const bad = Uint8Array.from(v);
        bad[0]! ^= 0x80;
        await db.put(k, bad);
      }
    });
    t.match(await rejection(Store.open(dir)), { code: "STORE_CORRUPTED", message: /state root/ });
  });
  t.test("garbage in LevelDB's CURRENT file", async (t) => {
    const { dir } = await damagedStore(t);
    writeFileSync(join(dir, "CURRENT"), "MANIFEST-garbage\n");
    t.match(await rejection(Store.open(dir)), { code: "STORE_CORRUPTED" });
  });
  t.test("a truncated LevelDB table file", async (t) => {
    const { dir } = await damagedStore(t);
    // Push everything into table files first, then cut one short.
    await rawEdit(dir, (db) => db.compactRange(Uint8Array.of(0), Uint8Array.of(0xff)));
    const tables = readdirSync(dir).filter((f) => f.endsWith(".ldb"));
    t.ok(tables.length > 0, "the store has table files");
    const victim = join(dir, tables[0]!);
    truncateSync(victim, Math.floor(statSync(victim).size / 2));
    const err = await rejection(Store.open(dir));
    t.equal(err.code, "STORE_CORRUPTED", err.message);
  });
  t.test("data without a meta record", async (t) => {
    const { dir } = await damagedStore(t);
    await rawEdit(dir, (db) => db.del(META_KEY));
    t.match(await rejection(Store.open(dir)), { code: "STORE_CORRUPTED", message: /no meta record/ });
  });
  t.test("a state record changed behind the store's back is refused when read, and by verify", async (t) => {
    const { dir } = await damagedStore(t);
    const key = KEY.party("bank-0");
    await rawEdit(dir, async (db) => {
      const k = concatBytes(Uint8Array.of(Bucket.state), utf8(key));
      const v = Uint8Array.from((await db.get(k))!);
      v[v.length - 1]! ^= 1;
      await db.put(k, v);
    });
    const store = await Store.open(dir); // the quick checks at open do not read every record
    t.teardown(() => store.close());
    const chain = await Chain.open(store, genesis());
    const query = new LedgerQuery(store, chain, nodeCrypto);
    await t.rejects(query.getParty("bank-0"), { code: "STORE_CORRUPTED", message: /does not match the state root/ });
    await t.rejects(query.proveState("party", "bank-0"), { code: "STORE_CORRUPTED" });
    await t.rejects(chain.verify(), { code: "STORE_CORRUPTED" });
    // A block that needs the damaged record halts before anything is written.
    const bank = party("bank-0");
    const height = chain.height;
    const time = chain.headTime + 1000n;
    const anchor = tx(bank, { type: "anchorDocument", documentHash: sha256("x"), documentType: "PACKING_LIST", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }, time);
    await t.rejects(chain.executeBlock({ height: height + 1n, time, proposer: "v", view: 0n, txs: [anchor] }), { code: "STORE_CORRUPTED" });
    t.equal(chain.height, height, "nothing was committed");
  });

  t.test("a state record added behind the store's back is not state: reads follow the tree, verify refuses it", async (t) => {
    const { dir } = await damagedStore(t);
    const bank = party("bank-0");
    const stray = decode("Party", encode("Party", { ...bank.party, id: "intruder" }));
    await rawEdit(dir, async (db) => {
      await db.put(concatBytes(Uint8Array.of(Bucket.state), utf8(KEY.party("intruder"))), encode("Party", stray));
    });
    const store = await Store.open(dir);
    t.teardown(() => store.close());
    const chain = await Chain.open(store, genesis());
    const query = new LedgerQuery(store, chain, nodeCrypto);
    // Its bucket (verified against the tree) does not list the key: absent, without reading it.
    t.equal(await query.getParty("intruder"), undefined, "the committed state has no such party");
    const proof = await query.proveState("party", "intruder");
    t.equal(proof.value, undefined, "and its proof is one of absence");
    await t.rejects(chain.verify(), { code: "STORE_CORRUPTED" }, "verify reads every record and finds it");
  });
});

t.test("preloaded state (bench --preload) is committed like any other state", async (t) => {
  const store = await Store.open(tempDir(t, "preload"), { sync: false });
  t.teardown(() => store.close());
  const chain = await Chain.open(store, genesis(6));
  const writes = new Map<string, Uint8Array>();
  for (let i = 0; i < 500; i++) writes.set(`b/${toHex(sha256(`bl ${i}`))}`, utf8("exporter-0"));
  const root = await store.loadState(writes, { batchRecords: 64 });
  t.same(chain.stateRoot, root);
  t.equal((await chain.verify()).stateRecords, 500 + 2 * parties.length);
  const p = await new LedgerQuery(store, chain, nodeCrypto).proveState("billOfLading", toHex(sha256("bl 7")));
  t.ok(verifyStateProof(root, p.key, utf8("exporter-0"), p.proof));
  await chain.executeBlock({ height: 1n, time: WORKLOAD_T0, proposer: "v", view: 0n, txs: [] });
  await t.rejects(store.loadState(new Map([["b/x", utf8("y")]])), { code: "STORE_BAD_REQUEST" }, "only before the first block");
});

t.test("block 1 may not precede the genesis time", async (t) => {
  const store = await Store.open(tempDir(t, "genesis-time"), { sync: false });
  t.teardown(() => store.close());
  const chain = await Chain.open(store, { ...genesis(6), genesisTime: WORKLOAD_T0 });
  t.equal(chain.headTime, WORKLOAD_T0);
  await t.rejects(chain.executeBlock({ height: 1n, time: WORKLOAD_T0 - 1n, proposer: "v", view: 0n, txs: [] }), { code: "BLOCK_INVALID" });
  const empty = await chain.executeBlock({ height: 1n, time: WORKLOAD_T0, proposer: "v", view: 0n, txs: [] });
  t.equal(empty.header.txCount, 0, "an empty block commits");
  t.same(empty.header.txsRoot, nodeCrypto.sha256(new Uint8Array(0)), "with the RFC 6962 empty root");
});

t.test("a bulk load refuses keys that exist", async (t) => {
  const store = await Store.open(tempDir(t, "preload-dupe"), { sync: false });
  t.teardown(() => store.close());
  await Chain.open(store, genesis(6));
  await t.rejects(store.loadState(new Map([[KEY.party("bank-0"), utf8("another bank")]])), { code: "STORE_BAD_REQUEST" });
});

t.test("committed-transaction filter: never a false 'no', exact answers through the store", async (t) => {
  const { CommittedTxFilter } = await import("../node/store/tx-filter.js");
  t.throws(() => new CommittedTxFilter(9), RangeError);
  t.throws(() => new CommittedTxFilter(20, 9), RangeError);
  const f = new CommittedTxFilter(16, 7);
  const added = Array.from({ length: 2000 }, (_, i) => sha256(`committed ${i}`));
  for (const h of added) f.add(h);
  t.equal(f.mayContain(sha256("never")), true, "not ready: every answer is 'maybe'");
  f.markReady();
  t.equal(f.count, 2000);
  t.ok(added.every((h) => f.mayContain(h)), "every added hash may be contained");
  let falsePositives = 0;
  for (let i = 0; i < 10_000; i++) if (f.mayContain(sha256(`absent ${i}`))) falsePositives++;
  t.ok(falsePositives < 100, `${falsePositives} false positives in 10,000 at 2,000 entries in 2^16 bits`);
  t.equal(f.mayContain(Uint8Array.of(1, 2, 3)), true, "a short key is never ruled out");

  // Through the store: the scan at reopen fills the filter, and answers stay exact.
  const built = await buildChain(t, 8, 2);
  const committed: Uint8Array[] = [];
  for (let h = 1n; h <= built.chain.height; h++) {
    const blk = await built.query.getBlock(h);
    for (const bytes of blk!.txs) committed.push(decodeTx(nodeCrypto, bytes).hash);
  }
  t.ok(committed.length > 5);
  await built.store.close();
  const store = await Store.open(built.dir);
  t.teardown(() => store.close());
  for (let i = 0; i < 200 && !store.committedTxs.ready; i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(store.committedTxs.ready, "the scan at open finished");
  const absent = [sha256("absent a"), sha256("absent b")];
  const among = await store.blocks.committedAmong([...committed, ...absent]);
  const takenByBlocks = await Promise.all(committed.map((h) => store.blocks.txLocation(h)));
  t.equal(store.committedTxs.count, new Set(committed.filter((_, i) => takenByBlocks[i]).map((h) => toHex(h))).size, "one filter entry per hash taken by a block");
  t.same(among.slice(0, committed.length), takenByBlocks.map((l) => l !== undefined), "committedAmong agrees with txLocation");
  t.same(among.slice(committed.length), [false, false]);
  t.ok(takenByBlocks.filter(Boolean).length >= committed.length - 1, "committed transactions are found");
  t.equal(store.blocks.committedSync(absent[0]!), false);
  t.equal(store.blocks.committedSync(committed[0]!), true);
});

// ---- digital warrants: conservation checked over the stored state ------------------------------------

t.test("verify checks warrant conservation and credit lines over the stored records", async (t) => {
  const { pieceIdOf } = await import("../sdk/transactions/index.js");
  const { decodePiece, encodePiece } = await import("../node/ledger/records.js");
  const store = await Store.open(tempDir(t, "warrants"), { sync: false });
  t.teardown(() => store.close());
  const chain = await Chain.open(store, genesis(6));
  let time = WORKLOAD_T0;
  const run = async (...txs: Tx[]) => {
    time += 60_000n;
    const out = await chain.executeBlock({ height: chain.height + 1n, time, proposer: "v", view: 0n, txs });
    t.same(out.receipts.map((r) => r.code), txs.map(() => "OK"), out.receipts.map((r) => r.message).join(" "));
  };
  const core = party("exporter-0");
  const tier1 = party("exporter-1");
  const tier2 = party("exporter-2");
  const bank = party("bank-0");
  const invoice = (seller: WorkloadParty, buyer: WorkloadParty, n: number): Tx =>
    tx(
      seller,
      {
        type: "registerReceivable",
        documentHash: sha256(`warrant doc ${n}`),
        fingerprint: sha256(`warrant fp ${n}`),
        buyerId: `${buyer.id}-erp`,
        buyerPartyId: buyer.id,
        amount: 10_000_000n,
        currency: "USD",
        issueDate: isoDate(WORKLOAD_T0),
        dueDate: isoDate(WORKLOAD_T0 + 60n * DAY_MS),
      },
      time,
    );
  const inv1 = invoice(tier1, core, 1);
  const inv2 = invoice(tier2, tier1, 2);
  await run(tx(bank, { type: "grantCreditLine", lineId: "line-1", obligor: core.id, currency: "USD", limit: 50_000_000n, expiryDate: isoDate(WORKLOAD_T0 + 400n * DAY_MS) }, time), inv1, inv2);
  const issue = tx(core, { type: "issueWarrant", lineId: "line-1", holder: tier1.id, amount: 10_000_000n, currency: "USD", maturityDate: isoDate(WORKLOAD_T0 + 90n * DAY_MS), sources: [inv1.hashHex] }, time);
  await run(issue);
  const w = issue.hashHex;
  // tier1 passes 6,000,000 on to tier2 and keeps the remainder; tier2 sells its piece to the bank and is paid
  const split = tx(tier1, { type: "transferWarrant", pieceId: w, outputs: [{ to: tier2.id, amount: 6_000_000n, tradeRef: inv2.hashHex }] }, time);
  const toTier2 = pieceIdOf(split.hashHex, 0);
  const remainder = pieceIdOf(split.hashHex, 1);
  await run(split, tx(tier2, { type: "offerWarrant", pieceId: toTier2, bank: bank.id }, time));
  await run(tx(bank, { type: "financeWarrant", pieceId: toTier2, advance: 5_900_000n }, time), tx(tier1, { type: "confirmWarrantPayment", pieceId: remainder }, time));

  const report = await chain.verify();
  t.match(report, { creditLines: 1, warrants: 1, pieces: 3 }, "a store with a warrant tree passes");

  // A piece record changed around the ledger (a tool or a buggy rule writing state directly): the
  // state tree is consistent with it, so only the conservation check can see it.
  const key = KEY.piece(toTier2);
  await rewriteRecord(store, chain, time + 60_000n, key, (bytes) => encodePiece({ ...decodePiece(bytes), amount: decodePiece(bytes).amount + 1n }));
  const err = await rejection(chain.verify());
  t.equal(err.code, "STORE_CORRUPTED");
  t.match(err.message, new RegExp(`spent piece ${w} of 10000000 has children summing to 10000001`));
  t.match(err.detail, { warrant: w, piece: w });
});

t.test("the warrant conservation check names each kind of broken record", async (t) => {
  const { verifyWarrants, WarrantRecords } = await import("../node/store/verify.js");
  const { encodeCreditLine, encodePiece, encodeWarrant } = await import("../node/ledger/records.js");
  const line = { id: "line-1", bankId: "bank-0", obligorId: "exporter-0", currency: "USD", limit: 1_000n, expiryDate: "2027-12-31", outstanding: 600n, grantedAt: 0n, updatedAt: 0n, warrants: 1 };
  const warrant = { id: "w", lineId: "line-1", obligorId: "exporter-0", bankId: "bank-0", holderId: "exporter-1", amount: 1_000n, currency: "USD", maturityDate: "2027-03-31", sources: [], settled: 400n, status: "ISSUED" as const, issuedAt: 0n, updatedAt: 0n, writtenOff: 0n };
  const base = { warrantId: "w", offeredTo: "", financedBy: "", advance: 0n, tradeRef: "", obligorId: "exporter-0", currency: "USD", maturityDate: "2027-03-31", createdAt: 0n, updatedAt: 0n, soldBy: "", dueDate: "", extensionDueDate: "", extensions: 0, writtenOff: 0n };
  const root = { ...base, id: "w", parentId: "", holderId: "exporter-1", amount: 1_000n, depth: 0, status: "SPENT" as const, children: ["a", "b"] };
  const a = { ...base, id: "a", parentId: "w", holderId: "exporter-2", amount: 600n, depth: 1, status: "HELD" as const, children: [] };
  const b = { ...base, id: "b", parentId: "w", holderId: "exporter-1", amount: 400n, depth: 1, status: "SETTLED" as const, children: [] };
  const check = (edit: { line?: object; warrant?: object; pieces?: object[] } = {}) => {
    const records = new WarrantRecords();
    records.add(KEY.creditLine("line-1"), encodeCreditLine({ ...line, ...edit.line }));
    records.add(KEY.warrant("w"), encodeWarrant({ ...warrant, ...edit.warrant }));
    for (const p of edit.pieces ?? [root, a, b]) records.add(KEY.piece((p as { id: string }).id), encodePiece(p as typeof a));
    try {
      verifyWarrants(records);
      return "";
    } catch (err) {
      t.equal((err as StoreError).code, "STORE_CORRUPTED");
      return (err as Error).message;
    }
  };
  t.equal(check(), "", "a consistent tree and line pass");
  t.match(check({ warrant: { amount: 1_001n } }), /live pieces sum to 1000, its face value is 1001/);
  t.match(check({ warrant: { settled: 0n } }), /settled 0, its paid pieces sum to 400/);
  t.match(check({ warrant: { status: "SETTLED" } }), /SETTLED with 400 of 1000 paid/);
  // a written-off piece (DEFAULTED): a live leaf, the warrant DEFAULTED, the line still owing it
  const defaulted = { ...b, status: "DEFAULTED" as const, writtenOff: 400n };
  t.equal(check({ pieces: [root, a, defaulted], warrant: { settled: 0n, writtenOff: 400n, status: "DEFAULTED" }, line: { outstanding: 1_000n } }), "", "a written-off piece passes");
  t.match(check({ pieces: [root, a, defaulted], warrant: { settled: 0n, status: "DEFAULTED" }, line: { outstanding: 1_000n } }), /written off 0, its DEFAULTED pieces sum to 400/);
  t.match(check({ pieces: [root, a, defaulted], warrant: { settled: 0n, writtenOff: 400n }, line: { outstanding: 1_000n } }), /is ISSUED with 0 of 1000 paid and 400 written off/);
  t.match(check({ pieces: [root, a, { ...defaulted, writtenOff: 300n }], warrant: { settled: 0n, writtenOff: 400n, status: "DEFAULTED" }, line: { outstanding: 1_000n } }), /DEFAULTED piece b of 400 has 300 written off/);
  t.match(check({ line: { outstanding: 500n } }), /outstanding 500, its warrants still owe 600/);
  t.match(check({ line: { limit: 599n } }), /above its limit/);
  t.match(check({ line: { warrants: 2 } }), /counts 2 warrants, 1 name it/);
  t.match(check({ pieces: [root, a, { ...b, amount: 401n }] }), /children summing to 1001/);
  t.match(check({ pieces: [root, a, { ...b, parentId: "a" }] }), /names parent a/);
  t.match(check({ pieces: [{ ...root, children: ["a", "a"] }, { ...a, amount: 500n }] }), /piece a is reached twice/);
  t.match(check({ pieces: [root, a, b, { ...a, id: "c" }] }), /piece c is in no warrant's tree/);
  t.match(check({ pieces: [root, a] }), /names missing child b/);
  t.match(check({ pieces: [{ ...root, status: "HELD" }, a, b] }), /HELD piece w has children/);
  const records = new WarrantRecords();
  t.throws(() => records.add(KEY.piece("x"), encodePiece(a)), { code: "STORE_CORRUPTED", message: /holds a/ });
});

// ---- title documents and pledges: the lot invariant and the title indexes over the stored state ------

t.test("verify checks the lot invariant and the title indexes over the stored records", async (t) => {
  const { makeParty } = await import("./fixtures/ledger-workload.js");
  const { decodeTitle, encodeTitle } = await import("../node/ledger/records.js");
  const { titleIndexKeys } = await import("../node/store/indexes.js");
  const custodian = makeParty(nodeCrypto, "custodian-0", "CUSTODIAN");
  const store = await Store.open(tempDir(t, "titles"), { sync: false });
  t.teardown(() => store.close());
  const chain = await Chain.open(store, { ...genesis(6), parties: [...parties.map((p) => p.party), custodian.party] });
  let time = WORKLOAD_T0;
  const run = async (expect: string[], ...txs: Tx[]) => {
    time += 60_000n;
    const out = await chain.executeBlock({ height: chain.height + 1n, time, proposer: "v", view: 0n, txs });
    t.same(out.receipts.map((r) => r.code), expect, out.receipts.map((r) => r.message).join(" "));
  };
  const holder = party("exporter-0");
  const other = party("exporter-1");
  const bank = party("bank-0");
  const goods = { hsCode: "740311", descriptionHash: sha256("copper cathodes"), unit: "TNE" };
  const issue = (n: number, quantity: bigint, to: WorkloadParty) =>
    tx(custodian, { type: "issueTitle", kind: "WAREHOUSE_RECEIPT", fingerprint: sha256(`receipt ${n}`), lotId: "lot-1", quantity, holder: to.id }, time);
  await run(["OK", "OK"], tx(custodian, { type: "attestStock", lotId: "lot-1", goods, quantity: 300n }, time), tx(custodian, { type: "attestStock", lotId: "lot-2", goods, quantity: 10n }, time));
  const a = issue(1, 100n, holder);
  const b = issue(2, 150n, other);
  const c = issue(3, 50n, holder);
  await run(["OK", "OK", "DUPLICATE_TITLE", "OK", "EXCEEDS_STOCK"], a, b, issue(1, 1n, other), c, issue(4, 1n, other));
  const expiryDate = isoDate(WORKLOAD_T0 + 90n * DAY_MS);
  await run(
    ["OK", "OK", "OK", "NOT_HOLDER"],
    tx(holder, { type: "offerPledge", titleId: a.hashHex, bank: bank.id, securedAmount: 1_000_000n, currency: "USD", expiryDate }, time),
    tx(holder, { type: "offerPledge", titleId: c.hashHex, bank: bank.id, securedAmount: 500_000n, currency: "USD", expiryDate }, time),
    tx(other, { type: "transferTitle", titleId: b.hashHex, to: holder.id }, time),
    tx(other, { type: "offerPledge", titleId: a.hashHex, bank: bank.id, securedAmount: 1n, currency: "USD", expiryDate }, time),
  );
  await run(["OK", "OK", "OK"], tx(bank, { type: "acceptPledge", titleId: a.hashHex }, time), tx(holder, { type: "releasePledge", titleId: c.hashHex }, time), tx(custodian, { type: "surrenderTitle", titleId: b.hashHex }, time));

  const report = await chain.verify();
  t.match(report, { lots: 2, titles: 3 }, "a store with lots, titles, pledges, a transfer and a surrender passes");
  const query = new LedgerQuery(store, chain, nodeCrypto);
  t.same(
    (await query.listTitles(holder.id)).items.map((x) => x.id).sort(),
    [a.hashHex, c.hashHex].sort(),
    "the holder index moved with the transfer and the surrender",
  );
  t.same(
    (await query.titlesPledgedTo(bank.id)).items.map((x) => [x.id, x.status]),
    [[a.hashHex, "PLEDGED"]],
  );
  t.same(
    (await query.titlesOfLot("lot-1")).items.map((x) => x.id),
    [a.hashHex, b.hashHex, c.hashHex],
  );
  t.same(
    (await query.lotsByCustodian(custodian.id)).items.map((l) => l.id),
    ["lot-1", "lot-2"],
  );
  t.same(
    (await query.getTitle(a.hashHex))!.pledges.map((p) => [p.bankId, p.securedAmount, p.outcome]),
    [[bank.id, 1_000_000n, "PLEDGED"]],
  );

  // A stray index entry (a title listed for a party that does not hold it) is caught as extra.
  const stray = titleIndexKeys.titleHolder(other.id).str("lot-1").str(a.hashHex).done();
  await store.level.put(stray, new Uint8Array(0));
  t.match(await rejection(chain.verify()), { code: "STORE_CORRUPTED", message: /index entry in idxTitleHolder matches no block or record/ });
  await store.level.del(stray);
  t.match(await chain.verify(), { titles: 3 });

  // A title record changed around the ledger: the state tree agrees with it, so only the lot
  // invariant can see it.
  const key = KEY.title(a.hashHex);
  await rewriteRecord(store, chain, time + 60_000n, key, (bytes) => encodeTitle({ ...decodeTitle(bytes), quantity: decodeTitle(bytes).quantity + 1n }));
  const err = await rejection(chain.verify());
  t.equal(err.code, "STORE_CORRUPTED");
  t.match(err.message, /lot lot-1: its live titles sum to 151, it records 150 titled/);
  t.match(err.detail, { lot: "lot-1" });
});

t.test("the lot invariant check names each kind of broken record", async (t) => {
  const { verifyTitles, TitleRecords } = await import("../node/store/verify.js");
  const { encodeLot, encodeTitle } = await import("../node/ledger/records.js");
  const goods = { hsCode: "740311", descriptionHash: new Uint8Array(32).fill(7), unit: "TNE" };
  const lot = { id: "lot-1", custodianId: "custodian-0", goods, quantity: 300n, titled: 250n, titles: 3, attestedAt: 0n, updatedAt: 0n };
  const fp = (n: number) => new Uint8Array(32).fill(n);
  const base = { kind: "WAREHOUSE_RECEIPT" as const, lotId: "lot-1", custodianId: "custodian-0", holderId: "exporter-0", firstHolderId: "exporter-0", pledges: 0, issuedAt: 0n, updatedAt: 0n, pledge: undefined };
  const pledge = { bankId: "bank-0", securedAmount: 100n, currency: "USD", expiryDate: "2027-03-31", offeredAt: 1n, acceptedAt: 2n };
  const a = { ...base, id: "a", fingerprint: fp(1), quantity: 100n, status: "PLEDGED" as const, pledge, pledges: 1 };
  const b = { ...base, id: "b", fingerprint: fp(2), quantity: 150n, status: "HELD" as const };
  const c = { ...base, id: "c", fingerprint: fp(3), quantity: 40n, status: "SURRENDERED" as const };
  const check = (edit: { lot?: object; titles?: object[]; fingerprints?: Record<string, string>; bankRole?: "BANK" | "ENTERPRISE" } = {}) => {
    const records = new TitleRecords();
    records.add(KEY.party("bank-0"), encode("Party", { ...party("bank-0").party, role: edit.bankRole ?? "BANK" }));
    records.add(KEY.lot("lot-1"), encodeLot({ ...lot, ...edit.lot }));
    for (const x of edit.titles ?? [a, b, c]) records.add(KEY.title((x as { id: string }).id), encodeTitle(x as typeof a));
    const fps = edit.fingerprints ?? { [toHex(fp(1))]: "a", [toHex(fp(2))]: "b" };
    for (const [k, id] of Object.entries(fps)) records.add(KEY.titleFingerprint(k), utf8(id));
    try {
      verifyTitles(records);
      return "";
    } catch (err) {
      t.equal((err as StoreError).code, "STORE_CORRUPTED");
      return (err as Error).message;
    }
  };
  t.equal(check(), "", "a consistent lot and its titles pass");
  t.match(check({ lot: { titled: 240n } }), /lot lot-1: its live titles sum to 250, it records 240 titled/);
  t.match(check({ lot: { quantity: 249n } }), /250 under live titles, above the 249 attested/);
  t.match(check({ lot: { titles: 2 } }), /counts 2 titles, 3 name it/);
  t.match(check({ titles: [a, b, { ...c, lotId: "lot-9" }] }), /title c names missing lot lot-9/);
  t.match(check({ titles: [a, b, { ...c, custodianId: "custodian-1" }] }), /issued by custodian-1, its lot lot-1 is custodian-0's/);
  t.match(check({ titles: [a, { ...b, pledge }, c] }), /HELD title b has a pledge to bank-0/);
  t.match(check({ titles: [a, b, { ...c, pledge }] }), /SURRENDERED title c has a pledge/);
  t.match(check({ titles: [{ ...a, pledge: undefined }, b, c] }), /PLEDGED title a has no pledge/);
  t.match(check({ titles: [{ ...a, pledge: { ...pledge, acceptedAt: 0n } }, b, c] }), /PLEDGED title a has a pledge not accepted/);
  t.match(check({ titles: [{ ...a, status: "PLEDGE_OFFERED" }, b, c] }), /PLEDGE_OFFERED title a has a pledge accepted/);
  t.match(check({ bankRole: "ENTERPRISE" }), /pledged? .*to bank-0, which is not a registered BANK|PLEDGED to bank-0, which is not a registered BANK/);
  t.match(check({ fingerprints: { [toHex(fp(1))]: "a" } }), /live title b does not hold its fingerprint/);
  t.match(check({ fingerprints: { [toHex(fp(1))]: "a", [toHex(fp(2))]: "b", [toHex(fp(3))]: "c" } }), /u\/0303.* names c, which is not a live title/);
  t.match(check({ fingerprints: { [toHex(fp(1))]: "b", [toHex(fp(2))]: "b" } }), /live title a does not hold its fingerprint/);
  t.match(check({ titles: [a, { ...b, fingerprint: fp(1) }, c] }), /live titles a and b carry one fingerprint/);
  t.match(check({ titles: [a, { ...b, quantity: 0n }, c], lot: { titled: 100n } }), /title b has quantity 0/);
  const records = new TitleRecords();
  t.throws(() => records.add(KEY.title("x"), encodeTitle(b)), { code: "STORE_CORRUPTED", message: /holds b/ });
  t.throws(() => records.add(KEY.lot("x"), new Uint8Array([0xff, 0xff])), { code: "STORE_CORRUPTED", message: /does not decode/ });
});

/**
 * Rewrites one state record around the ledger, in an empty block whose header commits to the
 * resulting state root: a store that is consistent at the storage level but whose records break a
 * ledger invariant (what verifyStore's record checks must catch).
 */
async function rewriteRecord(store: Store, chain: Chain, time: bigint, key: string, change: (bytes: Uint8Array) => Uint8Array): Promise<void> {
  const reads = store.state.begin();
  await store.state.prefetch(reads, [key]);
  const height = chain.height + 1n;
  await store.commitBlock({
    height,
    reads,
    writes: new Map([[key, change(reads.values.get(key)!)]]),
    txs: [],
    receipts: [],
    receiptBytes: [],
    takesHash: [],
    buildHeader: (stateRoot) => {
      const header: BlockHeader = { chainId: WORKLOAD_CHAIN_ID, height, prevHash: chain.headHash, time, proposer: "", txsRoot: rfc6962Root([]), receiptsRoot: rfc6962Root([]), stateRoot, txCount: 0, view: 0n };
      return { header, headerBytes: encode("BlockHeader", header) };
    },
  });
}

t.test("verify counts the index of attested financials (it named every entry missing before)", async (t) => {
  const store = await Store.open(tempDir(t, "financials"), { sync: false });
  t.teardown(() => store.close());
  const chain = await Chain.open(store, genesis(6));
  const payload = {
    type: "attestFinancials",
    partyId: "exporter-0",
    periodStart: "2025-01-01",
    periodEnd: "2025-12-31",
    currency: "USD",
    figures: [{ name: "revenue", amount: 125_000_000n }],
    documentHash: sha256("financials exporter-0"),
  } as TxPayload;
  const out = await chain.executeBlock({ height: 1n, time: WORKLOAD_T0 + 60_000n, proposer: "v", view: 0n, txs: [tx(party("bank-0"), payload, WORKLOAD_T0 + 60_000n)] });
  t.equal(out.receipts[0]!.code, "OK", out.receipts[0]!.message);
  const report = await chain.verify();
  t.equal(report.height, 1n, "verifyStore passes");
  t.ok(report.indexEntries >= 1, "the financials index entry is among those checked");
});
