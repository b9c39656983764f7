// A node restored from scratch on a real network (in-process validators over real libp2p and
// LevelDB, test/net-harness.ts): the observer's data folder is emptied while the validators go on,
// and on restart it copies a certified checkpoint snapshot over /tradeledger/snapshot/1 from a
// validator, then follows by block sync (docs/consensus.md §4.5). The forged cases are in
// test/snapshot-sync.test.ts.
import t from "tap";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { startTestNetwork, eventually, type TestNetwork } from "./net-harness.js";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { nodeCrypto } from "../node/crypto.js";
import type { TradeLedgerNode as Node } from "../node/node.js";

let net: TestNetwork;
const EXPORTER = "exporter-hz-textiles";

t.before(async () => {
  // checkpoints every 5 blocks (TEST_CONSENSUS), a snapshot at every checkpoint, adopted from 10 blocks up
  net = await startTestNetwork({ observer: true, snapshots: { everyCheckpoints: 1, minBlocks: 10 } });
});
t.teardown(async () => {
  await net?.stop();
});

const live = () => net.nodes.filter((n): n is Node => n !== undefined);

async function commitOne(node: Node): Promise<void> {
  const signed = net.sign(EXPORTER, tx.anchorDocument({ documentHash: nodeCrypto.sha256(randomBytes(16)), documentType: "PACKING_LIST", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }));
  const admission = await node.api.submit(signed.bytes);
  if (!admission.ok) throw new Error(`refused ${admission.code}: ${admission.message}`);
  if (!(await node.api.waitForCommit(signed.hashHex, 20_000))) throw new Error("not committed in time");
}

t.test("an observer whose data folder was emptied adopts a validator's certified snapshot, then follows", async (t) => {
  await net.observer!.stop();
  rmSync(net.observerConfig!.dataDir, { recursive: true, force: true });
  const [a] = live();
  for (let i = 0; i < 30; i++) await commitOne(a!);
  const height = a!.chain.height;
  t.ok(height >= 30n, `the validators are at ${height}`);

  const observer = await net.restartObserver();
  t.ok(await eventually(() => observer.chain.height >= height, 30_000), "the restored observer caught up");
  t.ok(await eventually(() => observer.snapshots?.last !== undefined, 10_000), "by a snapshot");
  const adopted = observer.snapshots?.last;
  t.ok(adopted && adopted.height >= 10n && adopted.height % 5n === 0n, `it adopted a certified snapshot (at ${adopted?.height}, a checkpoint)`);
  t.ok((await observer.store.blocks.checkpointFrom(adopted!.height, adopted!.height)) !== undefined, "and kept the checkpoint certificate that proved it");
  t.equal(toHex(observer.chain.headHash), toHex((await a!.query.getHeader(observer.chain.height))!.hash), "the same chain as the validators");
  const report = await observer.chain.verify();
  t.equal(report.certificates, Number(report.height), "every block with its commit certificate; verifyStore passes");

  // and it keeps following what the validators commit next
  await commitOne(a!);
  t.ok(await eventually(() => observer.chain.height >= a!.chain.height, 20_000), "it follows by block sync afterwards");
});
