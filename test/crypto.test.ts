// ed25519 known answers (test/vectors/ed25519.json) through BOTH providers: nobleCrypto
// (sdk/crypto.ts, the SDK and browsers) and nodeCrypto (node/crypto.ts, OpenSSL, the node's hot
// path). Signatures must be byte-identical and every verification result equal and as expected:
// a client must never call valid what the ledger rejects, or the reverse.
import t, { type Test } from "tap";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519, ED25519_TORSION_SUBGROUP } from "@noble/curves/ed25519.js";
import { isStrongPublicKey, nobleCrypto, type Crypto } from "../sdk/crypto.js";
import { nodeCrypto } from "../node/crypto.js";
import { decodeTx, encodeTxBody, signTx, verifyTxSignature, TX_SIGNING_DOMAIN } from "../sdk/tx.js";
import { fromHex, toHex, utf8 } from "../sdk/bytes.js";
import type { TxBody } from "../sdk/tx.js";

const V = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "vectors", "ed25519.json"), "utf8"));
const providers: [string, Crypto][] = [
  ["noble", nobleCrypto],
  ["node", nodeCrypto],
];

/** Deterministic bytes for the differential tests: SHA-256 of a label and a counter. */
function det(label: string, i: number, n = 32): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0, j = 0; off < n; off += 32, j++) out.set(new Uint8Array(createHash("sha256").update(`${label}/${i}/${j}`).digest()).subarray(0, n - off), off);
  return out;
}

function verifyBoth(t: Test, pk: Uint8Array, msg: Uint8Array, sig: Uint8Array, label: string): boolean {
  const results = providers.map(([name, c]) => {
    try {
      return c.verify(pk, msg, sig);
    } catch (err) {
      t.fail(`${name} threw on ${label}: ${err}`);
      return undefined;
    }
  });
  t.equal(results[0], results[1], `noble and node agree: ${label}`);
  return results[0] as boolean;
}

t.test("RFC 8032 §7.1 vectors: same public key, byte-identical signatures, both verify", async (t) => {
  t.equal(V.rfc8032.length, 4);
  for (const v of V.rfc8032) {
    const seed = fromHex(v.secretKey);
    const msg = fromHex(v.message);
    for (const [name, c] of providers) {
      t.equal(toHex(c.publicKeyFromSeed(seed)), v.publicKey, `${name} ${v.name}: public key`);
      t.equal(toHex(c.sign(seed, msg)), v.signature, `${name} ${v.name}: signature`);
      t.equal(c.verify(fromHex(v.publicKey), msg, fromHex(v.signature)), true, `${name} ${v.name}: verifies`);
    }
    t.ok(isStrongPublicKey(fromHex(v.publicKey)));
  }
});

t.test("TradeLedger transaction vectors: body bytes, tx hash and signature from both providers", async (t) => {
  t.equal(toHex(TX_SIGNING_DOMAIN), V.signingDomain);
  t.ok(V.transactions.length >= 2);
  for (const v of V.transactions) {
    const body = reviveBody(v.body);
    const seed = fromHex(v.seed);
    const built = providers.map(([, c]) => signTx(c, body, seed));
    for (const [i, [name, c]] of providers.entries()) {
      const tx = built[i]!;
      t.equal(toHex(c.publicKeyFromSeed(seed)), v.publicKey, `${name}: public key`);
      t.equal(toHex(tx.bodyBytes), v.bodyBytes, `${name} ${v.name}: body bytes`);
      t.equal(tx.hashHex, v.txHash, `${name}: tx hash`);
      t.equal(toHex(tx.signature), v.signature, `${name}: signature`);
      t.equal(toHex(tx.bytes), v.signedTx, `${name}: SignedTx bytes`);
      t.equal(toHex(c.sha256(fromHex(v.bodyBytes))), v.txHash, `${name}: tx hash is SHA-256 of the body bytes`);
      t.ok(c.verify(fromHex(v.publicKey), fromHex(v.signingBytes), fromHex(v.signature)), `${name}: signature over the signing bytes`);
      const decoded = decodeTx(c, fromHex(v.signedTx));
      // Fields added to the payload after the vector was written decode to their defaults (absent on
      // the wire): the vector's fields are all there, and the body re-encodes to the same bytes.
      t.match(decoded.body, body, `${name}: decodes to the same body`);
      t.equal(toHex(encodeTxBody(decoded.body)), v.bodyBytes, `${name}: the decoded body re-encodes to the vector's bytes`);
      t.equal(decoded.hashHex, v.txHash);
      for (const [, verifier] of providers) {
        t.ok(verifyTxSignature(verifier, fromHex(v.publicKey), decoded));
        const tampered = { bodyBytes: fromHex(v.bodyBytes).map((b, j) => (j === 5 ? b ^ 1 : b)), signature: decoded.signature };
        t.notOk(verifyTxSignature(verifier, fromHex(v.publicKey), tampered), "a flipped body bit fails");
      }
    }
  }
});

