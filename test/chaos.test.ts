// The short fault campaign (tools/chaos/campaign.ts): four real validator processes under a signed
// trade-finance load, one cycle of each fault - kill -9, SIGSTOP/SIGCONT, a partition (network
// namespaces when root, else the libp2p-level filter), a torn write, a Byzantine validator - and
// after each cycle and at the end: nothing acknowledged lost, one chain on every honest node, no
// conflicting signature by an honest node, progress with at most f faulty. The full campaign is
// `npm run chaos -- --cycles 50`. Replay this schedule with CHAOS_SEED=<seed printed below>.
import t from "tap";
import { Campaign, FAULT_KINDS } from "../tools/chaos/campaign.js";

const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));

t.test(`short fault campaign: one cycle of each fault (seed ${SEED})`, async (t) => {
  t.setTimeout(300_000);
  const lines: string[] = [];
  const campaign = new Campaign({
    cycles: FAULT_KINDS.length,
    seed: SEED,
    workers: 3,
    faultMs: [1000, 2000],
    beforeMs: [200, 600],
    equivocationExtraMs: 1500,
    // Garbage gets the Byzantine node banned for a minute, longer than this test may wait for it to
    // catch up afterwards; the full campaign draws it.
    byzantineModes: [["equivocate", "replay"]],
    maxStallS: 30,
    out: (line) => {
      lines.push(line);
      t.comment(line);
    },
  });
  const result = await campaign.run();
  t.same(result.failures, [], "no failure");
  t.equal(result.lost, 0, "no acknowledged transaction lost");
  t.equal(result.divergent, 0, "no divergent block");
  t.same(result.conflicts, [], "no conflicting signature by an honest validator");
  t.ok(result.byzantineEquivocations > 0, `the conflict detector saw the Byzantine validator's equivocations (${result.byzantineEquivocations})`);
  t.ok(result.acked > 50, `${result.acked} transactions acknowledged under faults`);
  t.ok(result.maxStallS <= 30, `longest stall ${result.maxStallS.toFixed(1)} s`);
  // each fault kind's longest stall is reported (and bounded by maxStallS above)
  for (const kind of FAULT_KINDS) {
    const stall = result.stallByKind[kind];
    t.ok(stall === undefined || (stall.s >= 0 && stall.s <= 30), `${kind}: longest stall ${stall ? stall.s.toFixed(1) : "0.0"} s`);
  }
  t.ok(lines.some((l) => /^chaos: longest stall per fault kind: start [\d.]+ s, kill [\d.]+ s, pause [\d.]+ s, partition [\d.]+ s, torn-write [\d.]+ s, byzantine [\d.]+ s$/.test(l)), "the per-kind line");
  t.match(lines.at(-1) ?? "", /^chaos: 5 cycles, \d+ acknowledged, 0 lost, 0 divergent, [\d.]+ s max stall$/, "the closing line");
  t.ok(result.ok);
});
