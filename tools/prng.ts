// mulberry32: a small seeded PRNG for reproducible workloads and schedules (the benchmark's deal
// mix, the ledger test workloads, the fault campaign). Not for keys or anything secret; the
// consensus simulator has its own (test/sim/prng.ts, xoshiro128**).
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
