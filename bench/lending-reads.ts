// What the lending reads cost at scale: a ledger preloaded with N receivables (default 1,000,000;
// bench/preload.ts, which also builds the aggregate records) over 2 banks and 2,000 exporters, then
// the RPC's report and indicator handlers (rpc/lending.ts: the proven key scan, proofs, figures and
// the JSON answer) timed on the node's real store and query model, and the client's verifyReport.
// Prints p50/p95 latency (and the p50 of the CPU time the read took: steadier on a loaded machine), the answer's size and its number of proven inputs (reports: proven by one
// multiproof, whose size it prints too).
//
//   npm run build && node dist/bench/lending-reads.js [--preload 1000000] [--runs 15]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Chain, type ChainGenesis } from "../node/chain/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { LedgerQuery } from "../node/query/query.js";
import { Store } from "../node/store/store.js";
import { LendingReads } from "../rpc/lending.js";
import { verifyReport } from "../sdk/lending.js";
import { preloadReceivables } from "./preload.js";
import { DAY_MS, WORKLOAD_CHAIN_ID, WORKLOAD_T0, makeParties } from "../test/fixtures/ledger-workload.js";

const { values: args } = parseArgs({ options: { preload: { type: "string", default: "1000000" }, runs: { type: "string", default: "15" } } });
const N = Number(args.preload);
const RUNS = Number(args.runs);

const dir = mkdtempSync(join(tmpdir(), "tradeledger-lending-reads-"));
try {
  const parties = makeParties(nodeCrypto);
  const genesis: ChainGenesis = { chainId: WORKLOAD_CHAIN_ID, parties: parties.map((p) => p.party), stateTreeDepth: 20 };
  const store = await Store.open(dir, { sync: false, writeBufferBytes: 64 * 1024 * 1024 });
  const chain = await Chain.open(store, genesis, { crypto: nodeCrypto });
  const loaded = await preloadReceivables(store, N, {
    exporters: [...Array.from({ length: 8 }, (_, i) => `exporter-${i}`), ...Array.from({ length: 1992 }, (_, i) => `exporter-p${i}`)],
    banks: ["bank-0", "bank-1"],
    customs: "customs-cn",
    startTime: WORKLOAD_T0 - 400n * DAY_MS,
  });
  console.log(`bench:lending-reads  preload=${N} runs=${RUNS}: loaded in ${(loaded.loadMs / 1000).toFixed(1)} s (${loaded.aggregateRecords} aggregate records)`);
  const reads = new LendingReads(() => new LedgerQuery(store, chain, nodeCrypto));
  const auditor = { id: "auditor", role: "AUDITOR" as const };
  const bank = { id: "bank-0", role: "BANK" as const };
  const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  const cases: [string, () => Promise<Record<string, unknown>>][] = [
    ["aging, one bank", () => reads.report("aging", bank, {})],
    ["aging, every bank", () => reads.report("aging", auditor, {})],
    ["concentration, one bank", () => reads.report("concentration", bank, {})],
    ["concentration, every bank", () => reads.report("concentration", auditor, {})],
    ["indicators of an exporter", () => reads.indicators(auditor, "exporter-0", {})],
  ];
  {
    const query = new LedgerQuery(store, chain, nodeCrypto);
    const s = performance.now();
    const proven = await query.proveBooks(["bank-0"], "parties");
    const proveMs = performance.now() - s;
    console.log(`  (concentration of one bank: its ${proven.items.length} records scanned and proven in ${proveMs.toFixed(1)} ms)`);
  }
  for (const [name, run] of cases) {
    const ms: number[] = [];
    let bytes = 0;
    let inputs = 0;
    let hashes = "";
    let answer: Record<string, unknown> = {};
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const c0 = process.cpuUsage();
      answer = await run();
      bytes = JSON.stringify(answer).length;
      ms.push(performance.now() - s);
      const c1 = process.cpuUsage(c0);
      cpu.push((c1.user + c1.system) / 1000);
      inputs = (answer.inputs as unknown[]).length;
      const mp = answer["multiproof"] as { siblings: string; buckets: unknown[] } | undefined;
      hashes = mp ? `, one multiproof of ${mp.buckets.length} buckets and ${mp.siblings.length / 64} sibling hashes` : "";
    }
    let verify = "";
    if ("kind" in answer) {
      const s = performance.now();
      const c0 = process.cpuUsage();
      const v = verifyReport(answer as Parameters<typeof verifyReport>[0]);
      const c1 = process.cpuUsage(c0);
      verify = `; verifyReport ${(performance.now() - s).toFixed(1)} ms, CPU ${((c1.user + c1.system) / 1000).toFixed(1)} ms (${v.ok ? "ok" : v.problems.join("; ")})`;
    }
    console.log(`  ${name.padEnd(26)} p50 ${p(ms, 0.5).toFixed(1)} ms (CPU ${p(cpu, 0.5).toFixed(1)} ms), p95 ${p(ms, 0.95).toFixed(1)} ms; ${inputs} proven inputs${hashes}, ${(bytes / 1024).toFixed(0)} KB of JSON${verify}`);
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