/** The vector's JSON body back to a TxBody: decimal strings -> bigint, hex -> bytes. */
function reviveBody(json: any): TxBody {
  const BIG = new Set(["createdAt", "amount"]);
  const BYTES = new Set(["nonce", "documentHash", "fingerprint"]);
  const revive = (o: any): any =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [k, BIG.has(k) ? BigInt(v as string) : BYTES.has(k) ? fromHex(v as string) : v && typeof v === "object" ? revive(v) : v]),
    );
  return revive(json) as TxBody;
}

t.test("hostile vectors: both providers give the expected result and never throw", async (t) => {
  t.ok(V.hostile.length >= 20);
  for (const v of V.hostile) {
    const got = verifyBoth(t, fromHex(v.publicKey), fromHex(v.message), fromHex(v.signature), v.name);
    t.equal(got, v.valid, v.name);
    t.equal(isStrongPublicKey(fromHex(v.publicKey)), v.strongPublicKey, `${v.name}: key strength`);
    // A weak key verifies nothing, whatever OpenSSL would say (docs/hashing.md §7).
    t.notOk(v.valid && !v.strongPublicKey, `${v.name}: nothing verifies under a weak key`);
  }
  const names = V.hostile.map((v: any) => v.name).join("\n");
  for (const needed of [/wrong-length public key/, /wrong-length signature/, /S \+ L/, /small-order public key/, /flipped bit/, /empty message/, /mixed-order R/, /mixed-order public key/, /non-canonical R/])
    t.match(names, needed);
});

t.test("malformed arguments: false, never an exception", async (t) => {
  const v = V.rfc8032[1];
  const pk = fromHex(v.publicKey);
  const msg = fromHex(v.message);
  const sig = fromHex(v.signature);
  const junk: unknown[] = [undefined, null, 0, "", v.publicKey, [1, 2, 3], {}, new Uint16Array(16), new ArrayBuffer(32)];
  for (const [name, c] of providers) {
    for (const j of junk) {
      t.equal(c.verify(j as any, msg, sig), false, `${name}: public key ${String(j)}`);
      t.equal(c.verify(pk, j as any, sig), false, `${name}: message ${String(j)}`);
      t.equal(c.verify(pk, msg, j as any), false, `${name}: signature ${String(j)}`);
    }
    // A node Buffer is a Uint8Array: accepted as such.
    t.equal(c.verify(Buffer.from(pk), Buffer.from(msg), Buffer.from(sig)), true, `${name}: Buffer`);
    // A view into a larger buffer.
    const big = new Uint8Array(200);
    big.set(sig, 100);
    t.equal(c.verify(pk, msg, big.subarray(100, 164)), true, `${name}: subarray`);
    t.throws(() => c.sign(new Uint8Array(31), msg), `${name}: a 31-byte seed is refused`);
    t.throws(() => c.publicKeyFromSeed(new Uint8Array(33)), `${name}: a 33-byte seed is refused`);
  }
  for (const j of junk) t.equal(isStrongPublicKey(j as any), false);
});

