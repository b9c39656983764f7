import t from "tap";
import { Mempool, type MempoolDeps } from "../node/driver/mempool.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { Proposer, type ProposerOptions } from "../node/driver/proposer.js";
import type { DriverClock } from "../node/driver/clock.js";
import { decodeBatch, encodeBatch } from "../node/net/wire.js";
import { nodeCrypto } from "../node/crypto.js";
import { signTx, decodeTx, type Tx } from "../sdk/tx.js";
import { encode } from "../sdk/codec.js";
import type { TxBody } from "../sdk/tx.js";

const NOW = 1_770_000_000_000;
const seed = new Uint8Array(32).fill(7);
const otherSeed = new Uint8Array(32).fill(9);
const pub = nodeCrypto.publicKeyFromSeed(seed);

function body(overrides: Partial<TxBody> = {}, n = 1): TxBody {
  const nonce = new Uint8Array(16);
  new DataView(nonce.buffer).setUint32(0, n);
  return {
    chainId: "test-chain",
    signer: "bank-a",
    createdAt: BigInt(NOW),
    nonce,
    payload: { type: "cancelReceivable", receivableId: "ab".repeat(32), reason: "typo" },
    ...overrides,
  };
}

function pool(opts: Partial<{ maxTxs: number; maxBytes: number }> = {}, committed = new Set<string>()) {
  const sigCache = new SignatureCache(nodeCrypto);
  const deps: MempoolDeps = {
    crypto: nodeCrypto,
    sigCache,
    chainId: "test-chain",
    partyKey: (id) => (id === "bank-a" ? pub : undefined),
    isCommitted: (h) => committed.has(h),
    now: () => NOW,
  };
  const mp = new Mempool({ maxTxs: 100, maxBytes: 1 << 20, txMaxAgeMs: 3_600_000, txMaxFutureMs: 300_000, ...opts }, deps);
  return { mp, sigCache };
}

t.test("admission refuses each kind of bad transaction with its code", async (t) => {
  const committed = new Set<string>();
  const { mp } = pool({}, committed);
  t.match(await mp.admit(Uint8Array.of(1, 2, 3)), { ok: false, code: "MALFORMED" });
  t.match(await mp.admit(signTx(nodeCrypto, body({ chainId: "other" }), seed).bytes), { ok: false, code: "WRONG_CHAIN" });
  t.match(await mp.admit(signTx(nodeCrypto, body({ signer: "nobody" }), seed).bytes), { ok: false, code: "BAD_SIGNATURE" }, "an unknown signer is answered as a bad signature");
  t.match(await mp.admit(signTx(nodeCrypto, body({}, 2), otherSeed).bytes), { ok: false, code: "BAD_SIGNATURE" });
  t.match(await mp.admit(signTx(nodeCrypto, body({ createdAt: BigInt(NOW - 3_600_001) }), seed).bytes), { ok: false, code: "TX_EXPIRED" });
  t.match(await mp.admit(signTx(nodeCrypto, body({ createdAt: BigInt(NOW + 300_001) }), seed).bytes), { ok: false, code: "TX_EXPIRED" });
  const done = signTx(nodeCrypto, body({}, 3), seed);
  committed.add(done.hashHex);
  t.match(await mp.admit(done.bytes), { ok: false, code: "DUPLICATE_TX" });
  t.equal(mp.size, 0, "nothing refused entered the pool");
  t.equal(mp.rejected.MALFORMED + mp.rejected.WRONG_CHAIN + mp.rejected.BAD_SIGNATURE, 3);
  t.equal(mp.rejected.UNKNOWN_SIGNER, 1, "counted apart for the operator (node metrics), never told the client");
});

