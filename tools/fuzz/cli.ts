#!/usr/bin/env node
// `npm run fuzz -- [--target name|all] [--minutes 10] [--seed n] [--no-grow] [--findings dir]`
// Long coverage-guided runs of the fuzz targets (tools/fuzz/targets.ts), one after another in one
// process. New corpus inputs go to test/fuzz/corpus/<target>/ (commit the useful ones: the CI run
// in test/fuzz.test.ts replays them all); findings (crashes, slow runs, heap growth) to
// fuzz-findings/<target>/ with the input that caused them. Exits 1 if anything was found.
import { join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { fuzz } from "./engine.js";
import { TARGETS, targetByName } from "./targets.js";
import { CORPUS_DIR } from "./corpus.js";

const program = new Command("fuzz")
  .description("coverage-guided fuzzing of the node's decoders and parsers (V8 block coverage)")
  .option("--target <name>", `one of ${TARGETS.map((t) => t.name).join(", ")}, or all`, "all")
  .option("--minutes <m>", "per target", (v) => {
    const n = Number(v);
    if (!(n > 0 && n <= 24 * 60)) throw new InvalidArgumentError("minutes must be in (0, 1440]");
    return n;
  }, 10)
  .option("--seed <n>", "mutation seed", (v) => Number(v), Date.now() % 2 ** 31)
  .option("--no-grow", "do not add new inputs to the corpus folder")
  .option("--findings <dir>", "where findings are written", "fuzz-findings")
  .action((o: { target: string; minutes: number; seed: number; grow: boolean; findings: string }) => {
    const targets = o.target === "all" ? TARGETS : [targetByName(o.target)];
    let found = 0;
    for (const target of targets) {
      const stats = fuzz(target, {
        durationMs: o.minutes * 60_000,
        seed: o.seed,
        corpusDir: CORPUS_DIR(target.name),
        grow: o.grow,
        findingsDir: join(o.findings, target.name),
        log: (l) => process.stdout.write(`fuzz: ${l}\n`),
      });
      found += stats.findings.length;
      process.stdout.write(
        `fuzz: ${target.name}: ${stats.runs} executions in ${(stats.ms / 1000).toFixed(0)} s (${stats.execPerSec.toFixed(0)}/s, seed ${o.seed}), corpus ${stats.corpus} (+${stats.added}), ${stats.features} coverage features, ${stats.findings.length} findings\n`,
      );
      for (const f of stats.findings) process.stdout.write(`fuzz:   ${f.kind}: ${f.message.split("\n")[0]} -> ${f.file}\n`);
    }
    process.exit(found > 0 ? 1 : 0);
  });

program.parse(process.argv);
