// Every test file belongs to exactly one tier of test/tiers.json, so the unit tier that .ci/run
// also runs on Node 24 (scripts/unit-tier.mjs) cannot silently miss a new test.
import t from "tap";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TEST_SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test");

t.test("every test file is in exactly one tier", async (t) => {
  const tiers = JSON.parse(readFileSync(join(TEST_SRC, "tiers.json"), "utf8")) as { unit: string[]; system: string[] };
  const files = readdirSync(TEST_SRC).filter((f) => f.endsWith(".test.ts")).map((f) => f.slice(0, -".test.ts".length)).sort();
  for (const f of files) {
    const n = Number(tiers.unit.includes(f)) + Number(tiers.system.includes(f));
    t.equal(n, 1, `${f}.test.ts is in ${n === 0 ? "no tier: add it to test/tiers.json (unit: no process, network, browser or HSM)" : "both tiers"}`);
  }
  for (const name of [...tiers.unit, ...tiers.system]) t.ok(files.includes(name), `test/tiers.json names an existing test: ${name}`);
});
