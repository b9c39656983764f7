// A live devnet of real `tradeledger start` processes grows its validator set from 4 to 5 to 7 under
// a steady trade-finance load, then removes one (DESIGN.md §12, docs/governance.md §7). The genesis
// has the four devnet validators (bank-a, bank-b, customs, core-enterprise) and three BANK parties,
// bank-e, bank-f and bank-g, that run no validator yet, each with a node key made up front. The
// changes are decided on the ledger by the validators' parties (the first through the CLI, the
// others through the SDK); each joining bank's node is started once its addition is decided, and
// must be voting (its signature in commit certificates) after the switch.
//
// Checked at the end, through every node's API: every acknowledged transaction is in its block with
// its code on every node (nothing acknowledged lost); every node has the same block at every height
// (one chain); every block's commit certificate, as each node serves it, verifies against the set of
// the epoch that ordered it and names that epoch — so the new validators sign only after their
// switch and the removed one not after its own; the removed node is refused by the others; no node
// halted; and the load went on committing across every switch (the gaps are reported, not asserted).
// On the way, bank-e's node is killed (SIGKILL) in its first epoch and restarted: it must follow the
// next switch and vote in the epoch of seven.
import t from "tap";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, FAST_CONSENSUS, sleep } from "../tools/cluster.js";
import { TradeLoad } from "../tools/chaos/load.js";
import { prng } from "../tools/prng.js";
import { auditChain, commitGaps, decideChange, describeSet, EpochBook, setInState, until, type Decision } from "../tools/reconfig.js";
import { certificateFromJson } from "../sdk/json.js";
import { verifyValidatorSets } from "../sdk/epochs.js";
import { validatorSetFromGenesis } from "../sdk/verify.js";
import { faultTolerance } from "../sdk/commit.js";
import { peerIdFromNodePublicKey } from "../p2p/index.js";
import { fromHex } from "../sdk/bytes.js";
import { ROOT, runProcess } from "./devnet-harness.js";

/** Checkpoint interval and watermark window: a change decided in block h switches at 2·⌈h/2⌉ + 4. */
const K = 2;
const L = 4;
const JOINERS = ["bank-e", "bank-f", "bank-g"];
const REMOVED = "core-enterprise";
const SEED = Number(process.env.RECONFIG_SEED ?? Math.floor(Math.random() * 2 ** 31));

