// Signature checks on worker threads (node/driver/verify-pool.ts): the same verdicts as the inline
// path for every kind of signature, nothing lost when a worker dies, and admission through it.
import t from "tap";
import { VerifyPool } from "../node/driver/verify-pool.js";
import { Mempool } from "../node/driver/mempool.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { nodeCrypto } from "../node/crypto.js";
import { signTx, txSigningBytes, type TxBody } from "../sdk/tx.js";

const NOW = 1_770_000_000_000;
const seeds = Array.from({ length: 4 }, (_, i) => new Uint8Array(32).fill(i + 1));
const keys = seeds.map((s) => nodeCrypto.publicKeyFromSeed(s));
const inline = (pk: Uint8Array, m: Uint8Array, s: Uint8Array) => nodeCrypto.verify(pk, m, s);

function body(n: number, signer = "bank-a"): TxBody {
  const nonce = new Uint8Array(16);
  new DataView(nonce.buffer).setUint32(0, n);
  return { chainId: "test-chain", signer, createdAt: BigInt(NOW), nonce, payload: { type: "cancelReceivable", receivableId: "ab".repeat(32), reason: `r${n}` } };
}

/** Valid signatures, forged ones, wrong keys, a small-order key, a message changed after signing. */
function cases(): { pk: Uint8Array; message: Uint8Array; signature: Uint8Array; why: string }[] {
  const out: { pk: Uint8Array; message: Uint8Array; signature: Uint8Array; why: string }[] = [];
  for (let i = 0; i < 200; i++) {
    const k = i % seeds.length;
    const message = txSigningBytes(new TextEncoder().encode(`message ${i}`));
    const signature = nodeCrypto.sign(seeds[k]!, message);
    switch (i % 5) {
      case 0:
        out.push({ pk: keys[k]!, message, signature, why: "valid" });
        break;
      case 1: {
        const forged = signature.slice();
        forged[i % 64]! ^= 1 << (i % 8);
        out.push({ pk: keys[k]!, message, signature: forged, why: "a flipped signature bit" });
        break;
      }
      case 2:
        out.push({ pk: keys[(k + 1) % seeds.length]!, message, signature, why: "another party's key" });
        break;
      case 3: {
        const changed = message.slice();
        changed[changed.length - 1]! ^= 0xff;
        out.push({ pk: keys[k]!, message: changed, signature, why: "the message changed" });
        break;
      }
      default: {
        const weak = new Uint8Array(32);
        weak[0] = 1; // the identity point: small order, verifies nothing
        out.push({ pk: weak, message, signature, why: "a small-order key" });
      }
    }
  }
  return out;
}

t.test("the workers' verdicts are the inline path's, for every kind of signature", async (t) => {
  const pool = new VerifyPool(2, inline);
  t.teardown(() => pool.close());
  const all = cases();
  const got = await Promise.all(all.map((c) => pool.verify(c.pk, c.message, c.signature)));
  const want = all.map((c) => inline(c.pk, c.message, c.signature));
  t.same(got, want, "200 checks, in order");
  t.equal(want.filter(Boolean).length, 40, "the valid ones pass, nothing else does");
  t.equal(pool.stats.offloaded, 200, "all on the workers");
  t.ok(pool.stats.messages >= 7 && pool.stats.messages <= 10, `batched, at most 32 checks a message (${pool.stats.messages} messages)`);
  t.equal(await pool.verify(keys[0]!.subarray(0, 31), new Uint8Array(1), new Uint8Array(64)), false, "a short key: refused (inline, never sent)");
  t.equal(await pool.verify(keys[0]!, new Uint8Array(1), new Uint8Array(63)), false, "a short signature: refused");
});

t.test("a worker that dies mid-flight loses nothing: its checks are done inline and it is replaced", async (t) => {
  const failures: string[] = [];
  const pool = new VerifyPool(1, inline, (reason) => failures.push(reason));
  t.teardown(() => pool.close());
  const all = cases();
  const pending = all.map((c) => pool.verify(c.pk, c.message, c.signature));
  // the jobs go out on the next turn of the loop; kill the worker right after
  await new Promise((r) => setImmediate(r));
  const slot = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0]!;
  await slot.worker.terminate();
  t.same(await Promise.all(pending), all.map((c) => inline(c.pk, c.message, c.signature)), "every verdict still right");
  t.equal(pool.stats.restarts, 1, "one replacement");
  t.match(failures, [/exited/], "reported");
  t.equal(pool.stats.offloaded + pool.stats.inline >= 200, true);
  const c = all[0]!;
  t.equal(await pool.verify(c.pk, c.message, c.signature), true, "the new worker answers");
});

t.test("closed: checks still answered (inline), never left hanging", async (t) => {
  const pool = new VerifyPool(2, inline);
  const c = cases()[0]!;
  const before = pool.verify(c.pk, c.message, c.signature);
  await pool.close();
  t.equal(await before, true, "a check queued before close");
  t.equal(await pool.verify(c.pk, c.message, c.signature), true, "a check after close");
  t.throws(() => new VerifyPool(0, inline), RangeError);
});

t.test("admission through the workers: the same answers as inline, and concurrent copies admitted once", async (t) => {
  const pool = new VerifyPool(2, inline);
  t.teardown(() => pool.close());
  const mempool = (verifyPool?: VerifyPool) =>
    new Mempool(
      { maxTxs: 1000, maxBytes: 1 << 22, maxTxsPerParty: 1000, txMaxAgeMs: 3_600_000, txMaxFutureMs: 300_000 },
      { crypto: nodeCrypto, sigCache: new SignatureCache(nodeCrypto), ...(verifyPool ? { verifyPool } : {}), chainId: "test-chain", partyKey: (id) => (id === "bank-a" ? keys[0] : undefined), isCommitted: () => false, now: () => NOW },
    );
  const off = mempool(pool);
  const on = mempool();
  const txs = [
    ...Array.from({ length: 50 }, (_, i) => signTx(nodeCrypto, body(i), seeds[0]!).bytes),
    ...Array.from({ length: 10 }, (_, i) => signTx(nodeCrypto, body(100 + i), seeds[1]!).bytes), // wrong key
    ...Array.from({ length: 10 }, (_, i) => signTx(nodeCrypto, body(200 + i, "nobody"), seeds[0]!).bytes), // unknown signer
  ];
  const a = await Promise.all(txs.map((b) => off.admit(b)));
  const b = await Promise.all(txs.map((b) => on.admit(b)));
  t.same(a.map((x) => (x.ok ? "ok" : x.code)), b.map((x) => (x.ok ? "ok" : x.code)), "70 admissions: the same verdicts");
  t.equal(off.size, 50);
  const copy = signTx(nodeCrypto, body(999), seeds[0]!).bytes;
  const racing = await Promise.all([off.admit(copy), off.admit(copy), off.admit(copy)]);
  t.ok(racing.every((r) => r.ok), "three copies at once: all answered as admitted");
  t.equal(off.size, 51, "and pooled once");
});
