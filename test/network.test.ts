// The node as operators run it: 4 validator processes (`tradeledger start`), real libp2p, LevelDB
// and HTTP. Under a steady signed load: kill -9 of a backup, kill -9 of the primary (a view change),
// both restarted from disk; every transaction acknowledged as committed must be on every node and
// all nodes must end on the same head.
import t from "tap";
import { randomBytes } from "node:crypto";
import { Cluster, FAST_CONSENSUS, sleep } from "../tools/cluster.js";
import { tx } from "../sdk/builders.js";
import { sha256 } from "../sdk/crypto.js";

const EXPORTERS = ["exporter-hz-textiles", "exporter-sz-electronics"];

class Load {
  readonly acked: string[] = [];
  failures = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly cluster: Cluster, workers: number) {
    for (let w = 0; w < workers; w++) this.loops.push(this.loop(w));
  }

  private async loop(w: number): Promise<void> {
    let n = 0;
    while (this.running) {
      const up = [...Array(this.cluster.size).keys()].filter((i) => this.cluster.isRunning(i));
      const i = up[(w + n++) % up.length]!;
      const exporter = EXPORTERS[w % EXPORTERS.length]!;
      const payload = tx.anchorDocument({ documentHash: sha256(randomBytes(32)), documentType: "PACKING_LIST", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) });
      try {
        const committed = await this.cluster.client(i, exporter).submit(payload, this.cluster.signer(exporter), { wait: "commit", timeoutMs: 20_000 });
        if (committed.receipt.code !== "OK") throw new Error(`unexpected ${committed.receipt.code}`);
        this.acked.push(committed.txHash);
      } catch {
        this.failures++; // the node died under us, or the commit wait timed out: not acknowledged
        await sleep(100);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

t.test("kill -9 of a backup and of the primary under load: nothing acknowledged is lost", async (t) => {
  const cluster = await Cluster.create({ consensus: FAST_CONSENSUS });
  t.teardown(() => cluster.destroy());
  await cluster.startAll();
  t.ok(await cluster.converged({ timeoutMs: 30_000 }), "four validators up");

  const load = new Load(cluster, 6);
  await sleep(3000);
  const before = load.acked.length;
  t.ok(before > 0, `${before} transactions committed before any fault`);

  // A backup dies: 3 of 4 is a quorum (2f+1), the network goes on.
  const primary = (await cluster.primary(0))!;
  const backup = (primary + 1) % 4;
  await cluster.kill(backup);
  const atKill = load.acked.length;
  await sleep(4000);
  t.ok(load.acked.length > atKill, `with ${cluster.id(backup)} killed: ${load.acked.length - atKill} more commits`);

  // Bring it back before killing the primary (two down would be more than f = 1).
  await cluster.start(backup);
  t.ok(await cluster.converged({ timeoutMs: 60_000 }), `${cluster.id(backup)} restarted and caught up`);

  // The primary (as of now: load may already have caused a view change) dies: the others change
  // view and go on.
  // Asked of the nodes that stayed up, in an active view: the restarted one may still be in a view
  // change of its own (its request timer can fire while it catches up), and name the primary of a
  // view nobody else is in.
  let current = -1;
  let viewBefore = 0n;
  for (let tries = 0; tries < 120 && current < 0; tries++) {
    for (const i of [0, 1, 2, 3].filter((k) => k !== backup)) {
      const s = await cluster.status(i);
      if (s?.viewActive && s.primary) {
        current = cluster.indexOf(s.primary);
        viewBefore = BigInt(s.view ?? "0");
        break;
      }
    }
    if (current < 0) await sleep(250);
  }
  t.ok(current >= 0, "a node that stayed up names the primary of its active view");
  await cluster.kill(current);
  const atPrimaryKill = load.acked.length;
  const survivor = [0, 1, 2, 3].find((k) => k !== current && k !== backup)!;
  let viewAfter = viewBefore;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    viewAfter = BigInt((await cluster.status(survivor))?.view ?? "0");
    if (viewAfter > viewBefore && load.acked.length > atPrimaryKill + 5) break;
    await sleep(250);
  }
  t.ok(viewAfter > viewBefore, `view changed from ${viewBefore} to ${viewAfter} after the primary ${cluster.id(current)} was killed`);
  t.ok(load.acked.length > atPrimaryKill, `${load.acked.length - atPrimaryKill} commits in the new view`);

  await cluster.start(current);
  await sleep(2000);
  await load.stop();
  t.ok(await cluster.converged({ timeoutMs: 60_000 }), "all four on the same height and head hash after restarts");
  const heads = await cluster.heads();
  t.equal(new Set(heads.map((h) => h.stateRoot)).size, 1, `one state root at height ${heads[0]!.height}`);

  // Every acknowledged transaction is on every node.
  let missing = 0;
  for (let i = 0; i < cluster.size; i++) {
    const auditor = cluster.client(i, "auditor");
    for (const hash of load.acked) {
      try {
        const got = await auditor.getTx(hash);
        if (got.receipt.code !== "OK") missing++;
      } catch {
        missing++;
      }
    }
  }
  t.equal(missing, 0, `${load.acked.length} acknowledged transactions present on all 4 nodes (${load.failures} submissions not acknowledged)`);
  t.ok(load.acked.length > 30, "a meaningful load");
});
