// The command line of a seeded simulator (sim:reconfig, sim:epochs): parses
//   --seeds N [--start S] [--seed S] [--verbose]
// runs one seed after another, prints a failing seed's violations and the command that replays it,
// and ends with
//   (<wall> s wall, <cpu> s CPU, <counters>, <blocks> blocks; heal to done p50 / p99 / max virtual ms)
//   <name>: N seeds, X safety violations, Y liveness failures
// (X and Y count failing seeds). Exit code 1 if either is non-zero, 2 on a bad option.

/** What one seed's run reports. */
export interface SeedOutcome {
  scenario: string;
  violations: readonly string[];
  liveness: string | null;
  blocks: bigint;
  healToDoneMs: number | null;
}

export interface SeedSweep<R extends SeedOutcome> {
  /** "sim-reconfig": the prefix of every line */
  name: string;
  /** "sim:reconfig": the npm script, for the usage line */
  script: string;
  /** "reconfig-cli.js": the compiled file, for the replay command */
  file: string;
  defaultSeeds: number;
  run(seed: bigint): R | Promise<R>;
  /** counters summed over the seeds and printed in the summary, e.g. { "epoch switches": r => r.epochs - 1 } */
  counters: Record<string, (r: R) => number>;
  /** a passing seed's line with --verbose or --seed */
  okLine(r: R): string;
  /** violations printed per failing seed (default: all) */
  maxViolationsShown?: number;
}

function parse(argv: string[], sweep: { name: string; script: string; defaultSeeds: number }) {
  const o = { seeds: sweep.defaultSeeds, start: 1n, seed: null as bigint | null, verbose: false };
  const usage = `usage: npm run ${sweep.script} -- --seeds N [--start S] [--seed S] [--verbose]`;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined || !/^[0-9]+$/.test(x)) {
        console.error(`${sweep.name}: ${a} needs a whole number\n${usage}`);
        process.exit(2);
      }
      return x;
    };
    if (a === "--seeds") o.seeds = Number(v());
    else if (a === "--start") o.start = BigInt(v());
    else if (a === "--seed") o.seed = BigInt(v());
    else if (a === "--verbose") o.verbose = true;
    else {
      console.error(`${sweep.name}: unknown option ${a}\n${usage}`);
      process.exit(2);
    }
  }
  return o;
}

/** Runs the sweep given on the command line and exits with its verdict. */
export async function runSeedSweep<R extends SeedOutcome>(sweep: SeedSweep<R>, argv = process.argv.slice(2)): Promise<never> {
  const opts = parse(argv, sweep);
  const seeds = opts.seed !== null ? [opts.seed] : Array.from({ length: opts.seeds }, (_, i) => opts.start + BigInt(i));
  let unsafe = 0;
  let unlive = 0;
  let blocks = 0n;
  const totals = Object.fromEntries(Object.keys(sweep.counters).map((k) => [k, 0]));
  const heal: number[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let ran = 0;
  for (const seed of seeds) {
    const r = await sweep.run(seed);
    ran++;
    if (ran % 250 === 0 && ran < seeds.length) {
      const c = process.cpuUsage(cpu0);
      console.log(`... ${ran} seeds (${seed}), ${unsafe} with safety violations, ${unlive} with liveness failures, ${((c.user + c.system) / 1e6).toFixed(0)} s CPU`);
    }
    for (const [k, f] of Object.entries(sweep.counters)) totals[k]! += f(r);
    blocks += r.blocks;
    if (r.healToDoneMs !== null) heal.push(r.healToDoneMs);
    const bad = r.violations.length > 0 || r.liveness !== null;
    if (r.violations.length > 0) unsafe++;
    if (r.liveness !== null) unlive++;
    if (bad || opts.verbose || opts.seed !== null) {
      console.log(`seed ${seed}: ${r.scenario}`);
      for (const v of r.violations.slice(0, sweep.maxViolationsShown ?? r.violations.length)) console.log(`  SAFETY ${v}`);
      if (r.liveness) console.log(`  LIVENESS ${r.liveness}`);
      if (bad) console.log(`  replay: node dist/test/sim/${sweep.file} --seed ${seed}`);
      else console.log(`  ok: ${sweep.okLine(r)}`);
    }
  }
  heal.sort((a, b) => a - b);
  const pct = (p: number) => (heal.length === 0 ? "-" : String(heal[Math.min(heal.length - 1, Math.floor((p / 100) * heal.length))]));
  const cpu = process.cpuUsage(cpu0);
  const counted = Object.entries(totals).map(([k, n]) => `${n} ${k}, `).join("");
  console.log(
    `(${((performance.now() - wall0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${counted}${blocks} blocks; heal to done p50 ${pct(50)} / p99 ${pct(99)} / max ${pct(100)} virtual ms)`,
  );
  console.log(`${sweep.name}: ${seeds.length} seeds, ${unsafe} safety violations, ${unlive} liveness failures`);
  process.exit(unsafe + unlive > 0 ? 1 : 0);
}
