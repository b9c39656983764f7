// What checking admission's signatures on worker threads (config mempool.verifyWorkers,
// node/driver/verify-pool.ts) does to one node's event loop and its admission rate. The same signed
// transactions are admitted by a real Mempool (with its signature cache, fresh per run) inline and
// with 1 and 2 workers, the modes alternating `--rounds` times so that a change of the machine's load
// shows as spread:
// - paced: `--rate` admissions per second for `--seconds`, arriving `--burst` at a time (as a gossip
//   frame or a batch request brings them), while the event loop's delay is sampled
//   (perf_hooks.monitorEventLoopDelay, every 2 ms; a figure includes that interval): what consensus
//   timers, p2p frames and RPC requests wait behind while the node verifies;
// - flat out: every transaction handed to admission at once, 256 at a time: admissions per second
//   of wall time, and the process's CPU per admission (the main thread and the workers together).
//
//   npm run build && node dist/bench/verify-offload.js [--rate 2000] [--burst 100] [--seconds 4] [--txs 20000] [--rounds 2]
import { loadavg, cpus } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Mempool } from "../node/driver/mempool.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { VerifyPool } from "../node/driver/verify-pool.js";
import { nodeCrypto } from "../node/crypto.js";
import { signTx, type TxBody } from "../sdk/tx.js";

const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "2000" },
    burst: { type: "string", default: "100" },
    seconds: { type: "string", default: "4" },
    txs: { type: "string", default: "20000" },
    rounds: { type: "string", default: "2" },
  },
});
const RATE = Number(args.rate);
const BURST = Number(args.burst);
const SECONDS = Number(args.seconds);
const TXS = Number(args.txs);
const ROUNDS = Number(args.rounds);
const NOW = Date.now();

const parties = Array.from({ length: 64 }, (_, i) => ({ id: `party-${i}`, seed: new Uint8Array(32).fill(i + 1) }));
const keys = new Map(parties.map((p) => [p.id, nodeCrypto.publicKeyFromSeed(p.seed)]));

function signed(count: number, tag: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const p = parties[i % parties.length]!;
    const nonce = new Uint8Array(16);
    const view = new DataView(nonce.buffer);
    view.setUint32(0, tag);
    view.setUint32(4, i);
    const body: TxBody = { chainId: "bench-chain", signer: p.id, createdAt: BigInt(NOW), nonce, payload: { type: "cancelReceivable", receivableId: "ab".repeat(32), reason: `bench ${tag} ${i}` } };
    out.push(signTx(nodeCrypto, body, p.seed).bytes);
  }
  return out;
}

function mempoolWith(pool: VerifyPool | undefined): Mempool {
  return new Mempool(
    { maxTxs: 1_000_000, maxBytes: 2 ** 30, maxTxsPerParty: 1_000_000, maxBytesPerParty: 2 ** 30, txMaxAgeMs: 3_600_000, txMaxFutureMs: 300_000 },
    { crypto: nodeCrypto, sigCache: new SignatureCache(nodeCrypto, 1_000_000), ...(pool ? { verifyPool: pool } : {}), chainId: "bench-chain", partyKey: (id) => keys.get(id), isCommitted: () => false },
  );
}

const ms = (ns: number) => ns / 1e6;

async function paced(workers: number, txs: Uint8Array[]): Promise<{ p50: number; p99: number; max: number; admitted: number }> {
  const pool = workers > 0 ? new VerifyPool(workers, (pk, m, s) => nodeCrypto.verify(pk, m, s)) : undefined;
  const mp = mempoolWith(pool);
  const lag = monitorEventLoopDelay({ resolution: 2 });
  const total = Math.min(txs.length, RATE * SECONDS);
  let sent = 0;
  let admitted = 0;
  const pending: Promise<unknown>[] = [];
  lag.enable();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE / BURST) * BURST);
      while (sent < due) pending.push(mp.admit(txs[sent++]!).then((a) => a.ok && admitted++));
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(1, Math.floor((1000 * BURST) / RATE / 4)));
    };
    tick();
  });
  await Promise.all(pending);
  lag.disable();
  await pool?.close();
  return { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max), admitted };
}

async function flatOut(workers: number, txs: Uint8Array[]): Promise<{ perSecond: number; cpuUsPerTx: number; admitted: number }> {
  const pool = workers > 0 ? new VerifyPool(workers, (pk, m, s) => nodeCrypto.verify(pk, m, s)) : undefined;
  const mp = mempoolWith(pool);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let admitted = 0;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < txs.length) {
        const a = await mp.admit(txs[next++]!);
        if (a.ok) admitted++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0); // the process: main thread and worker threads
  await pool?.close();
  return { perSecond: txs.length / seconds, cpuUsPerTx: (cpu.user + cpu.system) / txs.length, admitted };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`verify-offload: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} at start; paced ${RATE}/s in bursts of ${BURST} for ${SECONDS} s, flat out ${TXS} txs, ${ROUNDS} rounds`);
const modes = [0, 1, 2];
const pacedBy = new Map<number, { p50: number; p99: number; max: number }[]>(modes.map((m) => [m, []]));
const flatBy = new Map<number, { perSecond: number; cpuUsPerTx: number }[]>(modes.map((m) => [m, []]));
let tag = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const w of modes) {
    const p = await paced(w, signed(RATE * SECONDS, ++tag));
    if (p.admitted !== Math.min(RATE * SECONDS, RATE * SECONDS)) throw new Error(`paced ${w}: admitted ${p.admitted}`);
    pacedBy.get(w)!.push(p);
    const f = await flatOut(w, signed(TXS, ++tag));
    if (f.admitted !== TXS) throw new Error(`flat out ${w}: admitted ${f.admitted} of ${TXS}`);
    flatBy.get(w)!.push(f);
    console.log(
      `  round ${round + 1}, ${w === 0 ? "inline   " : `${w} worker${w > 1 ? "s" : " "}`}: paced loop delay p50 ${p.p50.toFixed(2)} / p99 ${p.p99.toFixed(2)} / max ${p.max.toFixed(1)} ms; flat out ${f.perSecond.toFixed(0)} admissions/s, ${f.cpuUsPerTx.toFixed(0)} µs CPU each`,
    );
  }
}
for (const w of modes) {
  const p = pacedBy.get(w)!;
  const f = flatBy.get(w)!;
  console.log(
    `verify-offload ${w === 0 ? "inline" : `${w} worker${w > 1 ? "s" : ""}`}: loop delay p99 ${median(p.map((x) => x.p99)).toFixed(2)} ms (max ${median(p.map((x) => x.max)).toFixed(1)}) at ${RATE}/s in bursts of ${BURST}; ${median(f.map((x) => x.perSecond)).toFixed(0)} admissions/s flat out, ${median(f.map((x) => x.cpuUsPerTx)).toFixed(0)} µs CPU each (medians of ${ROUNDS})`,
  );
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
