// The reconfiguration simulator's sample in `npm test` (test/sim/reconfig.ts, docs/governance.md §8):
// seeded runs of the real PBFT core through random validator-set changes under message loss,
// partitions, crashes and one Byzantine member of an old or new set, each with 0 safety violations
// and liveness after the heal; and a seed replays exactly. The large run is `npm run sim:reconfig`.
import t from "tap";
import { runReconfigSeed } from "./sim/reconfig.js";

const SEEDS = 40;

t.test(`${SEEDS} seeds: no safety violation, live after the heal, sets switch`, async (t) => {
  let switches = 0;
  for (let seed = 1n; seed <= BigInt(SEEDS); seed++) {
    const r = runReconfigSeed(seed + 90_000n);
    switches += r.epochs - 1;
    t.same(r.violations, [], `seed ${r.seed}: safety (${r.scenario})`);
    t.equal(r.liveness, null, `seed ${r.seed}: liveness`);
  }
  t.ok(switches >= SEEDS / 2, `the runs switch validator sets (${switches} switches)`);
});

t.test("a seed replays exactly", async (t) => {
  const a = runReconfigSeed(4242n);
  const b = runReconfigSeed(4242n);
  t.same(b, a);
});
