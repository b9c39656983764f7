// What an HSM costs per ed25519 signature, against keys in memory: node:crypto (the node's hot
// path), noble (the SDK), and a PKCS#11 key in SoftHSM2 signed synchronously (what consensus does,
// blocking the driver's thread) and asynchronously (party signing, off the event loop). SoftHSM2 is
// a software token on this host: a network HSM adds its round trip (typically 0.5-5 ms) to every
// call. Run: `npm run build && node dist/bench/hsm-sign.js [count]`.
import { rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { nodeCrypto } from "../node/crypto.js";
import { nobleCrypto } from "../sdk/crypto.js";
import { Pkcs11Key } from "../node/keys/pkcs11.js";
import { initTestToken, softhsmUnavailable } from "../test/softhsm.js";

const count = Number(process.argv[2] ?? 2000);
const message = new Uint8Array(randomBytes(180)); // about a commit's signing bytes plus a digest
const seed = new Uint8Array(randomBytes(32));

function perSig(label: string, n: number, ms: number): void {
  process.stdout.write(`${label.padEnd(44)} ${((ms * 1000) / n).toFixed(1).padStart(8)} µs/signature  ${Math.round((n * 1000) / ms).toString().padStart(7)} /s\n`);
}

function time(n: number, fn: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return performance.now() - t0;
}

perSig("node:crypto, key in memory", count, time(count, () => nodeCrypto.sign(seed, message)));
perSig("noble, key in memory", Math.min(count, 500), time(Math.min(count, 500), () => nobleCrypto.sign(seed, message)));
const why = softhsmUnavailable();
if (why) {
  process.stdout.write(`PKCS#11: skipped (${why})\n`);
} else {
  const token = initTestToken("bench");
  const key = Pkcs11Key.generate({ module: token.module, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel: "bench-node" });
  key.signSync(message);
  perSig("PKCS#11 SoftHSM2, synchronous (consensus)", count, time(count, () => key.signSync(message)));
  let t0 = performance.now();
  for (let i = 0; i < count; i++) await key.sign(message);
  perSig("PKCS#11 SoftHSM2, asynchronous, one at a time", count, performance.now() - t0);
  t0 = performance.now();
  await Promise.all(Array.from({ length: count }, () => key.sign(message)));
  perSig("PKCS#11 SoftHSM2, asynchronous, all queued", count, performance.now() - t0);
  key.close();
  rmSync(token.dir, { recursive: true, force: true });
}
