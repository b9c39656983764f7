// Crash safety of the store: a child process commits blocks of real signed transactions in a loop
// (test/fixtures/store-crash-child.ts) and is killed with SIGKILL at random moments, several times.
// After each kill the store must reopen with every acknowledged block present, every block whole
// (header, transactions, receipts, lookups), heights contiguous, the indexes equal to what the
// blocks and state imply and the state root recomputed from scratch equal to the head's
// (Chain.verify). Finally every block is replayed into a fresh store and must hash the same.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { toHex } from "../sdk/bytes.js";
import { decodeTx } from "../sdk/tx.js";
import { Chain } from "../node/chain/chain.js";
import { LedgerQuery } from "../node/query/query.js";
import { nodeCrypto } from "../node/crypto.js";
import { Store } from "../node/store/store.js";
import { WORKLOAD_CHAIN_ID, makeParties, prng } from "./fixtures/ledger-workload.js";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "store-crash-child.js");
const ROUNDS = 10;
/** A small tree (256 buckets): many records share a bucket, so bucket updates are exercised. */
const CRASH_TREE_DEPTH = 8;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const genesis = () => ({ chainId: WORKLOAD_CHAIN_ID, parties: makeParties(nodeCrypto, { banks: 2, exporters: 4 }).map((p) => p.party), stateTreeDepth: CRASH_TREE_DEPTH });

interface RunResult {
  acknowledged: Map<bigint, string>;
  openedAt: bigint;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the child until it has acknowledged `blocks` more blocks, then kills it after `extraMs`. */
function runAndKill(dir: string, round: number, blocks: number, extraMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(round), String(CRASH_TREE_DEPTH)], { stdio: ["ignore", "pipe", "pipe"] });
    const acknowledged = new Map<bigint, string>();
    let openedAt = -1n;
    let stderr = "";
    let buffered = "";
    let killing = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const [what, h, hash] = line.split(" ");
        if (what === "opened") openedAt = BigInt(h!);
        if (what === "committed") acknowledged.set(BigInt(h!), hash!);
      }
      if (!killing && acknowledged.size >= blocks) {
        killing = true;
        setTimeout(() => child.kill("SIGKILL"), extraMs);
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ acknowledged, openedAt, stderr, code, signal }));
  });
}

t.test(`SIGKILL while committing: blocks whole or absent, indexes and state root agree (seed ${SEED})`, async (t) => {
  t.setTimeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), "tradeledger-crash-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rand = prng(SEED);
  let lastHeight = 0n;
  const hashes = new Map<bigint, string>();
  for (let round = 1; round <= ROUNDS; round++) {
    const blocks = 1 + Math.floor(rand() * 6);
    const extraMs = Math.floor(rand() * 60);
    const run = await runAndKill(dir, round, blocks, extraMs);
    t.equal(run.signal, "SIGKILL", `round ${round}: the child was killed, not crashed (${run.stderr.trim().slice(0, 500)})`);
    t.equal(run.openedAt, lastHeight, `round ${round}: the child reopened at the height the previous round left`);

    const store = await Store.open(dir);
    const chain = await Chain.open(store, genesis());
    const query = new LedgerQuery(store, chain, nodeCrypto);
    const maxAck = [...run.acknowledged.keys()].reduce((a, b) => (b > a ? b : a), 0n);
    t.ok(chain.height >= maxAck, `round ${round}: every acknowledged block survived (head ${chain.height}, acknowledged ${maxAck})`);
    t.ok(chain.height <= maxAck + 1n, `round ${round}: at most the block in flight was added`);
    for (const [h, hash] of run.acknowledged) {
      const header = await query.getHeader(h);
      t.equal(header && toHex(header.hash), hash, `round ${round}: block ${h} is the one acknowledged`);
      hashes.set(h, hash);
    }
    const report = await chain.verify();
    t.equal(report.height, chain.height, `round ${round}: full verification passed at height ${report.height} (${report.txs} txs, ${report.indexEntries} index entries)`);
    t.equal(report.certificates, Number(chain.height), `round ${round}: every block has its commit certificate`);
    for (let h = 1n; h <= chain.height; h++) hashes.set(h, toHex((await query.getHeader(h))!.hash));
    let signedRecords = 0;
    for await (const _ of store.consensus.entries()) signedRecords++;
    t.ok(signedRecords >= Number(chain.height), `round ${round}: a consensus record precedes every block`);
    lastHeight = chain.height;
    await store.close();
  }
  t.ok(lastHeight >= BigInt(ROUNDS), "blocks were committed across the rounds");

  // Replay every stored block into a fresh store: identical hashes, block by block.
  const source = await Store.open(dir);
  const from = await Chain.open(source, genesis());
  const fromQuery = new LedgerQuery(source, from, nodeCrypto);
  const replayDir = mkdtempSync(join(tmpdir(), "tradeledger-replay-"));
  t.teardown(() => rmSync(replayDir, { recursive: true, force: true }));
  const replayStore = await Store.open(replayDir, { sync: false });
  const replay = await Chain.open(replayStore, genesis());
  let mismatches = 0;
  for (let h = 1n; h <= from.height; h++) {
    const block = (await fromQuery.getBlock(h))!;
    const txs = block.txs.map((b) => decodeTx(nodeCrypto, b));
    const out = await replay.executeBlock({ height: h, time: block.header.time, proposer: block.header.proposer, view: block.header.view, txs, expectedHash: block.hash });
    if (toHex(out.hash) !== hashes.get(h)) mismatches++;
  }
  t.equal(mismatches, 0, `replaying ${from.height} blocks reproduces every block hash`);
  t.same(replay.stateRoot, from.stateRoot, "and the same state root");
  await replayStore.close();
  await source.close();
});
