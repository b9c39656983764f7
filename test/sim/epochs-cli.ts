// npm run sim:epochs -- --seeds N [--start S] [--seed S] [--verbose]
// Runs seeded runs of the node's epoch runner (test/sim/epochs.ts runEpochSeed: real runners,
// drivers, mempools, block sync and wire through random validator-set changes under loss and
// kill -9) and ends with
//   sim-epochs: N seeds, X safety violations, Y liveness failures
// (X and Y count failing seeds). Exit code 1 if either is non-zero. A failing seed prints the
// command that replays it.
import { runEpochSeed } from "./epochs.js";

function parse(argv: string[]) {
  const o = { seeds: 20, start: 1n, seed: null as bigint | null, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined || !/^[0-9]+$/.test(x)) {
        console.error(`sim-epochs: ${a} needs a whole number\nusage: npm run sim:epochs -- --seeds N [--start S] [--seed S] [--verbose]`);
        process.exit(2);
      }
      return x;
    };
    if (a === "--seeds") o.seeds = Number(v());
    else if (a === "--start") o.start = BigInt(v());
    else if (a === "--seed") o.seed = BigInt(v());
    else if (a === "--verbose") o.verbose = true;
    else {
      console.error(`sim-epochs: unknown option ${a}`);
      process.exit(2);
    }
  }
  return o;
}

const opts = parse(process.argv.slice(2));
const seeds = opts.seed !== null ? [opts.seed] : Array.from({ length: opts.seeds }, (_, i) => opts.start + BigInt(i));
let unsafe = 0;
let unlive = 0;
let versions = 0;
let restarts = 0;
let blocks = 0n;
const heal: number[] = [];
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (const seed of seeds) {
  const r = await runEpochSeed(seed);
  versions += r.switches;
  restarts += r.restarts;
  blocks += r.blocks;
  if (r.healToDoneMs !== null) heal.push(r.healToDoneMs);
  const bad = r.violations.length > 0 || r.liveness !== null;
  if (r.violations.length > 0) unsafe++;
  if (r.liveness !== null) unlive++;
  if (bad || opts.verbose || opts.seed !== null) {
    console.log(`seed ${seed}: ${r.scenario}`);
    for (const v of r.violations.slice(0, 10)) console.log(`  SAFETY ${v}`);
    if (r.liveness) console.log(`  LIVENESS ${r.liveness}`);
    if (bad) console.log(`  replay: node dist/test/sim/epochs-cli.js --seed ${seed}`);
    else console.log(`  ok: set version ${r.switches}, ${r.blocks} blocks, ${r.restarts} restarts, heal to done ${r.healToDoneMs} virtual ms`);
  }
}
heal.sort((a, b) => a - b);
const pct = (p: number) => (heal.length === 0 ? "-" : String(heal[Math.min(heal.length - 1, Math.floor((p / 100) * heal.length))]));
const cpu = process.cpuUsage(cpu0);
console.log(
  `(${((performance.now() - wall0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${versions} decided changes, ${restarts} restarts, ${blocks} blocks; heal to done p50 ${pct(50)} / p99 ${pct(99)} / max ${pct(100)} virtual ms)`,
);
console.log(`sim-epochs: ${seeds.length} seeds, ${unsafe} safety violations, ${unlive} liveness failures`);
process.exit(unsafe + unlive > 0 ? 1 : 0);