t.test("a valid tx is admitted once; resubmission is idempotent; a forged envelope of the same body is refused", async (t) => {
  const { mp, sigCache } = pool();
  const good = signTx(nodeCrypto, body(), seed);
  t.match(await mp.admit(good.bytes), { ok: true, alreadyPending: false });
  t.match(await mp.admit(good.bytes), { ok: true, alreadyPending: true });
  const forged = encode("SignedTx", { body: good.bodyBytes, signature: new Uint8Array(64).fill(1) });
  t.match(await mp.admit(forged), { ok: false, code: "DUPLICATE_TX" }, "same hash, other signature: not the pending tx");
  // The signature cache must not vouch for the forged envelope even though its hash is cached.
  const forgedTx: Tx = decodeTx(nodeCrypto, forged);
  t.equal(forgedTx.hashHex, good.hashHex);
  t.equal(sigCache.verify(forgedTx, pub), false);
  t.equal(sigCache.verify(good, pub), true);
});

/** A proposer over `mp` with a scripted core (its accepted batches) and a manual clock. */
function proposerFor(mp: Mempool, opts: Partial<ProposerOptions> = {}) {
  const core: { seq: bigint; payload: Uint8Array }[] = [];
  const proposed: Tx[][] = [];
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  let now = 0;
  const clock: DriverClock = {
    now: () => now,
    monotonic: () => now,
    setTimeout(fn, ms) {
      const timer = { at: now + ms, fn, cancelled: false };
      timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
    defer: (fn) => fn(),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.splice(0)) {
      if (timer.cancelled) continue;
      if (timer.at <= now) timer.fn();
      else timers.push(timer);
    }
  };
  const decode = (payload: Uint8Array) => decodeBatch(payload).map((b) => decodeTx(nodeCrypto, b));
  const proposer = new Proposer(
    { maxBatchTxs: 2, maxBatchBytes: 1 << 20, ...opts },
    { pool: mp, clock, decode, coreBatches: () => core, canPropose: () => true, propose: (_payload, txs) => void proposed.push(txs) },
  );
  mp.trackInFlightWith(proposer);
  /** the core takes the batch just cut at `seq` */
  const accept = (seq: bigint) => {
    proposer.queuedStepped();
    core.push({ seq, payload: encodeBatch(proposed[proposed.length - 1]!.map((x) => x.bytes)) });
    proposer.coreChanged();
  };
  return { proposer, core, proposed, accept, advance };
}

const hashes = (txs: readonly Tx[]) => txs.map((x) => x.hashHex);

t.test("the proposer cuts oldest first, skips in-flight txs, releases dropped batches; commit behaves", async (t) => {
  const { mp } = pool();
  const txs = [1, 2, 3, 4, 5].map((n) => signTx(nodeCrypto, body({}, n), seed));
  for (const tx of txs) await mp.admit(tx.bytes);
  const { proposer, core, proposed, accept } = proposerFor(mp);
  proposer.requested();
  t.same(hashes(proposed[0]!), hashes(txs.slice(0, 2)));
  accept(1n);
  proposer.requested();
  t.same(hashes(proposed[1]!), hashes(txs.slice(2, 4)), "in-flight txs are not proposed twice");
  accept(2n);
  proposer.requested();
  t.same(hashes(proposed[2]!), hashes(txs.slice(4)));
  accept(3n);
  t.equal(mp.available, 0);
  t.same(mp.reap(10, 1 << 20), [], "the pool offers nothing in flight");
  // a view change drops batch 1 undelivered: its transactions go back to the pool
  core.splice(0, 1);
  proposer.coreChanged();
  t.same(hashes(mp.reap(10, 1 << 20)), hashes(txs.slice(0, 2)));
  t.equal(mp.available, 2);
  // batch 2 is delivered: in flight until executed, then gone from the pool
  const delivered = core.splice(0, 1)[0]!;
  proposer.delivered(delivered.seq, txs.slice(2, 4));
  proposer.coreChanged();
  t.ok(proposer.has(txs[2]!.hashHex), "delivered, not yet executed: still in flight");
  mp.removeCommitted(hashes(txs.slice(2, 4)));
  proposer.executed(delivered.seq);
  t.notOk(proposer.has(txs[2]!.hashHex));
  mp.removeCommitted(hashes(txs));
  t.equal(mp.size, 0);
  t.equal(mp.sizeBytes, 0);
  t.equal(mp.available, 0);
  t.same(mp.reap(10, 1 << 20), []);
});

