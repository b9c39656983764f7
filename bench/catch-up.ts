// `npm run bench:catchup`: how fast a validator restored from an empty data folder catches up by
// block sync (node/driver/state-transfer.ts BlockSync), and where the time goes.
//
//   npm run bench:catchup -- [--blocks 3000] [--txs 6] [--dir /tmp/x] [--keep] [--only replay|snapshot]
//
// A source chain of --blocks blocks of --txs transactions each (the chaos campaign's load commits
// a few transactions per block: register -> attest -> finance -> repay, ~5% fraud attempts) is
// built once on LevelDB, every block with a real commit certificate (3 of 4 validators' ed25519
// signatures over the batch digest). Then a fresh store catches up through BlockSync.syncTo
// exactly as a restored node does: certified blocks served by the node's block server
// (node/net/block-sync.ts certifiedBlockServer over the source's query model, in-process: no
// sockets, so the figures are the node's own work), decoded, certificates verified, blocks
// re-executed and committed (fsync'd, as the node's store does). Printed: blocks per second
// (wall) and per CPU-second, CPU per block, and the split between serving, verifying and
// executing (prefetch, ledger, state root, indexes, LevelDB write).
//
// Then the same catch-up by state transfer of a certified checkpoint snapshot
// (node/driver/snapshot-sync.ts): the source keeps a LevelDB snapshot every 100 blocks with a
// checkpoint certificate (3 of 4 validators' signatures over the block hash), served in pages by
// node/net/snapshot.ts snapshotServer; the fresh store copies it, verifies it (certificate, head
// hash, state root, verifyStore, every commit certificate) and syncs the blocks above it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { BlockTimings } from "../node/chain/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { LedgerQuery } from "../node/query/query.js";
import { certifiedBlockServer } from "../node/net/block-sync.js";
import { BlockSync } from "../node/driver/state-transfer.js";
import { SnapshotSync } from "../node/driver/snapshot-sync.js";
import { snapshotServer } from "../node/net/snapshot.js";
import { createLogger } from "../node/log.js";
import { CHAIN_ID, buildCertifiedChain, openChain, validators } from "../test/fixtures/certified-chain.js";

