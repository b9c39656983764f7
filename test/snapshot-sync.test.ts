// Catch-up of a store restored from scratch (node/driver/snapshot-sync.ts, node/net/snapshot.ts,
// docs/consensus.md §4.5): it adopts a certified checkpoint snapshot instead of re-executing every
// block since genesis, and nothing a peer serves is adopted unless 2f+1 validator signatures prove
// it: a forged state record, index entry, commit certificate or checkpoint certificate is refused
// with a typed error, the peer is penalised, and the store is back at genesis, whole.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { toHex } from "../sdk/bytes.js";
import { checkpointSigningBytes } from "../sdk/commit.js";
import { nodeCrypto } from "../node/crypto.js";
import { createLogger } from "../node/log.js";
import { BlockSync, SyncFault, type CertifiedExecution } from "../node/driver/state-transfer.js";
import { SnapshotSync, type SnapshotPeers, type SnapshotSets } from "../node/driver/snapshot-sync.js";
import type { ValidatorSetChain } from "../sdk/certified.js";
import { certifiedBlockServer } from "../node/net/block-sync.js";
import { decodePageHeader, decodeSnapshotRequest, encodeSnapshotRequest, packEntries, snapshotServer, unpackEntries } from "../node/net/snapshot.js";
import { encodeCheckpointRecord } from "../node/store/blocks.js";
import { Bucket } from "../node/store/buckets.js";
import { LedgerQuery } from "../node/query/query.js";
import { CHAIN_ID, buildCertifiedChain, openChain, validators, type CertifiedChain } from "./fixtures/certified-chain.js";

