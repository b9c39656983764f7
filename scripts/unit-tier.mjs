#!/usr/bin/env node
// Runs the unit tier (test/tiers.json) with tap, on whatever `node` runs this script: `.ci/run` runs
// it on Node 24 (`npx -p node@24 node scripts/unit-tier.mjs`) after the full suite on the default Node.
// Extra arguments go to tap (e.g. --reporter=tap). Tests run compiled: `npm run build` first.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { unit } = JSON.parse(readFileSync(join(root, "test", "tiers.json"), "utf8"));
const files = unit.map((name) => `dist/test/${name}.test.js`);
const tap = join(root, "node_modules", "tap", "dist", "esm", "run.mjs");
const res = spawnSync(process.execPath, [tap, "--disable-coverage", ...process.argv.slice(2), ...files], { cwd: root, stdio: "inherit" });
process.exit(res.status ?? 1);