const { values: args } = parseArgs({
  options: {
    blocks: { type: "string", default: "3000" },
    txs: { type: "string", default: "6" },
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const BLOCKS = Number(args.blocks);
const TXS = Number(args.txs);
const DEPTH = 20; // the node's default state tree depth
const fmt = (n: number, d = 1) => n.toFixed(d);

async function main(): Promise<void> {
  const root = args.dir ?? mkdtempSync(join(tmpdir(), "tl-catchup-"));

  // 1. the source chain
  const b0 = performance.now();
  const { store: source, chain: sourceChain } = await buildCertifiedChain(root, BLOCKS, TXS, 100, { depth: DEPTH });
  console.log(`source chain: ${BLOCKS} blocks of ${TXS} transactions built in ${fmt((performance.now() - b0) / 1000)} s`);
  {
    const c0 = process.cpuUsage();
    const v0 = performance.now();
    await sourceChain.verify();
    const c = process.cpuUsage(c0);
    console.log(`verifyStore over the source: ${fmt(performance.now() - v0, 0)} ms wall, ${fmt((c.user + c.system) / 1000 / BLOCKS, 3)} ms CPU per block`);
  }

  const serveSnapshot = snapshotServer(source);
  for (const mode of ["replay", "snapshot"] as const) {
    if (args.only && args.only !== mode) continue;
    await lane(mode);
  }

  async function lane(mode: "replay" | "snapshot"): Promise<void> {
    // 2. a fresh node catching up
    const { store: target, chain } = await openChain(join(root, `restored-${mode}`), { depth: DEPTH });
    const serve = certifiedBlockServer(new LedgerQuery(source, sourceChain, nodeCrypto));
    const split = { serveMs: 0, serveCpuMs: 0, executeMs: 0, requests: 0 };
    const timings: BlockTimings = { prefetchMs: 0, executeMs: 0, stateRootMs: 0, indexMs: 0, writeMs: 0 };
    const logger = createLogger({ level: "warn", name: "bench" });
    const sync = new BlockSync(
      nodeCrypto,
      CHAIN_ID,
      validators,
      chain,
      async (b) => {
        const t = performance.now();
        const executed = await chain.executeBlock({ height: b.height, time: b.time, view: b.view, txs: b.txs, certificate: b.certificate });
        split.executeMs += performance.now() - t;
        for (const k of Object.keys(timings) as (keyof BlockTimings)[]) timings[k] += executed.timings[k];
        return executed;
      },
      {
        requestBlocks: async (_peer, from, to) => {
          const t = performance.now();
          const c = process.cpuUsage();
          const out = await serve(from, to, 16 * 1024 * 1024);
          const used = process.cpuUsage(c);
          split.serveCpuMs += (used.user + used.system) / 1000;
          split.serveMs += performance.now() - t;
          split.requests++;
          return out;
        },
        penalize: (_peer, reason) => {
          throw new Error(`bench: penalised: ${reason}`);
        },
        name: () => "source",
      },
      logger,
    );
    if (mode === "snapshot") {
      sync.useSnapshots(
        new SnapshotSync(nodeCrypto, CHAIN_ID, validators, chain, {
          requestSnapshot: async (_peer, request, opts) => {
            const t = performance.now();
            const c = process.cpuUsage();
            const out = await serveSnapshot(request, opts?.maxBytes ?? 16 * 1024 * 1024);
            const used = process.cpuUsage(c);
            split.serveCpuMs += (used.user + used.system) / 1000;
            split.serveMs += performance.now() - t;
            split.requests++;
            return out;
          },
          penalize: (_peer, reason) => {
            throw new Error(`bench: penalised: ${reason}`);
          },
          name: () => "source",
        }, logger, { minBlocks: 1 }),
      );
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sync.syncTo(BigInt(BLOCKS), [1]);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (chain.height !== BigInt(BLOCKS) || Buffer.compare(chain.headHash, sourceChain.headHash) !== 0) throw new Error("the restored chain differs from the source");

    const restoreCpuMs = cpuMs - split.serveCpuMs;
    console.log(`\ncatch-up by ${mode === "snapshot" ? "a certified snapshot, then block sync" : "block sync (re-executing every block)"}: ${BLOCKS} blocks (${BLOCKS * TXS} transactions), ${split.requests} requests`);
    console.log(`  ${fmt(BLOCKS / (wallMs / 1000), 0)} blocks/s wall, ${fmt(BLOCKS / (restoreCpuMs / 1000), 0)} blocks per CPU-second of the restored node (serving excluded)`);
    console.log(`  CPU per block: restored node ${fmt(restoreCpuMs / BLOCKS, 2)} ms, serving peer ${fmt(split.serveCpuMs / BLOCKS, 2)} ms`);
    if (mode === "replay") console.log(`  wall per block: serving ${fmt(split.serveMs / BLOCKS, 2)} ms | decode+verify ${fmt((wallMs - split.serveMs - split.executeMs) / BLOCKS, 2)} ms | execute+commit ${fmt(split.executeMs / BLOCKS, 2)} ms`);
    if (mode === "replay") console.log(
      `  execute+commit per block: prefetch ${fmt(timings.prefetchMs / BLOCKS, 2)} | ledger ${fmt(timings.executeMs / BLOCKS, 2)} | state root ${fmt(timings.stateRootMs / BLOCKS, 2)} | indexes ${fmt(timings.indexMs / BLOCKS, 2)} | LevelDB write ${fmt(timings.writeMs / BLOCKS, 2)} ms`,
    );
  if (mode === "snapshot") {
      const st = (sync as unknown as { snapshots?: SnapshotSync }).snapshots?.last;
      if (st) console.log(`  snapshot at ${st.height}: ${st.pages} pages, ${st.entries} entries, ${fmt(st.bytes / 1e6)} MB; copy ${fmt(st.copyMs / 1000, 2)} s, verify ${fmt(st.verifyMs / 1000, 2)} s`);
    }
    await target.close();
  }
  await source.close();
  if (!args.keep && !args.dir) rmSync(root, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
