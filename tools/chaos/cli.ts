#!/usr/bin/env node
// `npm run chaos -- [--cycles 50] [--seed n] [--validators 4|7] [--workers 6] [--faults kill,pause,...]
//                   [--no-netns] [--keep] [--dir d] [--max-stall 30]`
// Runs the fault campaign (campaign.ts) and exits non-zero on any loss, divergence, conflicting
// signature, stall beyond --max-stall, or a node that did not recover.
import "../../p2p/polyfill.js";
import { Command, InvalidArgumentError } from "commander";
import { Campaign, FAULT_KINDS, type FaultKind } from "./campaign.js";

function int(name: string, min: number, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
}

function rate(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(v)) throw new InvalidArgumentError(`${name} must be a number in [0, 1]`);
    return n;
  };
}

function perKind(v: string): Partial<Record<FaultKind, number>> {
  const out: Partial<Record<FaultKind, number>> = {};
  for (const part of v.split(",")) {
    const m = /^([a-z-]+)=(\d+)$/.exec(part.trim());
    if (!m || !FAULT_KINDS.includes(m[1] as FaultKind)) throw new InvalidArgumentError(`--max-stall-per-kind: "${part}" is not <fault kind>=<seconds>`);
    out[m[1] as FaultKind] = Number(m[2]);
  }
  return out;
}

const program = new Command("chaos")
  .description("fault campaign on real validator processes: kill -9, pause, partition, torn write, Byzantine validator")
  .option("--cycles <n>", "fault cycles", int("cycles", 1, 100_000), 10)
  .option("--seed <n>", "schedule seed (printed; the same seed replays the schedule)", int("seed", 0, 2 ** 31 - 1))
  .option("--validators <n>", "4 or 7", int("validators", 4, 7), 4)
  .option("--workers <n>", "concurrent load workers", int("workers", 1, 64), 6)
  .option("--faults <list>", `comma-separated subset of ${FAULT_KINDS.join(",")}`)
  .option("--no-netns", "partition with the libp2p-level drop filter even where network namespaces work")
  .option("--keep", "keep the network folder (logs, data, signed-message logs) after a passing run")
  .option("--dir <dir>", "where the network lives (kept)")
  .option("--max-stall <s>", "fail if no block is committed for this long with at most f faulty", int("max-stall", 1, 3600), 30)
  .option("--max-stall-per-kind <list>", "tighter bounds per fault kind, e.g. kill=10,pause=10 (s)")
  .option("--damage-rate <r>", "share of torn-write cycles that damage a table file (restore from scratch), 0..1", rate("damage-rate"), 0.3)
  .option("--toward-primary <r>", "share of cycles aimed at the primary, 0..1", rate("toward-primary"), 0.4)
  .action(async (o: { cycles: number; seed?: number; validators: number; workers: number; faults?: string; netns: boolean; keep?: boolean; dir?: string; maxStall: number; maxStallPerKind?: string; damageRate: number; towardPrimary: number }) => {
    if (o.validators !== 4 && o.validators !== 7) throw new InvalidArgumentError("validators must be 4 or 7");
    const faults = o.faults ? (o.faults.split(",").map((s) => s.trim()) as FaultKind[]) : undefined;
    for (const f of faults ?? []) if (!FAULT_KINDS.includes(f)) throw new InvalidArgumentError(`unknown fault ${f}`);
    const campaign = new Campaign({
      cycles: o.cycles,
      seed: o.seed ?? Math.floor(Math.random() * 2 ** 31),
      validators: o.validators as 4 | 7,
      workers: o.workers,
      ...(faults ? { faults } : {}),
      netns: o.netns,
      ...(o.keep ? { keep: true } : {}),
      ...(o.dir ? { dir: o.dir } : {}),
      maxStallS: o.maxStall,
      ...(o.maxStallPerKind ? { maxStallByKindS: perKind(o.maxStallPerKind) } : {}),
      damageRate: o.damageRate,
      towardPrimaryRate: o.towardPrimary,
    });
    let interrupted = false;
    process.on("SIGINT", () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write("chaos: interrupted; stopping the network\n");
      void campaign.abort();
    });
    const result = await campaign.run();
    process.exit(result.ok ? 0 : 1);
  });

program.parseAsync(process.argv).catch((err) => {
  process.stderr.write(`chaos: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
