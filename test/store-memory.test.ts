// What the store may hold in memory (docs/performance.md "Memory at scale"): the record and bucket
// caches stay under their byte bounds however many records pass through them, the state tree is
// rebuilt at open from the stored bucket hashes streamed one by one, LevelDB's open-table bound
// does not change an answer, and after a restart duplicate transactions are still refused exactly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { Chain, type ChainGenesis } from "../node/chain/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { LedgerQuery } from "../node/query/query.js";
import { Lru } from "../node/store/lru.js";
import { recordCacheEntryBytes } from "../node/store/state.js";
import { StateTree } from "../node/store/state-tree.js";
import { DEFAULT_STORE_OPTIONS, Store } from "../node/store/store.js";
import { nodeConfigSchema } from "../config/schema.js";
import type { Tx } from "../sdk/tx.js";
import { WORKLOAD_CHAIN_ID, WORKLOAD_T0, Workload, makeParties, prng, sha256 } from "./fixtures/ledger-workload.js";

const parties = makeParties(nodeCrypto, { banks: 2, exporters: 4 });
const genesis = (depth = 10): ChainGenesis => ({ chainId: WORKLOAD_CHAIN_ID, parties: parties.map((p) => p.party), stateTreeDepth: depth });

function tempDir(t: Test, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tradeledger-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test("Lru: the byte bound counts keys as well as values", async (t) => {
  const c = new Lru<string, Uint8Array | null>(Infinity, 1000, recordCacheEntryBytes);
  for (let i = 0; i < 500; i++) c.set(`r/${"k".repeat(100)}${i}`, i % 3 === 0 ? null : new Uint8Array(50));
  t.ok(c.byteSize <= 1000, `${c.byteSize} bytes held, bound 1000`);
  t.ok(c.size >= 2, "it still caches");
  t.equal(recordCacheEntryBytes(null, "abc"), 3 + 64, "an absent record costs its key and a slot");
  t.equal(recordCacheEntryBytes(new Uint8Array(10), "abc"), 3 + 64 + 10 + 160);
});

t.test("the record and bucket caches stay under their byte bounds through many blocks, and change no block", async (t) => {
  const bounded = await Store.open(tempDir(t, "bounded"), { sync: false, recordCacheBytes: 48 * 1024, bucketCacheBytes: 24 * 1024, maxOpenFiles: 74, cacheBytes: 0 });
  const plain = await Store.open(tempDir(t, "plain"), { sync: false });
  t.teardown(async () => {
    await bounded.close();
    await plain.close();
  });
  const cb = await Chain.open(bounded, genesis());
  const cp = await Chain.open(plain, genesis());
  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 5, fraudRate: 0.1 });
  let time = WORKLOAD_T0;
  let maxRecordBytes = 0;
  let maxBucketBytes = 0;
  for (let h = 1n; h <= 16n; h++) {
    time += 1000n;
    const txs = workload.block(60, time);
    const rp = await cp.executeBlock({ height: h, time, proposer: "v", view: 0n, txs });
    const rb = await cb.executeBlock({ height: h, time, proposer: "v", view: 0n, txs, expectedHash: rp.hash });
    t.same(rb.hash, rp.hash);
    workload.observe(txs, rp.receipts);
    const m = bounded.memory();
    maxRecordBytes = Math.max(maxRecordBytes, m.recordCacheBytes);
    maxBucketBytes = Math.max(maxBucketBytes, m.bucketCacheBytes);
  }
  t.equal(workload.counts.unexpected, 0, "every receipt as the workload expected");
  const m = bounded.memory();
  t.ok(maxRecordBytes <= 48 * 1024, `record cache peaked at ${maxRecordBytes} bytes (bound 48 KiB)`);
  t.ok(maxBucketBytes <= 24 * 1024, `bucket cache peaked at ${maxBucketBytes} bytes (bound 24 KiB)`);
  t.ok(m.recordCacheEntries > 0, "records are still cached");
  const unbounded = plain.memory();
  t.ok(unbounded.recordCacheBytes > 48 * 1024, `the default-sized cache holds more (${unbounded.recordCacheBytes} bytes): the bound is what held the other`);
  t.equal(m.txFilterBytes, 8 * 1024 * 1024, "the committed-transaction filter has a fixed size");
  t.equal(m.treeBytes, unbounded.treeBytes);
  t.ok(m.treeBytes >= 2 ** 10 * 32, "the tree holds every bucket hash");
  t.ok(Number.isFinite(m.leveldbBytes) && m.leveldbBytes > 0, "LevelDB reports its memory");
});

t.test("the state tree streamed bucket by bucket equals the tree built by updates, in any order", async (t) => {
  const depth = 9;
  const rand = prng(3);
  const byUpdate = StateTree.empty(depth);
  const hashes = new Map<number, Uint8Array>();
  for (let i = 0; i < 300; i++) hashes.set(Math.floor(rand() * 2 ** depth), sha256(`bucket ${i}`));
  byUpdate.update(hashes);
  const entries = [...hashes];
  entries.sort(() => rand() - 0.5);
  const loader = StateTree.loader(depth);
  for (const [b, h] of entries) loader.set(b, h);
  t.same(loader.finish().root, byUpdate.root);
  t.same(StateTree.loader(depth).finish().root, StateTree.empty(depth).root, "no buckets: the empty tree");
  t.throws(() => StateTree.loader(depth).set(2 ** depth, sha256("x")), RangeError);
  t.throws(() => StateTree.loader(depth).set(0, new Uint8Array(31)), RangeError);
});

