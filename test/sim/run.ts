// One randomized simulation run per seed: a fault phase (loss, duplication, delay, partitions,
// crashes and restarts, f Byzantine replicas), then a healed network in which every submitted
// transaction must commit at every honest replica within a virtual-time bound. Each validator runs
// the node's real driver (test/sim/simulator.ts).
import { BEHAVIOURS, type ByzantineBehaviour } from "./byzantine.js";
import type { SimCryptoKind } from "./crypto.js";
import { Prng } from "./prng.js";
import { CALM, Simulation } from "./simulator.js";

/** after the faults stop, everything must be committed everywhere within this much virtual time */
export const LIVENESS_BOUND_MS = 45_000;
/** after the last commit, how long an idle head may stay uncertified (a few status periods and a view change) */
export const CERTIFY_BOUND_MS = 15_000;

export interface RunOptions {
  seed: bigint;
  replicas: number;
  crypto?: SimCryptoKind;
}

export interface RunResult {
  seed: bigint;
  replicas: number;
  crypto: SimCryptoKind;
  safety: string[];
  liveness: string | null;
  /** a short description of the faults injected */
  scenario: string;
  stats: { blocks: number; views: number; messages: number; virtualMs: number; stateTransfers: number; crashes: number; duplicateOrderings: number; certificates: number };
}

export function replayCommand(r: Pick<RunResult, "seed" | "replicas" | "crypto">): string {
  return `npm run sim -- --seed ${r.seed} --replicas ${r.replicas}${r.crypto === "ed25519" ? " --crypto ed25519" : ""}`;
}

