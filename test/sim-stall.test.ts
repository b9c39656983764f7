// Issue 18 finding 11: with f = 1 and three healthy validators, no single fault may stall commits
// much longer than the request timeout plus one view change. The deterministic simulator (the
// real driver and consensus core) replays the chaos campaign's worst case under a steady load:
// the primary's store is damaged and the validator restored from scratch (no write-ahead log, its
// chain refilled by block sync, possibly behind), and the view change onto a primary that is still
// catching up (state transfer pending). The longest gap between two new blocks is bounded.
import t from "tap";
import { Simulation } from "./sim/simulator.js";

const TIMING = { requestTimeoutMs: 1000, viewChangeTimeoutMs: 1000, maxViewChangeTimeoutMs: 8000, checkpointInterval: 5, watermarkWindow: 20 };
/** request timeout + one view change + message delays and batching */
const BOUND_MS = TIMING.requestTimeoutMs + TIMING.viewChangeTimeoutMs + 1000;

function withLoad(seed: bigint): Simulation {
  const sim = new Simulation({ seed, replicas: 4, consensus: TIMING });
  sim.start();
  const load = () => {
    sim.submit();
    sim.schedule(40, load);
  };
  load();
  return sim;
}

for (const seed of [1n, 2n, 3n]) {
  t.test(`seed ${seed}: the primary restored from scratch rejoins without stalling the others`, async (t) => {
    const sim = withLoad(seed);
    await sim.runUntil(3000);
    const p = sim.nodes[0]!.replica!.primary;
    const t0 = sim.now;
    sim.crash(p);
    await sim.runUntil(t0 + 3000); // the others change view; the old primary follows as an observer
    sim.restoreFromScratch(p, (p + 1) % 4, sim.nodes[(p + 1) % 4]!.tip.seq - 30n);
    await sim.runUntil(t0 + 20_000);
    const stall = sim.longestStall(t0, sim.now);
    t.ok(stall.ms <= BOUND_MS, `longest stall ${stall.ms} ms (bound ${BOUND_MS} ms)`);
    t.ok(sim.nodes[p]!.tip.seq >= sim.nodes[(p + 1) % 4]!.tip.seq - 10n, "the restored validator caught up");
    sim.checkChain();
    t.same(sim.violations, [], "no safety violation");
  });

  t.test(`seed ${seed}: the view changes onto a primary still catching up`, async (t) => {
    const sim = withLoad(seed);
    await sim.runUntil(2000);
    const p = sim.nodes[0]!.replica!.primary;
    const next = (p + 1) % 4;
    sim.crash(next);
    await sim.runUntil(4000);
    // the next view's primary comes back from scratch 200 blocks behind (beyond the watermark
    // window: it must transfer state), and the primary dies at once
    sim.restoreFromScratch(next, (p + 2) % 4, sim.nodes[(p + 2) % 4]!.tip.seq - 200n);
    const t0 = sim.now;
    sim.crash(p);
    await sim.runUntil(t0 + 20_000);
    const stall = sim.longestStall(t0, sim.now);
    t.ok(stall.ms <= BOUND_MS, `longest stall ${stall.ms} ms (bound ${BOUND_MS} ms)`);
    t.ok(sim.nodes[next]!.stateTransfers > 0, "the new primary caught up by state transfer");
    sim.checkChain();
    t.same(sim.violations, [], "no safety violation");
  });
}