t.test("restart with a small LevelDB footprint: the tree checks out and duplicates are still refused exactly", async (t) => {
  const dir = tempDir(t, "restart");
  // small memtables: the ledger spreads over many table files, more than the open-file bound
  let store = await Store.open(dir, { sync: false, writeBufferBytes: 1024 * 1024 });
  let chain = await Chain.open(store, genesis(12));
  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 9, fraudRate: 0.05 });
  let time = WORKLOAD_T0;
  const committed: Tx[] = [];
  let h = 0n;
  for (; h < 24n; ) {
    h++;
    time += 1000n;
    const txs = workload.block(100, time);
    const r = await chain.executeBlock({ height: h, time, proposer: "v", view: 0n, txs });
    workload.observe(txs, r.receipts);
    txs.forEach((tx, i) => {
      if (r.receipts[i]!.code !== "DUPLICATE_TX") committed.push(tx);
    });
  }
  t.equal(workload.counts.unexpected, 0);
  const root = chain.stateRoot;
  await store.close();

  store = await Store.open(dir, { sync: false, maxOpenFiles: 74, cacheBytes: 0, recordCacheBytes: 0, bucketCacheBytes: 0 });
  t.teardown(() => store.close());
  chain = await Chain.open(store, genesis(12));
  t.same(chain.stateRoot, root, "the tree rebuilt at open hashes to the head's state root");
  for (let i = 0; i < 500 && !store.committedTxs.ready; i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(store.committedTxs.ready, "the committed-transaction scan finished");
  const query = new LedgerQuery(store, chain, nodeCrypto);
  const taken = await Promise.all(committed.map((tx) => query.hasCommittedTx(tx.hash)));
  t.equal(taken.filter((x) => !x).length, 0, `all ${committed.length} committed transactions are found after the restart`);
  const fresh = Array.from({ length: 50 }, (_, i) => sha256(`never committed ${i}`));
  t.same(await Promise.all(fresh.map((x) => query.hasCommittedTx(x))), fresh.map(() => false), "no hash is taken that was not");

  // Replays of committed transactions, old and recent, in one block: each refused as a duplicate.
  const replays = [...committed.slice(0, 40), ...committed.slice(-40)];
  time += 1000n;
  h++;
  const r = await chain.executeBlock({ height: h, time, proposer: "v", view: 0n, txs: replays });
  t.same(new Set(r.receipts.map((x) => x.code)), new Set(["DUPLICATE_TX"]), "every replay is DUPLICATE_TX");
  t.equal((await chain.verify()).height, h, "verifyStore passes over the whole store");
});

t.test("the signature cache keeps its own copy of a signature, and at most its capacity", async (t) => {
  const workload = new Workload({ crypto: nodeCrypto, parties, seed: 2, fraudRate: 0 });
  const [tx] = workload.block(1, WORKLOAD_T0 + 1000n);
  const signer = parties.find((x) => x.id === tx!.body.signer)!;
  const cache = new SignatureCache(nodeCrypto, 4);
  t.equal(cache.verify(tx!, signer.party.publicKey), true);
  // The signature arrived as a view into a buffer its owner reuses: the cache must not see the change.
  const original = tx!.signature.slice();
  tx!.signature[0]! ^= 0xff;
  t.equal(cache.verify(tx!, signer.party.publicKey), false, "the altered bytes are verified afresh, and fail");
  tx!.signature.set(original);
  t.equal(cache.verify(tx!, signer.party.publicKey), true);
  const many = workload.block(12, WORKLOAD_T0 + 2000n);
  for (const x of many) cache.verify(x, parties.find((q) => q.id === x.body.signer)!.party.publicKey);
  t.ok(cache.size <= 4, `${cache.size} entries, capacity 4`);
});

t.test("node config: the store's memory knobs, their defaults and bounds", async (t) => {
  const base = { dataDir: "d", genesisFile: "g.json", nodeKeyFile: "k.json", validatorId: "bank-0", p2p: { listen: ["/ip4/127.0.0.1/tcp/1"] } };
  const c = nodeConfigSchema.parse(base);
  t.same(c.store, {
    cacheBytes: DEFAULT_STORE_OPTIONS.cacheBytes,
    writeBufferBytes: DEFAULT_STORE_OPTIONS.writeBufferBytes,
    maxOpenFiles: DEFAULT_STORE_OPTIONS.maxOpenFiles,
    recordCacheBytes: DEFAULT_STORE_OPTIONS.recordCacheBytes,
    bucketCacheBytes: DEFAULT_STORE_OPTIONS.bucketCacheBytes,
  });
  t.equal(nodeConfigSchema.parse({ ...base, store: { maxOpenFiles: 500 } }).store.maxOpenFiles, 500);
  t.throws(() => nodeConfigSchema.parse({ ...base, store: { maxOpenFiles: 10 } }), "LevelDB needs at least 74");
  t.throws(() => nodeConfigSchema.parse({ ...base, store: { blockCache: 1 } }), "unknown keys are refused");
});