export async function runSeed(opts: RunOptions): Promise<RunResult> {
  const crypto = opts.crypto ?? "fast";
  // the scenario's own generator comes first, so the consensus parameters can depend on it
  const rng = new Prng(opts.seed ^ 0x5eed5eedn);
  const describe: string[] = [];
  const timeoutMs = rng.pick([250, 600, 1200]);
  // long checkpoint intervals keep stale prepared certificates alive across several view changes
  const checkpointInterval = rng.pick([5, 5, 20]);
  const sim = new Simulation({
    seed: opts.seed,
    replicas: opts.replicas,
    crypto,
    consensus: { requestTimeoutMs: timeoutMs, viewChangeTimeoutMs: timeoutMs, checkpointInterval, watermarkWindow: 2 * checkpointInterval },
  });
  describe.push(`timeouts ${timeoutMs}ms, K ${checkpointInterval}`);

  const byzCount = rng.chance(0.75) ? sim.f : rng.int(0, sim.f);
  const byzantine = rng.shuffle([...Array(sim.n).keys()]).slice(0, byzCount);
  for (const index of byzantine) {
    const behaviour: ByzantineBehaviour = {};
    for (const b of BEHAVIOURS) if (rng.chance(0.4)) behaviour[b] = true;
    if (Object.keys(behaviour).length === 0) behaviour[rng.pick(BEHAVIOURS)] = true;
    sim.makeByzantine(index, behaviour);
    describe.push(`byzantine ${index}: ${Object.keys(behaviour).join("+")}`);
  }
  const honest = sim.honestNodes().map((n) => n.index);

  const faultEnd = rng.int(2000, 6000);
  sim.network = {
    loss: rng.pick([0, 0.02, 0.1, 0.25, 0.4]),
    commitLoss: rng.pick([0, 0, 0.3, 0.7]),
    duplicate: rng.pick([0, 0.05, 0.2]),
    minDelayMs: 1,
    maxDelayMs: rng.pick([20, 80, 250]),
  };
  describe.push(`faults until ${faultEnd}ms: loss ${sim.network.loss}, commit loss ${sim.network.commitLoss}, dup ${sim.network.duplicate}, delay <= ${sim.network.maxDelayMs}ms`);
  sim.crashesEnabled = rng.chance(0.6);
  if (sim.crashesEnabled) {
    const crashes = rng.int(1, 3);
    for (let i = 0; i < crashes; i++) {
      const at = rng.int(0, faultEnd);
      const who = rng.pick(honest);
      const downFor = rng.int(100, 2000);
      sim.schedule(at, () => sim.crash(who));
      sim.schedule(at + downFor, () => sim.restart(who));
    }
    describe.push(`${crashes} crash(es) + mid-step crashes`);
  }
  const partitions = rng.int(0, 4);
  for (let i = 0; i < partitions; i++) {
    const at = rng.int(0, faultEnd);
    const until = rng.int(at, faultEnd);
    const groups = rng.chance(0.5)
      ? (() => {
          const isolated = rng.int(0, sim.n - 1);
          return [...Array(sim.n).keys()].map((r) => (r === isolated ? 1 : 0));
        })()
      : [...Array(sim.n).keys()].map(() => rng.int(0, 1));
    sim.schedule(at, () => sim.partition(groups));
    sim.schedule(until, () => sim.heal());
    describe.push(`partition [${groups.join("")}] ${at}-${until}ms`);
  }
  const txs = rng.int(10, 40);
  for (let i = 0; i < txs; i++) sim.schedule(rng.int(0, faultEnd), () => sim.submit());

  sim.start();
  await sim.runUntil(faultEnd);

  // faults stop: the network heals, crashed replicas restart, clients keep submitting
  sim.network = { ...CALM };
  sim.heal();
  sim.crashesEnabled = false;
  for (const index of honest) sim.restart(index);
  const more = rng.int(3, 8);
  for (let i = 0; i < more; i++) sim.schedule(rng.int(0, 1000), () => sim.submit());
  const deadline = faultEnd + LIVENESS_BOUND_MS;
  const live = await sim.runUntilTrue(() => sim.allCommitted(), deadline, 100);
  sim.checkChain();
  // The chain is idle now: its head must become certified at every honest replica (a stable
  // checkpoint when it is a multiple of K, else the idle tip's CHECKPOINTs).
  const certified = live && (await sim.runUntilTrue(() => sim.headCertified(), sim.now + CERTIFY_BOUND_MS, 100));

  let liveness: string | null = null;
  if (live && !certified) {
    const certs = sim.nodes.map((n) => `${n.index}${n.honest ? "" : "(byz)"}:tip ${n.tip.seq} certified ${n.certifiedSeq}`);
    liveness = `the idle head was not certified at every honest replica ${CERTIFY_BOUND_MS}ms after the last commit (${certs.join(", ")})`;
  }
  if (!live) {
    const tips = sim.nodes.map((n) => `${n.index}${n.honest ? "" : "(byz)"}:seq ${n.tip.seq} view ${n.replica?.view ?? "down"}${n.replica?.viewActive === false ? "*" : ""}`);
    const committed = new Set([...sim.reference.values()].flatMap((b) => b.txs.map((tx) => tx.hashHex))).size;
    liveness = `not every transaction committed at every honest replica ${LIVENESS_BOUND_MS}ms after the faults stopped (${committed}/${sim.submitted.size} transactions; ${tips.join(", ")})`;
  }
  let views = 0n;
  for (const n of sim.nodes) if (n.replica && n.replica.view > views) views = n.replica.view;
  return {
    seed: opts.seed,
    replicas: opts.replicas,
    crypto,
    safety: sim.violations,
    liveness,
    scenario: describe.join("; "),
    stats: {
      blocks: sim.reference.size,
      views: Number(views),
      messages: sim.messagesSent,
      virtualMs: Math.round(sim.now),
      stateTransfers: sim.nodes.reduce((a, n) => a + n.stateTransfers, 0),
      crashes: sim.nodes.reduce((a, n) => a + n.crashes, 0),
      duplicateOrderings: sim.duplicateOrderings,
      certificates: sim.certificates,
    },
  };
}
