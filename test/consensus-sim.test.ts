// The PBFT core and the node's real driver under the deterministic simulator (test/sim/): a bounded sample of random seeds
// (fast signatures, and a few with real ed25519), then scripted scenarios with expected outcomes.
// Any failing seed names the command that replays it: npm run sim -- --seed S --replicas N
import t from "tap";
import { toHex } from "../sdk/bytes.js";
import type { Tx } from "../sdk/tx.js";
import { replayCommand, runSeed } from "./sim/run.js";
import { Simulation, type SimNode } from "./sim/simulator.js";

const SAMPLE_SEEDS = 300;
const ED25519_SEEDS = 4;
// about half a minute on an idle 2-core machine; run directly (not under the tap runner, whose
// config allows 600 s) the default 30 s would be too tight on a loaded one
t.setTimeout(300_000);

t.test(`random sample: ${SAMPLE_SEEDS} seeds (4 and 7 replicas) and ${ED25519_SEEDS} with ed25519`, async (t) => {
  const runs = [
    ...Array.from({ length: SAMPLE_SEEDS }, (_, i) => ({ seed: BigInt(i + 1), replicas: i % 2 === 0 ? 7 : 4, crypto: "fast" as const })),
    ...Array.from({ length: ED25519_SEEDS }, (_, i) => ({ seed: BigInt(100_000 + i), replicas: i % 2 === 0 ? 4 : 7, crypto: "ed25519" as const })),
  ];
  let failures = 0;
  let blocks = 0;
  for (const run of runs) {
    const r = await runSeed(run);
    blocks += r.stats.blocks;
    if (r.safety.length > 0 || r.liveness) {
      failures++;
      t.fail(`seed ${r.seed} (${r.replicas} replicas, ${r.crypto}) failed — replay: ${replayCommand(r)}`, { safety: r.safety, liveness: r.liveness, scenario: r.scenario });
    }
  }
  t.equal(failures, 0, `${runs.length} seeds, ${blocks} blocks, no safety or liveness failure`);
});

/** Every live honest replica has the same chain: same digest and state at every seq. */
function sameChains(t: Pick<typeof import("tap").default, "equal" | "fail">, sim: Simulation, nodes: SimNode[]): void {
  const top = nodes.reduce((m, n) => (n.tip.seq > m ? n.tip.seq : m), 0n);
  for (const node of nodes) {
    t.equal(node.tip.seq, top, `replica ${node.index} is at seq ${top}`);
    for (let seq = 1n; seq <= node.tip.seq; seq++) {
      const mine = node.chain.get(seq);
      const ref = sim.reference.get(seq);
      if (!mine || !ref || toHex(mine.stateDigest) !== toHex(ref.stateDigest)) {
        t.fail(`replica ${node.index} differs at seq ${seq}`);
        return;
      }
    }
  }
}

function committedOnce(sim: Simulation, tx: Tx): bigint[] {
  return sim.seqsOf(tx.hashHex);
}

t.test("the primary crashes mid-batch: a new view commits the transaction and the chains agree", async (t) => {
  const sim = new Simulation({ seed: 7n, replicas: 4 });
  sim.start();
  await sim.runUntil(100);
  // the primary records its pre-prepare, but dies before any copy gets out
  sim.partition([0, 1, 1, 1]);
  const batch = sim.submit();
  await sim.runUntil(150);
  t.equal(sim.nodes[0]!.replica!.pendingBatches().length, 1, "the primary proposed the batch");
  t.ok(sim.nodes[0]!.records.some((r) => r.kind === "pre-prepare"), "and persisted its pre-prepare");
  t.equal(sim.nodes[1]!.replica!.pendingBatches().length, 0, "no backup saw it");
  sim.crash(0);
  sim.heal();
  const live = [1, 2, 3].map((i) => sim.nodes[i]!);
  t.ok(
    await sim.runUntilTrue(() => committedOnce(sim, batch).length === 1 && live.every((n) => n.tip.seq >= committedOnce(sim, batch)[0]!), 20_000),
    "the transaction commits at every live replica without the primary",
  );
  for (const node of live) t.ok(node.replica!.view >= 1n, `replica ${node.index} moved past view 0`);
  // the old primary comes back with its view-0 pre-prepare on record, and follows the new view
  sim.restart(0);
  sim.submit();
  t.ok(await sim.runUntilTrue(() => sim.allCommitted(), 20_000), "progress with the old primary back");
  t.ok(sim.nodes[0]!.replica!.view >= 1n, "the old primary joined the new view");
  t.same(committedOnce(sim, batch).length, 1, "the transaction is committed exactly once");
  sim.checkChain();
  t.same(sim.violations, []);
  sameChains(t, sim, sim.nodes);
});

t.test("an equivocating primary: no fork, a view change, then progress", async (t) => {
  const sim = new Simulation({ seed: 11n, replicas: 4 });
  sim.makeByzantine(0, { equivocate: true });
  for (let i = 0; i < 4; i++) sim.submit();
  sim.start();
  t.ok(await sim.runUntilTrue(() => sim.allCommitted(), 30_000), "everything commits");
  const honest = sim.honestNodes();
  for (const node of honest) t.ok(node.replica!.view >= 1n, `replica ${node.index} changed view`);
  t.ok(honest.some((n) => n.replica!.counters.dropped.conflicting + n.replica!.counters.viewChangesStarted > 0), "the equivocation was noticed");
  sim.checkChain();
  t.same(sim.violations, [], "no fork, every certificate valid");
  sameChains(t, sim, honest);
});

t.test("a replica partitioned past two checkpoints catches up by state transfer, then has the identical chain", async (t) => {
  const sim = new Simulation({ seed: 23n, replicas: 4, consensus: { checkpointInterval: 5, watermarkWindow: 10 } });
  sim.start();
  sim.partition([0, 0, 0, 1]);
  for (let i = 0; i < 14; i++) sim.schedule(i * 40, () => sim.submit());
  await sim.runUntilTrue(() => sim.nodes[0]!.replica!.stableCheckpoint.seq >= 10n, 20_000);
  const isolated = sim.nodes[3]!;
  t.ok(sim.nodes[0]!.replica!.stableCheckpoint.seq >= 10n, "the others passed two checkpoints");
  t.equal(isolated.tip.seq, 0n, "the isolated replica has nothing");
  sim.heal();
  for (let i = 0; i < 3; i++) sim.submit();
  t.ok(await sim.runUntilTrue(() => sim.allCommitted(), 30_000), "everything commits everywhere");
  t.ok(isolated.replica!.counters.stateTransfersRequested >= 1, "it asked for state transfer");
  t.ok(isolated.stateTransfers >= 1, "its node transferred state");
  t.ok(isolated.replica!.stableCheckpoint.seq >= 10n);
  sim.checkChain();
  t.same(sim.violations, []);
  sameChains(t, sim, sim.nodes);
});

t.test("a replay command reproduces a run exactly", async (t) => {
  const a = await runSeed({ seed: 4242n, replicas: 7 });
  const b = await runSeed({ seed: 4242n, replicas: 7 });
  t.same(b.stats, a.stats, "same blocks, views, messages, virtual time");
  t.equal(b.scenario, a.scenario);
  t.equal(replayCommand(a), "npm run sim -- --seed 4242 --replicas 7");
});
