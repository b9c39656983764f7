// `node dist/bench/batching-model.js [minDelayMs maxDelayMs]`: how many blocks the proposer cuts at
// 100 and 300 tx/s offered, in a model where CPU costs nothing. The deterministic simulator
// (test/sim/) runs the node's real driver, proposer and mempool on four replicas over a virtual
// clock; every message takes a delay uniform in [min, max] ms (default 1-5: loopback plus the
// handling of a quiet node); a client submits at a fixed rate for 10 s. Prints blocks/s, transactions
// per block and submit-to-commit latency (to the first honest execution). A model, not a
// measurement: it isolates the batching rule from the machine, which `npm run bench` cannot on a
// shared machine (docs/performance.md).
import { BATCH_LIMITS, Simulation } from "../test/sim/simulator.js";

// The simulator's tiny batches (8) make minBatchFill 1; the model uses the genesis default (1000).
BATCH_LIMITS.maxBatchTxs = 1000;
const [minDelayMs, maxDelayMs] = [Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 5)];

for (const rate of [100, 300]) {
  const sim = new Simulation({ seed: 7n, replicas: 4 });
  sim.network = { loss: 0, duplicate: 0, minDelayMs, maxDelayMs };
  sim.start();
  const seconds = 10;
  const submittedAt = new Map<string, number>();
  for (let i = 0; i < rate * seconds; i++) {
    sim.schedule(500 + (i * 1000) / rate, () => {
      const tx = sim.submit();
      submittedAt.set(tx.hashHex, sim.now);
    });
  }
  await sim.runUntil(500 + seconds * 1000 + 2000);
  let blocks = 0;
  let txs = 0;
  const latencies: number[] = [];
  for (const [seq, b] of sim.nodes[1]!.chain) {
    if (b.txs.length === 0) continue;
    blocks++;
    txs += b.txs.length;
    const at = sim.firstCommitAt.get(seq)!;
    for (const tx of b.txs) latencies.push(at - submittedAt.get(tx.hashHex)!);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  process.stdout.write(
    `${rate} tx/s, message delay ${minDelayMs}-${maxDelayMs} ms: ${txs} txs in ${blocks} blocks, ${(blocks / seconds).toFixed(1)} blocks/s, ${(txs / blocks).toFixed(2)} txs/block, latency p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms\n`,
  );
}
