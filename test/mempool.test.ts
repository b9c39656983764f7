import t from "tap";
import { Mempool, type MempoolDeps } from "../node/driver/mempool.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { nodeCrypto } from "../node/crypto.js";
import { signTx, decodeTx, type Tx } from "../sdk/tx.js";
import { encode } from "../sdk/codec.js";
import type { TxBody } from "../sdk/types.js";

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
  t.match(await mp.admit(signTx(nodeCrypto, body({ signer: "nobody" }), seed).bytes), { ok: false, code: "UNKNOWN_SIGNER" });
  t.match(await mp.admit(signTx(nodeCrypto, body({}, 2), otherSeed).bytes), { ok: false, code: "BAD_SIGNATURE" });
  t.match(await mp.admit(signTx(nodeCrypto, body({ createdAt: BigInt(NOW - 3_600_001) }), seed).bytes), { ok: false, code: "TX_EXPIRED" });
  t.match(await mp.admit(signTx(nodeCrypto, body({ createdAt: BigInt(NOW + 300_001) }), seed).bytes), { ok: false, code: "TX_EXPIRED" });
  const done = signTx(nodeCrypto, body({}, 3), seed);
  committed.add(done.hashHex);
  t.match(await mp.admit(done.bytes), { ok: false, code: "DUPLICATE_TX" });
  t.equal(mp.size, 0, "nothing refused entered the pool");
  t.equal(mp.rejected.MALFORMED + mp.rejected.WRONG_CHAIN + mp.rejected.BAD_SIGNATURE, 3);
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

t.test("reap takes oldest first, skips in-flight, release and commit behave", async (t) => {
  const { mp } = pool();
  const txs = [1, 2, 3, 4, 5].map((n) => signTx(nodeCrypto, body({}, n), seed));
  for (const tx of txs) await mp.admit(tx.bytes);
  const first = mp.reap(2, 1 << 20);
  t.same(first.map((x) => x.hashHex), [txs[0]!.hashHex, txs[1]!.hashHex]);
  const second = mp.reap(10, 1 << 20);
  t.same(second.map((x) => x.hashHex), txs.slice(2).map((x) => x.hashHex), "in-flight txs are not proposed twice");
  t.equal(mp.available, 0);
  mp.release([txs[0]!.hashHex]);
  t.same(mp.reap(10, 1 << 20).map((x) => x.hashHex), [txs[0]!.hashHex]);
  mp.removeCommitted(txs.map((x) => x.hashHex));
  t.equal(mp.size, 0);
  t.equal(mp.sizeBytes, 0);
  t.equal(mp.available, 0);
  t.same(mp.reap(10, 1 << 20), []);
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
  mp.reap(1, 1 << 20);
  t.same([...mp.pendingTxs()].map((x) => x.hashHex), [b.hashHex], "the reaped one is in flight");
});