t.test(`a live devnet grows from 4 to 5 to 7 validators under load, then removes one (seed ${SEED})`, async (t) => {
  t.setTimeout(480_000);
  const began = Date.now();
  const cluster = await Cluster.create({
    consensus: { ...FAST_CONSENSUS, checkpointInterval: K, watermarkWindow: L },
    joiners: JOINERS,
    // the load, the polls and the final audit come from one address
    rpc: { rateLimitPerMinute: 10_000_000 },
  });
  const cleanup: (() => Promise<void> | void)[] = [];
  t.teardown(async () => {
    for (const fn of cleanup) await fn();
    await (process.env.KEEP_DEVNET ? cluster.stopAll() : cluster.destroy());
  });
  t.comment(`devnet in ${cluster.dir}`);
  const index = (id: string) => cluster.indexOf(id);
  /** the last lines of every node's log, for a failure message */
  const logTails = () =>
    cluster.net.nodes
      .map((_, i) => {
        let lines: string[] = [];
        try {
          lines = readFileSync(cluster.logFile(i), "utf8").trimEnd().split("\n").slice(-15);
        } catch {
          /* never started */
        }
        return `--- ${cluster.id(i)} (${cluster.logFile(i)})\n${lines.join("\n")}`;
      })
      .join("\n");

  const book = new EpochBook(
    cluster.net.nodes.slice(0, 4).map((_, i) => ({ partyId: cluster.id(i), nodePublicKey: cluster.nodePublicKey(i) })),
    K,
    L,
  );
  t.comment(`epoch 0 (genesis): ${describeSet(book.epochs[0]!.members)}`);

  await cluster.startAll(120_000);
  t.ok(await until(async () => (await Promise.all([0, 1, 2, 3].map((i) => cluster.status(i)))).every((s) => s?.ready), 60_000), "the four genesis validators are ready");

  // ---- the load: whole trade flows through different nodes, every acknowledgement recorded ----------
  /** nodes the load submits through: the validators running an epoch's replica (a joiner from its start) */
  const voting = new Set([0, 1, 2, 3]);
  const removed = new Set<number>();
  const load = new TradeLoad(
    {
      url: (i) => cluster.url(i),
      available: () => cluster.net.nodes.map((_, i) => i).filter((i) => cluster.isRunning(i) && !removed.has(i) && voting.has(i)),
      signer: (p) => cluster.signer(p),
      chainId: cluster.net.chainId,
    },
    { workers: 3, rand: prng(SEED), commitWaitMs: 10_000, giveUpMs: 120_000 },
  );
  load.start();
  cleanup.push(() => load.abort());

  // Halts, watched throughout.
  const halted = new Map<string, string>();
  let watching = true;
  cleanup.push(() => {
    watching = false;
  });
  const watcher = (async () => {
    while (watching) {
      for (let i = 0; i < cluster.size; i++) {
        if (!cluster.isRunning(i)) continue;
        const s = await cluster.status(i, 2000);
        if (s?.halted && !halted.has(cluster.id(i))) halted.set(cluster.id(i), s.halted);
      }
      await sleep(500);
    }
  })();

  const auditor = cluster.signer("auditor");
  const reader = cluster.client(0, "auditor");
  /** each party submits its governance transactions through one of bank-a's, bank-b's and customs' nodes (never removed nor restarted) */
  const clientFor = (party: string) => cluster.client(Math.abs(hash(party)) % 3, party);
  const signer = (p: string) => cluster.signer(p);
  await until(async () => load.acked.length >= 6, 60_000);
  t.ok(load.acked.length >= 6, `the load commits before any change (${load.acked.length} acknowledged)`);

  const phases: { name: string; decisions: Decision[]; from: number; to: number; switchedAt?: bigint }[] = [];

  /** Waits until the chain switched to `version` at `switchAt`: a block above it certified in that epoch, every voter past it. */
  const waitSwitch = async (switchAt: bigint, version: bigint, voters: number[]) => {
    const done = await until(async () => {
      for (const i of voters) {
        const s = await cluster.status(i, 2000);
        if (!s || BigInt(s.height) <= switchAt + 1n) return false;
      }
      const b = await cluster.client(voters[0]!, "auditor").getBlock(switchAt + 1n);
      return b.certificate !== null && (certificateFromJson(b.certificate).epoch ?? 0n) === version;
    }, 120_000);
    return done === true;
  };

  /** Waits until some node serves a commit certificate of `version`, above `switchAt`, signed by `party`'s validator. */
  const waitSigns = async (party: string, switchAt: bigint, version: bigint) => {
    const e = book.byVersion(version)!;
    const replica = e.members.findIndex((m) => m.partyId === party);
    const scanned = new Map<number, bigint>();
    return until(async () => {
      for (const i of voting) {
        const s = await cluster.status(i, 2000);
        if (!s) continue;
        const top = BigInt(s.height);
        for (let h = (scanned.get(i) ?? switchAt) + 1n; h <= top; h++) {
          const b = await cluster.client(i, "auditor").getBlock(h);
          scanned.set(i, h);
          const cert = b.certificate && certificateFromJson(b.certificate);
          if (cert && (cert.epoch ?? 0n) === version && cert.commits.some((c) => c.replica === replica)) return { node: cluster.id(i), height: h };
        }
      }
      return undefined;
    }, 90_000);
  };

  const cli = (i: number, ...args: string[]) =>
    runProcess(process.execPath, [join(ROOT, "dist", "node", "cli", "cli.js"), ...args, "--devnet", cluster.dir, "--url", cluster.url(i), "--json"], {}, 120_000);

  // ---- 1. bank-e joins: n 4 → 5 (f stays 1), decided through the CLI ---------------------------------
  let from = Date.now();
  const e = index("bank-e");
  const eKey = cluster.nodePublicKey(e);
  const proposed = await cli(0, "governance", "propose", "add", "--node-key", eKey, "--validator-party", "bank-e", "--party", "bank-a");
  t.equal(proposed.code, 0, `governance propose: ${proposed.err}`);
  const proposal = parsed(proposed.out) as { proposalId: string; needed: number; approvals: string[] };
  t.comment(`$ tradeledger governance propose add --node-key ${eKey} --validator-party bank-e --party bank-a\n${proposed.out.trim()}`);
  t.match(proposal, { change: "ADD", partyId: "bank-e", approvals: ["bank-a"], needed: 3 });
  // bank-e's node starts now, before its addition is decided (docs/governance.md §7): its key is in no
  // set, so it follows, refused by the validators until the block that decides it.
  const eStarted = cluster.start(e, 120_000);
  const approveB = await cli(1, "governance", "approve", proposal.proposalId, "--party", "bank-b");
  t.equal(approveB.code, 0, `governance approve: ${approveB.err}`);
  t.comment(`$ tradeledger governance approve ${proposal.proposalId} --party bank-b\n${approveB.out.trim()}`);
  t.match(parsed(approveB.out), { approvals: 2, needed: 3, decided: false });
  const approveC = await cli(2, "governance", "approve", proposal.proposalId, "--party", "customs");
  t.equal(approveC.code, 0, `governance approve: ${approveC.err}`);
  t.comment(`$ tradeledger governance approve ${proposal.proposalId} --party customs\n${approveC.out.trim()}`);
  const decidedE = parsed(approveC.out) as { decided: boolean; validators: number; version: string; height: string };
  t.match(decidedE, { approvals: 3, needed: 3, decided: true, validators: 5, version: "1" });
  const [dE] = book.record({ proposalId: proposal.proposalId, change: "ADD", partyId: "bank-e", nodePublicKey: eKey, decidedAt: BigInt(decidedE.height), version: BigInt(decidedE.version) }) as [Decision];
  t.same(dE.members.map((m) => m.partyId), ["bank-a", "bank-b", "customs", REMOVED, "bank-e"], "the added validator goes last");
  t.same(await setInState(reader, dE.decidedAt), { version: 1n, members: dE.members }, "the set in state is the one expected");
  t.comment(`bank-e's addition decided in block ${dE.decidedAt}: switch at ${dE.switchAt} = epochEndFor(${dE.decidedAt}) with K = ${K}, L = ${L}`);
  const decidedEAfter = Date.now() - from;
  const [status] = await Promise.all([cli(3, "governance", "status", "--party", "auditor"), eStarted]);
  t.equal(status.code, 0, `governance status: ${status.err} ${status.out}`);
  t.match(parsed(status.out), { n: 5, f: 1, approvalsNeeded: 3, version: "1" }, "governance status shows the decided set");
  voting.add(e); // in the load's rotation: transactions through it are relayed until it votes
  const switchedE = await waitSwitch(dE.switchAt, dE.version, [0, 1, 2, 3, e]);
  t.ok(switchedE, `the chain switched to epoch ${dE.version} after block ${dE.switchAt}, bank-e's node with it${switchedE ? "" : `\n${logTails()}`}`);
  if (!switchedE) return;
  const switchedEAfter = Date.now() - from;
  const signedE = await waitSigns("bank-e", dE.switchAt, dE.version);
  t.ok(signedE, "bank-e's validator signs commit certificates after the switch");
  t.comment(`bank-e's first commit signature seen in block ${signedE?.height} (on ${signedE?.node}); epoch ${dE.version}: ${describeSet(dE.members)}`);
  t.comment(`phase timings: decided ${s1(decidedEAfter)} after the proposal started, switch seen on every voter at ${s1(switchedEAfter)}, bank-e's first signature seen at ${s1(Date.now() - from)}`);
  phases.push({ name: "add bank-e (4 → 5)", decisions: [dE], from, to: Date.now(), switchedAt: dE.switchAt });

  // bank-e's node killed (SIGKILL) in its first epoch and restarted right away: it resumes from its
  // consensus log in epoch 1 (n = 5 keeps a quorum of 4 without it meanwhile; the load resubmits what
  // it had in flight elsewhere) and must follow the next switch and sign in the epoch of seven.
  const killedAt = BigInt((await cluster.status(0))?.height ?? dE.switchAt);
  await cluster.kill(e);
  await cluster.start(e, 120_000);
  t.comment(`bank-e's node killed at about block ${killedAt} and restarted`);

  // ---- 2. bank-f and bank-g join: n → 7, f = 2 (decided through the SDK) -----------------------------
  from = Date.now();
  // Both proposed and approved at once: decided in the same epoch they switch together (the set's
  // version jumps by two), else one after the other; both are checked the same way.
  const fgDecided = await Promise.all(
    ["bank-f", "bank-g"].map(async (party) => {
      // the node starts while its addition is being decided, as bank-e's did
      const i = index(party);
      const [d] = await Promise.all([decideChange({ change: "ADD", partyId: party, nodePublicKey: cluster.nodePublicKey(i), proposer: "bank-a", approvers: ["bank-b", "customs", "bank-e"], signer, clientFor }), cluster.start(i, 120_000)]);
      return d;
    }),
  );
  const decidedFGAfter = Date.now() - from;
  const fgDecisions = book.record(...fgDecided);
  const dG = fgDecisions[1]!; // the later of the two: its set is the seven
  for (const d of fgDecisions) t.comment(`${d.partyId}'s addition decided in block ${d.decidedAt} (version ${d.version}, n = ${d.members.length}): switch at ${d.switchAt}`);
  t.same(dG.members.map((m) => m.partyId), ["bank-a", "bank-b", "customs", REMOVED, "bank-e", ...fgDecisions.map((d) => d.partyId)], "each added validator goes last, in the order decided");
  t.comment(fgDecisions[0]!.switchAt === dG.switchAt ? `both decided in one epoch: one switch after block ${dG.switchAt}, the set's version from ${dE.version} to ${dG.version}` : `decided in two epochs: switches after blocks ${fgDecisions[0]!.switchAt} and ${dG.switchAt}`);
  t.equal(faultTolerance(dG.members.length), 2, "n = 7: f = 2");
  t.same(await setInState(reader, dG.decidedAt), { version: dG.version, members: dG.members }, "the set in state is the one expected");
  for (const d of fgDecisions) {
    const ok = await waitSwitch(d.switchAt, book.epochOf(d.switchAt + 1n).version, [...voting, index(d.partyId)]);
    t.ok(ok, `the chain switched after block ${d.switchAt} (epoch ${book.epochOf(d.switchAt + 1n).version})${ok ? "" : `\n${logTails()}`}`);
    if (!ok) return;
    voting.add(index(d.partyId));
  }
  const switchedFGAfter = Date.now() - from;
  for (const party of ["bank-f", "bank-g", "bank-e"]) {
    const signed = await waitSigns(party, dG.switchAt, dG.version);
    t.ok(signed, `${party}'s validator signs commit certificates after the switch${party === "bank-e" ? " (restarted after a kill in epoch 1)" : ""}`);
    t.comment(`${party}'s first commit signature seen in block ${signed?.height} (on ${signed?.node})`);
  }
  t.comment(`epoch ${dG.version}: ${describeSet(dG.members)}`);
  // readiness counts the quorum of the set in force: at n = 7 (f = 2) a validator needs 2f = 4 peers
  const readiness = (await (await fetch(`${cluster.url(index("bank-a"))}/readyz`)).json()) as { quorumPeers: number };
  t.equal(readiness.quorumPeers, 4, "/readyz on bank-a counts the quorum of the seven (2f = 4 peers), not the genesis set's 2");
  t.comment(`phase timings: both decided ${s1(decidedFGAfter)} after the proposals started, switch seen on every voter at ${s1(switchedFGAfter)}, the three joiners' signatures seen at ${s1(Date.now() - from)}`);
  phases.push({ name: "add bank-f and bank-g (5 → 7)", decisions: fgDecisions, from, to: Date.now(), switchedAt: dG.switchAt });

  // ---- 3. core-enterprise's validator is removed: n → 6 (approvals: 2f + 1 = 5 of the seven) ---------
  from = Date.now();
  const r = index(REMOVED);
  const [dR] = book.record(await decideChange({ change: "REMOVE", partyId: REMOVED, nodePublicKey: cluster.nodePublicKey(r), proposer: "bank-a", approvers: ["bank-b", "customs", "bank-e", "bank-f", "bank-g"], signer, clientFor })) as [Decision];
  t.same(dR.members.map((m) => m.partyId), ["bank-a", "bank-b", "customs", "bank-e", "bank-f", "bank-g"], "the removed validator leaves its place");
  t.same(await setInState(reader, dR.decidedAt), { version: dR.version, members: dR.members }, "the set in state is the one expected");
  t.comment(`${REMOVED}'s removal decided in block ${dR.decidedAt} (version ${dR.version}): switch at ${dR.switchAt}`);
  removed.add(r);
  voting.delete(r);
  const switchedR = await waitSwitch(dR.switchAt, dR.version, [...voting]);
  t.ok(switchedR, `the chain switched to epoch ${dR.version} after block ${dR.switchAt}, without ${REMOVED}${switchedR ? "" : `\n${logTails()}`}`);
  if (!switchedR) return;
  const removedPeer = peerIdFromNodePublicKey(fromHex(cluster.nodePublicKey(r)));
  const refused = await until(async () => {
    for (const i of voting) {
      const s = await cluster.status(i, 2000);
      if (!s || s.peers.some((p) => p.id === REMOVED || p.id === removedPeer)) return false;
    }
    return true;
  }, 30_000);
  t.ok(refused, `no remaining validator keeps ${REMOVED}'s node connected after its switch`);
  await sleep(3000);
  let back: string[] = [];
  for (const i of voting) if ((await cluster.status(i, 2000))?.peers.some((p) => p.id === REMOVED || p.id === removedPeer)) back.push(cluster.id(i));
  t.same(back, [], "and none lets it back in while it keeps redialling");
  const removedStatus = await cluster.status(r);
  t.ok(removedStatus, `${REMOVED}'s process still runs and answers`);
  t.equal(removedStatus?.view, undefined, `${REMOVED}'s node runs no replica: it stopped voting`);
  t.comment(`${REMOVED}'s node after its removal: height ${removedStatus?.height}, mode ${removedStatus?.mode}, validator peers ${removedStatus?.peers.filter((p) => p.validator).length ?? "?"}`);

  // let the load run a little in the final epoch
  await until(async () => load.acked.filter((a) => a.height > dR.switchAt).length >= 12, 60_000);
  phases.push({ name: `remove ${REMOVED} (7 → 6)`, decisions: [dR], from, to: Date.now(), switchedAt: dR.switchAt });

  // ---- the end: stop the load, let the final set converge, audit every node ----------------------------
  await load.stop();
  watching = false;
  await watcher;
  const finalNodes = [...voting];
  const converged = await cluster.converged({ nodes: finalNodes, timeoutMs: 60_000 });
  t.ok(converged, "the final set's nodes converge on one head");
  // One network: every validator of the final set connected to every other (the joiners found each
  // other through p2p.extraPeers and the genesis validators learnt them when they dialled in).
  let missingLinks: string[] = [];
  await until(async () => {
    missingLinks = [];
    for (const i of finalNodes) {
      const peers = new Set((await cluster.status(i, 2000))?.peers.map((p) => p.id) ?? []);
      for (const j of finalNodes) if (j !== i && !peers.has(cluster.id(j))) missingLinks.push(`${cluster.id(i)} → ${cluster.id(j)}`);
    }
    return missingLinks.length === 0;
  }, 30_000);
  t.same(missingLinks, [], "every validator of the final set is connected to every other");
  const audit = await auditChain({
    chainId: cluster.net.chainId,
    nodes: cluster.net.nodes.map((n, i) => ({ id: n.id, url: n.rpcUrl, final: !removed.has(i) })),
    book,
    acked: load.acked,
    auditor,
  });

  t.same(audit.divergent, [], "one chain: every node has the same block at every height it holds, linked by prevHash");
  t.same(audit.badCertificates, [], "every commit certificate verifies against the set of its epoch and names it");
  t.same(audit.lost.slice(0, 20), [], "nothing acknowledged lost: every acknowledged transaction is in its block with its code on every node");
  t.equal(audit.found, load.acked.length, `${audit.found} of ${load.acked.length} acknowledged transactions found on every node holding their height`);
  t.same(load.unexpected, [], "every receipt had the code its flow expects");
  t.same(Object.fromEntries(halted), {}, "no node halted");
  for (let i = 0; i < cluster.size; i++) {
    const starts = i === e ? 2 : 1;
    t.ok(cluster.isRunning(i) && cluster.procs[i]!.starts === starts, `${cluster.id(i)}'s process runs at the end, started ${starts === 1 ? "once: it never exited" : "twice: the kill above"}`);
  }

  // Who signed in which epoch: the joiners only after their switch, the removed one not after its own.
  const signers = (v: bigint) => [...(audit.signersByEpoch.get(v) ?? [])].sort();
  for (const ep of book.epochs) t.comment(`epoch ${ep.version}: blocks ${audit.blocksByEpoch.get(ep.version)?.first ?? "-"}..${audit.blocksByEpoch.get(ep.version)?.last ?? "-"}, ${describeSet(ep.members)}; commit signatures seen from ${signers(ep.version).join(", ")}`);
  t.notOk(signers(0n).some((s) => JOINERS.includes(s)), "no joiner signs in the genesis epoch");
  t.ok(signers(dE.version).includes("bank-e"), "bank-e signs from its switch");
  for (const p of ["bank-e", "bank-f", "bank-g"]) t.ok(signers(dG.version).includes(p), `${p} signs in the epoch of seven`);
  t.ok(signers(dG.version).includes(REMOVED), `${REMOVED} signed until its removal`);
  t.notOk(signers(dR.version).includes(REMOVED), `${REMOVED} signs nothing after its switch`);
  t.ok(audit.blocksByEpoch.get(dR.version)!.count >= 1, "the final epoch ordered blocks");

  // The light client's chain of sets (sdk/epochs.ts, docs/governance.md §5): a genesis validator that
  // switched every time, and bank-e (it followed epoch 0, then was killed and restarted), serve epoch
  // links that prove every epoch's set from the genesis set, the two additions decided in one epoch
  // as one switch (the version jumps)
  const genesisSet = validatorSetFromGenesis(JSON.parse(readFileSync(cluster.net.genesisFile, "utf8")));
  const expectedSets = book.epochs.map((ep) => [ep.version, ep.members.map((m) => m.partyId)]);
  for (const i of [0, e]) {
    let sets = verifyValidatorSets(genesisSet, []);
    await until(async () => {
      sets = verifyValidatorSets(genesisSet, (await cluster.client(i, "auditor").getValidatorSets()).links);
      return sets.ok && sets.chain.epochs.length === expectedSets.length;
    }, 30_000);
    t.ok(sets.ok, `${cluster.id(i)}'s chain of validator sets verifies from genesis ${sets.ok ? "" : JSON.stringify(sets.problems)}`);
    t.same(sets.chain.epochs.map((ep) => [ep.epoch, ep.validators.map((v) => v.id)]), expectedSets, `${cluster.id(i)} proves every epoch's set`);
  }

  // ---- figures -------------------------------------------------------------------------------------------
  for (const p of phases) {
    const gaps = commitGaps(load.acked, p.switchedAt!, p.from, p.to);
    t.ok(gaps.acksAfter > 0, `${p.name}: the load committed after the switch at ${p.switchedAt}`);
    t.comment(
      `${p.name}: decided in block(s) ${p.decisions.map((d) => d.decidedAt).join(", ")}, switch after block(s) ${[...new Set(p.decisions.map((d) => d.switchAt))].join(", ")}; ` +
        `commit gap across the switch ${gaps.acrossMs === undefined ? "n/a" : `${(gaps.acrossMs / 1000).toFixed(1)} s`}, longest gap between acknowledged commits in the phase ${(gaps.longestMs / 1000).toFixed(1)} s (${((p.to - p.from) / 1000).toFixed(1)} s)`,
    );
  }
  t.comment(
    `load: ${load.acked.length} acknowledged, ${audit.found} found on every node (${audit.lost.length} lost), ${load.stats.flows} flows, ${load.stats.submitted} submissions (${load.stats.resubmissions} resubmissions, ${load.stats.gaveUp} given up); ` +
      `audit: height ${audit.height}, ${audit.blocksCompared} blocks compared and ${audit.certificatesVerified} certificates verified over ${cluster.size} nodes (${REMOVED}'s up to its height ${audit.heights.get(REMOVED)}); total wall time ${((Date.now() - began) / 1000).toFixed(1)} s`,
  );
});

/** The CLI's JSON output, or an object saying what it printed instead (so a failed command fails its assertion, not the test). */
function parsed(out: string): any {
  try {
    return JSON.parse(out);
  } catch {
    return { notJson: out };
  }
}

function s1(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
