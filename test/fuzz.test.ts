// The coverage-guided fuzzers (tools/fuzz/) in CI: each target replays its committed corpus
// (test/fuzz/corpus/<target>/, every input must hold the target's invariants), then fuzzes for a
// few seconds from a fixed seed and must find nothing. Long runs: `npm run fuzz` (docs/security.md).
// First, the engine itself must be guided by coverage: it finds an input behind four nested byte
// comparisons, which blind random mutation would need ~2^32 tries for.
import t from "tap";
import { fuzz, readCorpus, runOne, type FuzzTarget } from "../tools/fuzz/engine.js";
import { CORPUS_DIR } from "../tools/fuzz/corpus.js";
import { TARGETS } from "../tools/fuzz/targets.js";

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 4);

t.test("the engine is coverage-guided: it reaches a branch behind six nested checks", async (t) => {
  // each check passes for 1 byte value in 16: blind mutation needs ~16^6 = 16.7 million tries,
  // a fuzzer that keeps each input reaching a deeper block needs a few thousand
  const planted: FuzzTarget = {
    name: "planted",
    description: "throws on inputs whose first six bytes have high nibble 4",
    maxLen: 16,
    run(d) {
      if (d.length >= 6 && d[0]! >> 4 === 4) {
        if (d[1]! >> 4 === 4) {
          if (d[2]! >> 4 === 4) {
            if (d[3]! >> 4 === 4) {
              if (d[4]! >> 4 === 4) {
                if (d[5]! >> 4 === 4) throw new Error("planted bug reached");
              }
            }
          }
        }
      }
    },
  };
  const stats = fuzz(planted, { durationMs: 240_000, maxRuns: 1_000_000, seed: 7, batch: 8, stopOnFinding: true });
  t.equal(stats.findings.length, 1, `found after ${stats.runs} executions`);
  t.match(stats.findings[0]?.message ?? "", /planted bug reached/);
  t.same(Array.from(stats.findings[0]?.input.subarray(0, 6) ?? []).map((b) => b >> 4), [4, 4, 4, 4, 4, 4], "with the input that reaches it");
  t.ok(stats.runs < 1_000_000, `${stats.runs} executions, far fewer than blind mutation needs`);
});

for (const target of TARGETS) {
  t.test(`fuzz ${target.name}: ${target.description}`, async (t) => {
    const corpus = readCorpus(CORPUS_DIR(target.name));
    t.ok(corpus.length > 0, `${corpus.length} committed corpus inputs`);
    const failures = corpus.map((d) => runOne(target, d)).filter((f) => f !== undefined);
    t.same(failures, [], "every corpus input holds the invariants");
    const stats = fuzz(target, { durationMs: SECONDS * 1000, seed: 1, corpusDir: CORPUS_DIR(target.name), grow: false });
    t.comment(`${target.name}: ${stats.runs} executions in ${(stats.ms / 1000).toFixed(1)} s, ${stats.features} coverage features, corpus ${stats.corpus}`);
    t.same(
      stats.findings.map((f) => `${f.kind}: ${f.message.split("\n")[0]} (input ${Buffer.from(f.input).toString("hex").slice(0, 200)})`),
      [],
      "no crash, hang or heap growth",
    );
    // how many fit in the time depends on the machine's load: only that some ran is asserted
    t.ok(stats.runs > corpus.length, `${stats.runs} executions (${stats.runs - corpus.length} mutated)`);
  });
}
