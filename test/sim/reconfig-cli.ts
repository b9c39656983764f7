// npm run sim:reconfig -- --seeds N [--start S] [--seed S] [--verbose]
// Runs seeded reconfiguration simulations (test/sim/reconfig.ts) and ends with
//   sim-reconfig: N seeds, X safety violations, Y liveness failures
// after a line with heal-to-done p50/p99/max, epoch switches, blocks and CPU (seed-sweep.ts).
import { runReconfigSeed } from "./reconfig.js";
import { runSeedSweep } from "./seed-sweep.js";

await runSeedSweep({
  name: "sim-reconfig",
  script: "sim:reconfig",
  file: "reconfig-cli.js",
  defaultSeeds: 100,
  run: runReconfigSeed,
  counters: { "epoch switches": (r) => r.epochs - 1 },
  okLine: (r) => `${r.epochs - 1} switch(es), ${r.blocks} blocks, heal to done ${r.healToDoneMs} virtual ms`,
});