t.test("differential: random keys and messages sign identically; mutations are judged identically", async (t) => {
  for (let i = 0; i < 64; i++) {
    const seed = det("seed", i);
    const msg = det("msg", i, i * 7);
    const pks = providers.map(([, c]) => toHex(c.publicKeyFromSeed(seed)));
    t.equal(pks[0], pks[1]);
    const sigs = providers.map(([, c]) => c.sign(seed, msg));
    t.equal(toHex(sigs[0]!), toHex(sigs[1]!), `signature ${i}`);
    const pk = fromHex(pks[0]!);
    t.ok(verifyBoth(t, pk, msg, sigs[0]!, `valid ${i}`));
    const pos = det("pos", i)[0]!;
    const mutate = (b: Uint8Array, at: number) => b.map((x, j) => (j === at % b.length ? x ^ (1 << (pos & 7)) : x));
    t.notOk(verifyBoth(t, pk, msg, mutate(sigs[0]!, pos), `signature bit ${i}`));
    if (msg.length > 0) t.notOk(verifyBoth(t, pk, mutate(msg, pos), sigs[0]!, `message bit ${i}`));
    verifyBoth(t, mutate(pk, pos), msg, sigs[0]!, `key bit ${i}`);
    verifyBoth(t, det("junk-key", i), msg, det("junk-sig", i, 64), `random junk ${i}`);
  }
});

t.test("differential: small-order keys, torsion R and mixed-order keys are judged identically", async (t) => {
  const Point = ed25519.Point;
  const torsion = ED25519_TORSION_SUBGROUP.map((h: string) => Point.fromHex(h));
  const zeroS = new Uint8Array(32);
  let accepted = 0;
  for (const A of torsion) {
    const pk = A.toBytes();
    t.notOk(isStrongPublicKey(pk), `torsion key ${toHex(pk).slice(0, 8)} is weak`);
    for (const R of torsion) {
      for (let m = 0; m < 3; m++) {
        const sig = new Uint8Array(64);
        sig.set(R.toBytes(), 0);
        sig.set(zeroS, 32);
        if (verifyBoth(t, pk, utf8(`message ${m}`), sig, `torsion A, torsion R, S = 0`)) accepted++;
      }
    }
  }
  // OpenSSL 3.0 (Node 20) accepts some of these forgeries and OpenSSL 3.5 (Node 24, current 22) refuses them:
  // the rule refuses every one (a weak key verifies nothing), so nodes on either agree.
  t.equal(accepted, 0, "no forgery on a torsion key passes, on any OpenSSL");
  // Mixed-order keys with an honest signature under a known scalar.
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  const numLE = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
  for (let i = 0; i < 8; i++) {
    const a = numLE(det("scalar", i)) % L;
    const r = numLE(det("nonce", i)) % L;
    const A = Point.BASE.multiply(a).add(torsion[i]!);
    const Rb = Point.BASE.multiply(r).toBytes();
    const msg = det("mixed", i);
    const k = numLE(new Uint8Array(createHash("sha512").update(Rb).update(A.toBytes()).update(msg).digest())) % L;
    const sig = new Uint8Array(64);
    sig.set(Rb, 0);
    sig.set(le((r + k * a) % L), 32);
    verifyBoth(t, A.toBytes(), msg, sig, `mixed-order key ${i}`);
  }
});

t.test("sha256 of both providers agrees (FIPS 180-4 'abc')", async (t) => {
  for (const [, c] of providers) t.equal(toHex(c.sha256(utf8("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (let i = 0; i < 16; i++) {
    const data = det("sha", i, i * 13);
    t.equal(toHex(nobleCrypto.sha256(data)), toHex(nodeCrypto.sha256(data)));
  }
});
