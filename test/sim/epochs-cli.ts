// npm run sim:epochs -- --seeds N [--start S] [--seed S] [--verbose]
// Runs seeded runs of the node's epoch runner (test/sim/epochs.ts runEpochSeed: real runners,
// drivers, mempools, block sync and wire through random validator-set changes under loss and
// kill -9) and ends with
//   sim-epochs: N seeds, X safety violations, Y liveness failures
// after a line with heal-to-done p50/p99/max, decided changes, restarts, blocks and CPU (seed-sweep.ts).
import { runEpochSeed } from "./epochs.js";
import { runSeedSweep } from "./seed-sweep.js";

await runSeedSweep({
  name: "sim-epochs",
  script: "sim:epochs",
  file: "epochs-cli.js",
  defaultSeeds: 20,
  run: runEpochSeed,
  counters: { "decided changes": (r) => r.switches, restarts: (r) => r.restarts, "restarts with a rotated key": (r) => r.rotations },
  okLine: (r) => `set version ${r.switches}, ${r.blocks} blocks, ${r.restarts} restarts (${r.rotations} with a rotated key), heal to done ${r.healToDoneMs} virtual ms`,
  maxViolationsShown: 10,
});
