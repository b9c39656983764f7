// npm run sim:reconfig -- --seeds N [--start S] [--seed S] [--verbose]
// Runs seeded reconfiguration simulations (test/sim/reconfig.ts) and ends with
//   sim-reconfig: N seeds, X safety violations, Y liveness failures; heal-to-done p50/p99/max ms; epochs; CPU s
// (X and Y count failing seeds). Exit code 1 if either is non-zero. A failing seed prints the
// command that replays it.
import { runReconfigSeed } from "./reconfig.js";

function parse(argv: string[]) {
  const o = { seeds: 100, start: 1n, seed: null as bigint | null, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined || !/^[0-9]+$/.test(x)) {
        console.error(`sim-reconfig: ${a} needs a whole number\nusage: npm run sim:reconfig -- --seeds N [--start S] [--seed S] [--verbose]`);
        process.exit(2);
      }
      return x;
    };
    if (a === "--seeds") o.seeds = Number(v());
    else if (a === "--start") o.start = BigInt(v());
    else if (a === "--seed") o.seed = BigInt(v());
    else if (a === "--verbose") o.verbose = true;
    else {
      console.error(`sim-reconfig: unknown option ${a}`);
      process.exit(2);
    }
  }
  return o;
}

const opts = parse(process.argv.slice(2));
const seeds = opts.seed !== null ? [opts.seed] : Array.from({ length: opts.seeds }, (_, i) => opts.start + BigInt(i));
let unsafe = 0;
let unlive = 0;
let epochs = 0;
let blocks = 0n;
const heal: number[] = [];
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let ran = 0;
for (const seed of seeds) {
  const r = runReconfigSeed(seed);
  ran++;
  if (ran % 250 === 0 && ran < seeds.length) {
    const c = process.cpuUsage(cpu0);
    console.log(`... ${ran} seeds (${seed}), ${unsafe} with safety violations, ${unlive} with liveness failures, ${((c.user + c.system) / 1e6).toFixed(0)} s CPU`);
  }
  epochs += r.epochs - 1;

  blocks += r.blocks;
  if (r.healToDoneMs !== null) heal.push(r.healToDoneMs);
  const bad = r.violations.length > 0 || r.liveness !== null;
  if (r.violations.length > 0) unsafe++;
  if (r.liveness !== null) unlive++;
  if (bad || opts.verbose || opts.seed !== null) {
    console.log(`seed ${seed}: ${r.scenario}`);
    for (const v of r.violations) console.log(`  SAFETY ${v}`);
    if (r.liveness) console.log(`  LIVENESS ${r.liveness}`);
    if (bad) console.log(`  replay: node dist/test/sim/reconfig-cli.js --seed ${seed}`);
    else console.log(`  ok: ${r.epochs - 1} switch(es), ${r.blocks} blocks, heal to done ${r.healToDoneMs} virtual ms`);
  }
}
heal.sort((a, b) => a - b);
const pct = (p: number) => (heal.length === 0 ? "-" : String(heal[Math.min(heal.length - 1, Math.floor((p / 100) * heal.length))]));
const cpu = process.cpuUsage(cpu0);
console.log(
  `(${((performance.now() - wall0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${epochs} epoch switches, ${blocks} blocks; heal to done p50 ${pct(50)} / p99 ${pct(99)} / max ${pct(100)} virtual ms)`,
);
console.log(`sim-reconfig: ${seeds.length} seeds, ${unsafe} safety violations, ${unlive} liveness failures`);
process.exit(unsafe + unlive > 0 ? 1 : 0);
