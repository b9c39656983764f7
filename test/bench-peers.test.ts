// The benchmark's peer comparison (bench/peers/): the ratios it prints (ours / theirs, only for
// shapes measured on both) and the load shapes it drives the peers with (closed loop counts what
// completes in the window, open loop what was scheduled in it; failures are errors, not latencies).
// No server runs here: the peers themselves run only in `npm run bench -- --peers`.
import t from "tap";
import { ratioLine, ratios, type SystemFigures } from "../bench/peers/report.js";
import { percentile, runLoad } from "../bench/peers/load.js";
import { fitBlockAndTxCost } from "../bench/costs.js";

const ours: SystemFigures = {
  system: "tradeledger",
  closed: { perSecond: 800, p50Ms: 300, p99Ms: 600, cpuMsPerOp: 2 },
  open: { 100: { perSecond: 100, p50Ms: 25, p99Ms: 90, cpuMsPerOp: 18 }, 300: { perSecond: 300, p50Ms: 50, p99Ms: 200, cpuMsPerOp: 6 } },
};

t.test("ratios are ours / theirs, for the shapes both measured", async (t) => {
  const etcd: SystemFigures = { system: "etcd", closed: { perSecond: 4000, p50Ms: 10, p99Ms: 40, cpuMsPerOp: 0.5 }, open: { 300: { perSecond: 300, p50Ms: 5, p99Ms: 20, cpuMsPerOp: 1 } } };
  const rs = ratios(ours, etcd);
  t.same(
    rs.map((r) => [r.what, r.ratio]),
    [
      ["throughput/s, closed loop", 0.2],
      ["CPU ms/op, closed loop", 4],
      ["p50 ms at 300/s", 10],
      ["p99 ms at 300/s", 10],
      ["CPU ms/op at 300/s", 6],
    ],
    "100/s was not measured on the peer: no ratio for it",
  );
  t.equal(ratioLine(ours, etcd).split("; ")[0], "ours/etcd: throughput/s, closed loop 0.20 (800/4000)");
});

t.test("a figure that is missing, not finite or zero on the peer gives no ratio", async (t) => {
  const peer: SystemFigures = { system: "pg", closed: { perSecond: 0, p50Ms: NaN, p99Ms: 1, cpuMsPerOp: 1 }, open: {} };
  t.same(
    ratios(ours, peer).map((r) => r.what),
    ["CPU ms/op, closed loop"],
  );
  t.equal(ratioLine(ours, { system: "none", open: {} }), "ours/none: no shape measured on both");
});

t.test("percentile: nearest rank", async (t) => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  t.equal(percentile(s, 50), 5);
  t.equal(percentile(s, 99), 10);
  t.equal(percentile(s, 0), 1);
  t.ok(Number.isNaN(percentile([], 50)));
});

t.test("closed loop: every client calls again as soon as it is answered; failures are errors", async (t) => {
  let calls = 0;
  const edges: string[] = [];
  const f = await runLoad(
    { mode: "closed", clients: 4, rate: 0, warmupMs: 50, durationMs: 300 },
    async (i) => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (i % 10 === 9) throw new Error("refused");
    },
    (e) => edges.push(e),
  );
  t.same(edges, ["open", "close"]);
  t.ok(f.ops > 0 && f.errors > 0, `${f.ops} ops, ${f.errors} errors`);
  t.ok(f.ops + f.errors <= calls);
  t.equal(f.perSecond, f.ops / 0.3);
  t.ok(f.latencyMs.p50 >= 5, "latency includes the operation's time");
});

t.test("open loop: operations leave on schedule whatever the answers; latency from the scheduled time", async (t) => {
  const f = await runLoad({ mode: "open", clients: 0, rate: 200, warmupMs: 0, durationMs: 500 }, () => new Promise((r) => setTimeout(r, 20)));
  // 200/s for 0.5 s: about 100 scheduled in the window (timers on a busy machine may bunch them)
  t.ok(f.ops >= 80 && f.ops <= 101, `${f.ops} ops`);
  t.equal(f.unanswered, 0);
  t.ok(f.latencyMs.p50 >= 20);
});

t.test("per-block and per-transaction CPU are separated by phases of different block sizes", async (t) => {
  // a node that idles at 20 ms/s, pays 5 ms per block and 0.5 ms per transaction
  const node = (blocks: number, txs: number, seconds: number) => ({ cpuMs: 20 * seconds + 5 * blocks + 0.5 * txs, blocks, txs, seconds });
  const fit = fitBlockAndTxCost([node(1600, 2000, 20), node(800, 6000, 20), node(300, 16000, 20)], 20)!;
  t.ok(Math.abs(fit.perBlockMs - 5) < 1e-9 && Math.abs(fit.perTxMs - 0.5) < 1e-9, JSON.stringify(fit));
  t.equal(fit.phases, 3);
  t.equal(fitBlockAndTxCost([node(100, 200, 20), node(50, 100, 10)], 20), undefined, "the same transactions per block everywhere: nothing to separate");
  t.equal(fitBlockAndTxCost([node(100, 200, 20)], 20), undefined, "one phase: nothing to separate");
  // a starved network: more transactions, less CPU (it went to timeouts, not to blocks)
  t.equal(fitBlockAndTxCost([{ cpuMs: 1000, blocks: 10, txs: 20, seconds: 10 }, { cpuMs: 200, blocks: 5, txs: 300, seconds: 10 }], 0), undefined, "a negative cost is no answer");
});