const logger = createLogger({ level: "silent", name: "snapshot-test" });
const root = mkdtempSync(join(tmpdir(), "tl-snapshot-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

// 130 blocks; snapshots and checkpoint certificates every 50: the newest certified snapshot is 100.
const BLOCKS = 130;
let source: CertifiedChain;
t.before(async () => {
  source = await buildCertifiedChain(root, BLOCKS, 4, 50);
});
t.teardown(() => source?.store.close());

type Rewrite = (frames: Uint8Array[], request: Uint8Array) => Uint8Array[];

/** A restored node's BlockSync against the source, with counters, and optionally a lying snapshot server. */
async function restored(name: string, opts: { rewrite?: Rewrite; snapshots?: boolean; minBlocks?: number; sets?: SnapshotSets } = {}) {
  const target = await openChain(join(root, name));
  const serveBlocks = certifiedBlockServer(new LedgerQuery(source.store, source.chain, nodeCrypto));
  const serveSnapshot = snapshotServer(source.store);
  const counts = { blockRequests: 0, executed: 0, snapshotPages: 0, penalties: [] as string[] };
  const peers: SnapshotPeers & { requestBlocks(peer: number, from: bigint, to: bigint): Promise<Uint8Array[]> } = {
    requestBlocks: async (_peer, from, to) => {
      counts.blockRequests++;
      return serveBlocks(from, to, 16 * 1024 * 1024);
    },
    requestSnapshot: async (_peer, request) => {
      counts.snapshotPages++;
      const frames = await serveSnapshot(request, 16 * 1024 * 1024);
      return opts.rewrite ? opts.rewrite(frames, request) : frames;
    },
    penalize: (_peer, reason) => void counts.penalties.push(reason),
    name: (peer) => `peer-${peer}`,
  };
  const execute = async (b: CertifiedExecution) => {
    counts.executed++;
    return target.chain.executeBlock({ height: b.height, time: b.time, view: b.view, txs: b.txs, certificate: b.certificate });
  };
  const sync = new BlockSync(nodeCrypto, CHAIN_ID, validators, target.chain, execute, peers, logger);
  const snapshots = new SnapshotSync(nodeCrypto, CHAIN_ID, validators, target.chain, peers, logger, { minBlocks: opts.minBlocks ?? 50, pageBytes: 128 * 1024, ...(opts.sets ? { sets: opts.sets } : {}) });
  if (opts.snapshots !== false) sync.useSnapshots(snapshots);
  t.teardown(() => target.store.close());
  return { ...target, sync, snapshots, counts };
}

/** Rewrites the entries of every page with `edit` (entries in key order). */
function editEntries(edit: (entries: [Uint8Array, Uint8Array][]) => [Uint8Array, Uint8Array][]): Rewrite {
  return (frames) => {
    const entries = frames.slice(1).flatMap((f) => unpackEntries(f));
    return [frames[0]!, ...packEntries(edit(entries))];
  };
}

t.test("before: a store restored from scratch re-executes every block since genesis", async (t) => {
  const r = await restored("replay", { snapshots: false });
  await r.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(r.chain.height, BigInt(BLOCKS));
  t.equal(r.counts.executed, BLOCKS, "every block executed again");
  t.equal(toHex(r.chain.headHash), toHex(source.chain.headHash));
});

t.test("a store restored from scratch adopts the certified snapshot, executes only the blocks above it, and verifies whole", async (t) => {
  const r = await restored("snapshot");
  await r.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(r.chain.height, BigInt(BLOCKS));
  t.equal(toHex(r.chain.headHash), toHex(source.chain.headHash), "the same head as the source");
  t.equal(r.snapshots.last?.height, 100n, "the newest snapshot with a checkpoint certificate (100; the head, 130, has none)");
  t.equal(r.counts.executed, BLOCKS - 100, "only the 30 blocks above the snapshot are executed");
  t.ok(r.counts.snapshotPages > 1, `copied in ${r.counts.snapshotPages} pages of at most 128 KiB`);
  t.same(r.counts.penalties, [], "an honest peer is not penalised");
  const report = await r.chain.verify();
  t.equal(report.height, BigInt(BLOCKS), "verifyStore passes on the restored store");
  t.equal(report.certificates, BLOCKS, "every block has its commit certificate");
  t.ok(await r.store.blocks.checkpointFrom(100n, 100n), "the checkpoint certificate that proved it is kept");
  // the restored store reopens cleanly (its meta record is durable)
  await r.store.close();
  const again = await openChain(join(root, "snapshot"));
  t.equal(again.chain.height, BigInt(BLOCKS));
  t.equal(toHex(again.chain.headHash), toHex(source.chain.headHash));
  await again.store.close();
});

t.test("a snapshot below minBlocks above the head is not worth copying: block sync instead", async (t) => {
  const r = await restored("small", { minBlocks: 51 });
  await r.sync.syncTo(75n, [1]);
  t.equal(r.counts.executed, 75, "executed block by block");
  t.equal(r.snapshots.last, undefined, "no snapshot adopted (50 is the newest at or below 75, and minBlocks is 51)");
});

async function refused(t: Test, name: string, rewrite: Rewrite, reason: RegExp) {
  const r = await restored(name, { rewrite });
  await r.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(r.snapshots.last, undefined, "the forged snapshot is not adopted");
  t.equal(r.counts.penalties.length, 1, "the peer is penalised once");
  t.match(r.counts.penalties[0] ?? "", reason, "with the reason");
  t.equal(r.counts.executed, BLOCKS, "the node fell back to block sync from genesis");
  t.equal(toHex(r.chain.headHash), toHex(source.chain.headHash), "and reached the right head");
  t.equal((await r.chain.verify()).height, BigInt(BLOCKS), "the store verifies: nothing forged was left behind");
}

t.test("a forged state record is refused (verifyStore: it disagrees with the state tree and the aggregates)", (t) =>
  refused(
    t,
    "forged-state",
    editEntries((entries) =>
      entries.map(([k, v]) => {
        if (k[0] === Bucket.state && v.length > 8 && new TextDecoder().decode(k.subarray(1, 3)) === "r/") {
          const forged = Uint8Array.from(v);
          forged[forged.length - 1]! ^= 1;
          return [k, forged];
        }
        return [k, v];
      }),
    ),
    /snapshot does not verify: /,
  ),
);

t.test("an index entry added is refused (verifyStore: it matches no block or record)", (t) =>
  refused(
    t,
    "forged-index",
    editEntries((entries) => {
      const extra: [Uint8Array, Uint8Array] = [Uint8Array.of(Bucket.idxRejection, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9), new Uint8Array(0)];
      const out = [...entries];
      // only in the page whose key range holds it, so that entries stay in key order
      const at = out.findIndex(([k]) => Buffer.compare(k, extra[0]) > 0);
      if (at > 0 && Buffer.compare(out[at - 1]![0], extra[0]) < 0) out.splice(at, 0, extra);
      return out;
    }),
    /does not verify: index entry/,
  ),
);

t.test("a commit certificate with a forged signature is refused", (t) =>
  refused(
    t,
    "forged-commit",
    editEntries((entries) =>
      entries.map(([k, v]) => {
        if (k[0] !== Bucket.blockCertificate || k[8] !== 7 || k.slice(1, 8).some((b) => b !== 0)) return [k, v];
        // block 7's certificate with one bit of a signature flipped
        const forged = Uint8Array.from(v);
        forged[forged.length - 2]! ^= 0x40;
        return [k, forged];
      }),
    ),
    /does not verify: block 7: /,
  ),
);

t.test("a snapshot whose checkpoint certificate lacks a quorum is refused before anything is copied", async (t) => {
  const r = await restored("forged-checkpoint", {
    rewrite: (frames, request) => {
      const header = decodePageHeader(frames[0]!);
      const c = header.certificate;
      // two genuine signatures and a third by a key that is not validator 2's
      const stranger = nodeCrypto.sign(new Uint8Array(32).fill(9), checkpointSigningBytes(CHAIN_ID, c.seq, c.timestamp, c.blockHash, 2));
      const forged = encodeCheckpointRecord({ ...c, signatures: [c.signatures[0]!, c.signatures[1]!, { replica: 2, signature: stranger }] });
      const head = frames[0]!.slice(0, 10);
      t.equal(decodeSnapshotRequest(request).height, 0n, "only the first page is served");
      const out = new Uint8Array(10 + forged.length);
      out.set(head);
      out.set(forged, 10);
      return [out, ...frames.slice(1)];
    },
  });
  await r.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(r.snapshots.last, undefined);
  t.equal(r.counts.snapshotPages, 1, "nothing beyond the first page was asked for");
  t.match(r.counts.penalties[0] ?? "", /snapshot certificate: bad checkpoint signature/);
  t.equal(r.counts.executed, BLOCKS, "block sync from genesis instead");
});

t.test("garbage frames are a typed fault and a penalty, never a crash", async (t) => {
  const r = await restored("garbage", { rewrite: (frames) => [frames[0]!, Uint8Array.of(0, 5, 0, 0, 0, 200, 1, 2)] });
  await r.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(r.snapshots.last, undefined);
  t.match(r.counts.penalties[0] ?? "", /overruns its frame/);
  t.equal(r.chain.height, BigInt(BLOCKS), "block sync from genesis instead");
  // the typed error itself, from adopt's per-peer attempt
  const bare = await restored("garbage-typed", { rewrite: (frames) => [frames[0]!, Uint8Array.of(0, 5, 0, 0, 0, 200, 1, 2)] });
  await t.rejects((bare.snapshots as unknown as { adoptFrom(peer: number, o: object): Promise<unknown> }).adoptFrom(1, {}), SyncFault);
  t.equal(bare.chain.height, 0n, "and the store is back at genesis");
});

t.test("a snapshot load interrupted by a crash is dropped at the next open: the store starts from genesis and can copy again", async (t) => {
  const dir = join(root, "interrupted");
  const first = await openChain(dir);
  await first.store.beginSnapshotLoad();
  const page = await snapshotServer(source.store)(encodeSnapshotRequest({ height: 0n, maxHeight: 0n, maxBytes: 128 * 1024, cursor: undefined }), 1 << 24);
  await first.store.loadSnapshotEntries(page.slice(1).flatMap((f) => unpackEntries(f)));
  await first.store.close(); // the process dies here: no adoption, no abandon
  const again = await openChain(dir);
  t.ok(again.store.droppedInterruptedSnapshot, "open() found the loading marker and emptied the store");
  t.equal(again.chain.height, 0n, "height 0, the genesis written again");
  t.equal((await again.chain.verify()).height, 0n, "verifyStore passes: nothing of the copy is left");
  await again.store.close();
  const r = await restored("interrupted");
  await r.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(r.snapshots.last?.height, 100n, "and it copies a snapshot again");
  t.equal(toHex(r.chain.headHash), toHex(source.chain.headHash));
});

t.test("every bucket a snapshot copies is one verifyStore checks exactly (a new bucket must be verified before it is copied)", async (t) => {
  const { SNAPSHOT_BUCKETS } = await import("../node/store/store.js");
  const { VERIFIED_BUCKETS } = await import("../node/store/verify.js");
  const { BUCKET_NAMES } = await import("../node/store/buckets.js");
  t.same([...SNAPSHOT_BUCKETS].filter((b) => !VERIFIED_BUCKETS.has(b)).map((b) => BUCKET_NAMES[b]), []);
});

t.test("the source keeps the newest snapshots and serves only certified ones", async (t) => {
  t.same(source.store.snapshotHeights, [50n, 100n], "one every 50 blocks");
  const serve = snapshotServer(source.store);
  const first = decodePageHeader((await serve(encodeSnapshotRequest({ height: 0n, maxHeight: 75n, maxBytes: 128 * 1024, cursor: undefined }), 16 * 1024 * 1024))[0]!);
  t.equal(first.height, 50n, "the newest at or below maxHeight");
  await t.rejects(Promise.resolve().then(() => serve(encodeSnapshotRequest({ height: 300n, maxHeight: 0n, maxBytes: 128 * 1024, cursor: undefined }), 1 << 24)), /no longer kept/);
  await t.rejects(Promise.resolve().then(() => serve(Uint8Array.of(1, 2, 3), 1 << 24)), { code: "BAD_SNAPSHOT_REQUEST" });
});

/** Frame 0 of a page with its checkpoint certificate relabelled as one of `epoch` (signatures untouched). */
function relabelled(epoch: bigint): Rewrite {
  return (frames) => {
    const c = decodePageHeader(frames[0]!).certificate;
    const cert = encodeCheckpointRecord({ ...c, epoch });
    const out = new Uint8Array(10 + cert.length);
    out.set(frames[0]!.slice(0, 10));
    out.set(cert, 10);
    return [out, ...frames.slice(1)];
  };
}

t.test("a snapshot of a later validator-set epoch: its epoch is proven from genesis first (epoch links), and its certificate checked with that epoch's set", async (t) => {
  const genesisOnly: ValidatorSetChain = { chainId: CHAIN_ID, epochs: [{ epoch: 0n, baseSeq: 0n, validators }] };
  const asked: [bigint, number][] = [];
  // the node cannot prove epoch 1 (the server withheld the links): not adopted, the server not blamed
  const unproven = await restored("epoch-unproven", { rewrite: relabelled(1n), sets: { proving: async (epoch, peer) => (asked.push([epoch, peer]), genesisOnly) } });
  await unproven.sync.syncTo(BigInt(BLOCKS), [1]);
  t.same(asked, [[1n, 1]], "the snapshot's server is asked for the links of epoch 1");
  t.equal(unproven.snapshots.last, undefined, "not adopted");
  t.same(unproven.counts.penalties, [], "no blame: another peer may prove it");
  t.equal(unproven.counts.executed, BLOCKS, "block sync from genesis instead");

  // epoch 1 proven, but the certificate was signed as epoch 0's: refused with epoch 1's signing chain
  const chain: ValidatorSetChain = { chainId: CHAIN_ID, epochs: [{ epoch: 0n, baseSeq: 0n, endSeq: 10n, validators }, { epoch: 1n, baseSeq: 10n, validators }] };
  const wrongSigs = await restored("epoch-relabelled", { rewrite: relabelled(1n), sets: { proving: async () => chain } });
  await wrongSigs.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(wrongSigs.snapshots.last, undefined);
  t.match(wrongSigs.counts.penalties, [/snapshot certificate: bad checkpoint signature/], "signatures over epoch 0's bytes are not epoch 1's");

  // a genesis-set snapshot with the chain of sets given: adopted as before, nothing asked
  const calls: bigint[] = [];
  const plain = await restored("epoch-0-with-sets", { sets: { proving: async (epoch) => (calls.push(epoch), genesisOnly) } });
  await plain.sync.syncTo(BigInt(BLOCKS), [1]);
  t.equal(plain.snapshots.last?.height, 100n, "adopted");
  t.same(calls, [], "epoch 0 needs no link");
  t.same(plain.counts.penalties, []);
});

t.test("a node offers only the snapshots whose certificate it can vouch for (servable)", async (t) => {
  const serve = snapshotServer(source.store, (c) => c.seq <= 50n);
  const first = decodePageHeader((await serve(encodeSnapshotRequest({ height: 0n, maxHeight: 0n, maxBytes: 128 * 1024, cursor: undefined }), 16 * 1024 * 1024))[0]!);
  t.equal(first.height, 50n, "the newest servable, not the newest kept (100)");
  await t.rejects(Promise.resolve().then(() => serve(encodeSnapshotRequest({ height: 100n, maxHeight: 0n, maxBytes: 128 * 1024, cursor: undefined }), 1 << 24)), /does not prove/);
  await t.rejects(Promise.resolve().then(() => snapshotServer(source.store, () => false)(encodeSnapshotRequest({ height: 0n, maxHeight: 0n, maxBytes: 128 * 1024, cursor: undefined }), 1 << 24)), /no certified snapshot/);
});