t.test("with a batch in flight the proposer waits for minBatchFill transactions or batchDelayMs", async (t) => {
  const { mp } = pool();
  const txs = [1, 2, 3, 4].map((n) => signTx(nodeCrypto, body({}, n), seed));
  await mp.admit(txs[0]!.bytes);
  const { proposer, proposed, accept, advance } = proposerFor(mp, { maxBatchTxs: 8, minBatchFill: 3, batchDelayMs: 20 });
  proposer.requested();
  t.same(hashes(proposed[0]!), hashes(txs.slice(0, 1)), "nothing in flight: the first transaction goes at once");
  accept(1n);
  proposer.requested();
  await mp.admit(txs[1]!.bytes);
  proposer.poolChanged();
  t.equal(proposed.length, 1, "one waiting, below minBatchFill: no batch yet");
  advance(19);
  t.equal(proposed.length, 1);
  advance(1);
  t.same(hashes(proposed[1]!), hashes(txs.slice(1, 2)), "the oldest waited batchDelayMs: a partly filled batch");
  accept(2n);
  proposer.requested();
  await mp.admit(txs[2]!.bytes);
  await mp.admit(txs[3]!.bytes);
  proposer.poolChanged();
  t.equal(proposed.length, 2, "two waiting");
  const more = signTx(nodeCrypto, body({}, 5), seed);
  await mp.admit(more.bytes);
  proposer.poolChanged();
  t.same(hashes(proposed[2]!), [txs[2]!.hashHex, txs[3]!.hashHex, more.hashHex], "minBatchFill reached: cut at once");
});

t.test("batches are batchDelayMs apart unless they fill: at low load transactions share a block", async (t) => {
  const { mp } = pool();
  const txs = [1, 2, 3, 4, 5].map((n) => signTx(nodeCrypto, body({}, n), seed));
  const { proposer, core, proposed, accept, advance } = proposerFor(mp, { maxBatchTxs: 8, minBatchFill: 3, batchDelayMs: 20 });
  await mp.admit(txs[0]!.bytes);
  proposer.requested();
  t.equal(proposed.length, 1, "an idle network: the first transaction goes at once");
  accept(1n);
  proposer.requested();
  advance(5);
  // batch 1 commits quickly: nothing is in flight any more, but it left only 5 ms ago
  mp.removeCommitted(hashes(txs.slice(0, 1)));
  proposer.delivered(1n, txs.slice(0, 1));
  core.splice(0, 1);
  proposer.coreChanged();
  proposer.executed(1n);
  await mp.admit(txs[1]!.bytes);
  proposer.poolChanged();
  advance(5);
  await mp.admit(txs[2]!.bytes);
  proposer.poolChanged();
  t.equal(proposed.length, 1, "too soon after the last batch: the transactions wait");
  advance(9);
  t.equal(proposed.length, 1);
  advance(1);
  t.same(hashes(proposed[1]!), hashes(txs.slice(1, 3)), "20 ms after the last batch: both in one block");
  accept(2n);
  proposer.requested();
  // minBatchFill still cuts at once however recent the last batch
  for (const tx of [txs[3]!, txs[4]!, signTx(nodeCrypto, body({}, 6), seed)]) await mp.admit(tx.bytes);
  proposer.poolChanged();
  t.equal(proposed.length, 3, "minBatchFill reached: cut at once");
});

t.test("batches are cut to what the node executes in maxBatchExecMs at its recent pace", async (t) => {
  const { mp } = pool({ maxTxs: 200 });
  const txs = Array.from({ length: 120 }, (_, i) => signTx(nodeCrypto, body({}, i + 1), seed));
  for (const x of txs) await mp.admit(x.bytes);
  const { proposer, proposed, accept } = proposerFor(mp, { maxBatchTxs: 100, minBatchFill: 10, maxBatchExecMs: 500 });
  t.equal(proposer.batchTxs, 100, "no block executed yet: maxBatchTxs");
  proposer.executedIn(0, 40);
  t.equal(proposer.batchTxs, 100, "an empty block says nothing of the pace");
  // the last blocks: 40 transactions in 800 ms, 20 in 400 ms: 20 ms each, so 25 fit in 500 ms
  proposer.executedIn(40, 800);
  proposer.executedIn(20, 400);
  t.equal(proposer.batchTxs, 25);
  proposer.requested();
  t.equal(proposed[0]!.length, 25, "the batch is cut to the pace, not to maxBatchTxs");
  t.same(hashes(proposed[0]!), hashes(txs.slice(0, 25)), "oldest first");
  t.equal(proposer.stats.batchesCutByPace, 1);
  accept(1n);
  // faster blocks raise the bound again, up to maxBatchTxs; the pace is over the last 16 blocks
  for (let i = 0; i < 16; i++) proposer.executedIn(50, 50);
  t.equal(proposer.batchTxs, 100, "1 ms a transaction: maxBatchTxs again");
  proposer.requested();
  t.equal(proposed[1]!.length, 95, "the rest of the pool, up to maxBatchTxs");
  // a very slow node still cuts real batches
  for (let i = 0; i < 16; i++) proposer.executedIn(1, 10_000);
  t.equal(proposer.batchTxs, 16, "at least 16 transactions a batch");
  // with no bound configured, the pace changes nothing
  const { proposer: unbounded } = proposerFor(mp, { maxBatchTxs: 100 });
  unbounded.executedIn(10, 10_000);
  t.equal(unbounded.batchTxs, 100);
});

t.test("the pool is bounded by count and bytes", async (t) => {
  const { mp } = pool({ maxTxs: 2 });
  await mp.admit(signTx(nodeCrypto, body({}, 1), seed).bytes);
  await mp.admit(signTx(nodeCrypto, body({}, 2), seed).bytes);
  t.match(await mp.admit(signTx(nodeCrypto, body({}, 3), seed).bytes), { ok: false, code: "MEMPOOL_FULL" });
  const tx = signTx(nodeCrypto, body({}, 4), seed);
  const { mp: small } = pool({ maxBytes: tx.bytes.length - 1 });
  t.match(await small.admit(tx.bytes), { ok: false, code: "MEMPOOL_FULL" });
  const { mp: batchy } = pool();
  await batchy.admit(tx.bytes);
  t.same(batchy.reap(10, tx.bytes.length - 1), [], "a tx larger than the batch limit is skipped, not proposed");
});

t.test("decodedCopy finds the admitted decode of exactly these bytes; pendingTxs skips in-flight ones", async (t) => {
  const { mp } = pool();
  const a = signTx(nodeCrypto, body({}, 1), seed);
  const b = signTx(nodeCrypto, body({}, 2), seed);
  t.equal(mp.decodedCopy(a.bytes), undefined, "an empty pool has no copies");
  await mp.admit(a.bytes);
  await mp.admit(b.bytes);
  t.equal(mp.decodedCopy(a.bytes)?.hashHex, a.hashHex);
  t.equal(mp.decodedCopy(a.bytes), mp.get(a.hashHex), "the very object decoded at admission");
  const otherEnvelope = encode("SignedTx", { body: a.bodyBytes, signature: new Uint8Array(64).fill(1) });
  t.equal(mp.decodedCopy(otherEnvelope), undefined, "same body, another signature: no copy");
  t.equal(mp.decodedCopy(Uint8Array.of(0xff, 0xff)), undefined, "garbage: no copy, no throw");
  t.equal(mp.decodedCopy(signTx(nodeCrypto, body({}, 3), seed).bytes), undefined, "not admitted");
  t.same([...mp.pendingTxs()].map((x) => x.hashHex), [a.hashHex, b.hashHex]);
  const { proposer } = proposerFor(mp, { maxBatchTxs: 1 });
  proposer.requested();
  t.same([...mp.pendingTxs()].map((x) => x.hashHex), [b.hashHex], "the proposed one is in flight");
});
