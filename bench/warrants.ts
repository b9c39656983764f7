// The warrant mix of `npm run bench:ledger` (bench/ledger.ts runs it after its own figures): the cost of digital
// warrants (docs/warrants.md) against the receivable financing of Part I, per transaction, through
// the same real block executor (node/chain/chain.ts) on LevelDB, with ed25519 verification on.
//
//   npm run bench:ledger                        (after the ledger figures; --warrant-blocks, --warrant-txs)
//   node dist/bench/warrants.js [--blocks 10] [--txs 400] [--no-sync] [--dir /tmp/x] [--keep]
//
// Three lanes, each its own store and chain, run their blocks alternately (block 1 of every lane,
// then block 2 of every lane, ...), so the noise of a shared machine falls on all of them alike:
//   finance    financeReceivable of an attested receivable (the Part I financing step)
//   issue      issueWarrant on a credit line, backed by one invoice of the holder on the obligor
//   transfer4  transferWarrant of a piece into 4 outputs (each backed by the recipient's invoice on
//              the sender) and the remainder back to the sender: 5 new pieces, 4 invoices committed
// The state each lane's measured blocks need (registered and attested receivables, lines, warrants,
// the recipients' invoices) is built by unmeasured setup blocks first. Only executeBlock is timed,
// with transactions signed ahead; every measured receipt must be OK or the run fails.
//
// The goal (DESIGN.md §7 work plan): a transfer with 4 outputs costs at most 2x a receivable
// financing per transaction; the last line prints the ratio.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { signTx, verifyTxSignature, type Tx, type TxBody } from "../sdk/tx.js";
import type { TxPayload } from "../sdk/transactions/index.js";
import { tx } from "../sdk/builders.js";
import { pieceIdOf } from "../sdk/transactions/warrant-common.js";
import { Chain, type ChainGenesis } from "../node/chain/chain.js";
import { nodeCrypto } from "../node/crypto.js";
import { Store } from "../node/store/store.js";
import { DAY_MS, makeParty, sha256, WORKLOAD_T0, type WorkloadParty } from "../test/fixtures/ledger-workload.js";

export interface WarrantBenchOptions {
  /** measured blocks per lane */
  blocks: number;
  /** transactions per block */
  txs: number;
  sync: boolean;
  /** where the stores go (default a temp folder, removed after) */
  dir?: string;
  keep?: boolean;
}

const CHAIN_ID = "tradeledger-bench-warrants";
const CCY = "CNY";
const fmt = (n: number, d = 0) => n.toFixed(d);

export function int(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const day = (t: bigint, days: number) => new Date(Number(t + BigInt(days) * DAY_MS)).toISOString().slice(0, 10);

// ---- lanes -------------------------------------------------------------------------------------
interface Lane {
  name: string;
  store: Store;
  chain: Chain;
  height: bigint;
  /** setup blocks, built lazily against the lane's own earlier receipts */
  setup: ((time: bigint) => Tx[])[];
  /** the i-th measured block */
  measured: (i: number, time: bigint) => Tx[];
  wallMs: number;
  cpuMs: number;
  txs: number;
  blockMs: number[];
}

async function openLane(name: string, dir: string, parties: WorkloadParty[], sync: boolean): Promise<Pick<Lane, "name" | "store" | "chain" | "height" | "wallMs" | "cpuMs" | "txs" | "blockMs">> {
  const store = await Store.open(dir, { sync, writeBufferBytes: 64 * 1024 * 1024 });
  const genesis: ChainGenesis = { chainId: CHAIN_ID, parties: parties.map((p) => p.party), stateTreeDepth: 20, genesisTime: WORKLOAD_T0 };
  const chain = await Chain.open(store, genesis, { crypto: nodeCrypto, verifySignature: (t, pk) => verifyTxSignature(nodeCrypto, pk, t) });
  if (store.height !== 0n) throw new Error(`${dir} already holds a chain; use a fresh --dir`);
  return { name, store, chain, height: 0n, wallMs: 0, cpuMs: 0, txs: 0, blockMs: [] };
}

async function execute(lane: Lane, txs: Tx[], time: bigint, measure: boolean): Promise<void> {
  lane.height++;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await lane.chain.executeBlock({ height: lane.height, time, proposer: "validator-0", view: 0n, txs });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const bad = result.receipts.filter((r) => r.code !== "OK");
  if (bad.length > 0) throw new Error(`${lane.name}: block ${lane.height}: ${bad.length} receipts not OK, e.g. ${bad[0]!.code} ${bad[0]!.message}`);
  if (measure) {
    lane.wallMs += wall;
    lane.cpuMs += (cpu.user + cpu.system) / 1000;
    lane.txs += txs.length;
    lane.blockMs.push(wall);
  }
}

const chunk = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/** Runs the three lanes; prints per-lane figures and the ratio line; returns the figures. */
export async function benchWarrants(opts: WarrantBenchOptions): Promise<{ financeTps: number; issueTps: number; transfer4Tps: number; transfer4VsFinance: number }> {
  const { blocks: BLOCKS, txs: TXS, sync: SYNC } = opts;
  // parties: one tier-1 holder per transaction of a block, four tier-2 suppliers
  const bank = makeParty(nodeCrypto, "bank-0", "BANK");
  const customs = makeParty(nodeCrypto, "customs-cn", "CUSTOMS");
  const obligor = makeParty(nodeCrypto, "carmaker", "ENTERPRISE");
  const exporter = makeParty(nodeCrypto, "exporter-0", "ENTERPRISE");
  /** one tier-1 holder per transaction of a block: each spends its own piece once per block */
  const holders = Array.from({ length: TXS }, (_, i) => makeParty(nodeCrypto, `tier1-${i}`, "ENTERPRISE"));
  const suppliers = Array.from({ length: 4 }, (_, i) => makeParty(nodeCrypto, `tier2-${i}`, "ENTERPRISE"));
  const parties: WorkloadParty[] = [bank, customs, obligor, exporter, ...holders, ...suppliers];
  const byId = new Map(parties.map((p) => [p.id, p]));

  let nonceCounter = 0n;
  function sign(signer: string, payload: TxPayload, time: bigint): Tx {
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setBigUint64(8, ++nonceCounter);
    const body: TxBody = { chainId: CHAIN_ID, signer, createdAt: time, nonce, payload };
    return signTx(nodeCrypto, body, byId.get(signer)!.seed);
  }

  let docCounter = 0;
  function register(seller: string, buyerPartyId: string, amount: bigint, time: bigint): Tx {
    const n = ++docCounter;
    return sign(
      seller,
      tx.registerReceivable({
        documentHash: sha256(`bench-warrants/doc/${n}`),
        fingerprint: sha256(`bench-warrants/fp/${n}`),
        buyerId: buyerPartyId || "DE-HRB-204871",
        ...(buyerPartyId ? { buyerPartyId } : {}),
        amount,
        currency: CCY,
        issueDate: day(time, 0),
        dueDate: day(time, 90),
      }),
      time,
    );
  }


  const base = opts.dir ?? mkdtempSync(join(tmpdir(), "tradeledger-bench-warrants-"));
  mkdirSync(base, { recursive: true });
  console.log(`bench:warrants  blocks=${BLOCKS} txs/block=${TXS} sync=${SYNC} dir=${base}`);
  const face = 100_000n; // 1,000.00 CNY per financed receivable, issued warrant, or transfer output

  // finance: TXS x BLOCKS receivables registered, attested 100 per declaration, then financed.
  const fin = (await openLane("finance (financeReceivable)", join(base, "finance"), parties, SYNC)) as Lane;
  {
    let receivables: string[] = [];
    fin.setup = [];
    const total = TXS * BLOCKS;
    for (let b = 0; b * 1000 < total; b++) {
      fin.setup.push((time) => {
        const txs = Array.from({ length: Math.min(1000, total - b * 1000) }, () => register(exporter.id, "", face, time));
        receivables.push(...txs.map((t) => t.hashHex));
        return txs;
      });
    }
    fin.setup.push((time) =>
      chunk(receivables, 100).map((ids, i) =>
        sign(customs.id, tx.attestShipment({ declarationFingerprint: sha256(`bench-warrants/decl/${i}`), declarationHash: sha256(`bench-warrants/decl-doc/${i}`), exporterId: exporter.id, declaredValue: face * BigInt(ids.length), currency: CCY, exportDate: day(time, 0), receivableIds: ids }), time),
      ),
    );
    fin.measured = (i, time) => receivables.slice(i * TXS, (i + 1) * TXS).map((id) => sign(bank.id, tx.financeReceivable({ receivableId: id, amount: face, currency: CCY }), time));
  }

  // issue: a line, TXS x BLOCKS invoices of the holders on the obligor, one warrant per invoice.
  const iss = (await openLane("issue (issueWarrant, 1 source)", join(base, "issue"), parties, SYNC)) as Lane;
  const lineLimit = face * BigInt(TXS * BLOCKS * 10 + 1_000_000);
  {
    const sources: { holder: string; id: string }[] = [];
    iss.setup = [(time) => [sign(bank.id, tx.grantCreditLine({ lineId: "line-issue", obligor: obligor.id, currency: CCY, limit: lineLimit, expiryDate: day(time, 300) }), time)]];
    for (let b = 0; b < BLOCKS; b++) {
      iss.setup.push((time) =>
        holders.map((h) => {
          const t = register(h.id, obligor.id, face, time);
          sources.push({ holder: h.id, id: t.hashHex });
          return t;
        }),
      );
    }
    iss.measured = (i, time) =>
      sources.slice(i * TXS, (i + 1) * TXS).map((s) => sign(obligor.id, tx.issueWarrant({ lineId: "line-issue", holder: s.holder, amount: face, currency: CCY, maturityDate: day(time, 120), sources: [s.id] }), time));
  }

  // transfer4: one big warrant per holder; per measured block each holder spends its current piece
  // into 4 outputs (one per tier-2 supplier, on that supplier's invoice on the holder) + remainder.
  const tr = (await openLane("transfer4 (transferWarrant, 4 outputs + remainder)", join(base, "transfer4"), parties, SYNC)) as Lane;
  {
    const current = new Map<string, string>(); // holder -> its current piece
    const refs = new Map<string, string[]>(); // `${holder}/${supplier}` -> invoices, in order
    const big = face * 4n * BigInt(BLOCKS + 2);
    let holderInvoices: Tx[] = [];
    tr.setup = [
      (time) => [sign(bank.id, tx.grantCreditLine({ lineId: "line-transfer", obligor: obligor.id, currency: CCY, limit: big * BigInt(TXS + 1), expiryDate: day(time, 300) }), time)],
      (time) => (holderInvoices = holders.map((h) => register(h.id, obligor.id, big, time))),
    ];
    tr.setup.push((time) =>
      holders.map((h, i) => {
        const t = sign(obligor.id, tx.issueWarrant({ lineId: "line-transfer", holder: h.id, amount: big, currency: CCY, maturityDate: day(time, 120), sources: [holderInvoices[i]!.hashHex] }), time);
        current.set(h.id, t.hashHex);
        return t;
      }),
    );
    // 4 x TXS x BLOCKS recipient invoices, 1000 per setup block.
    const all: { key: string; make: (time: bigint) => Tx }[] = [];
    for (let b = 0; b < BLOCKS; b++)
      for (const h of holders)
        for (const s of suppliers)
          all.push({
            key: `${h.id}/${s.id}`,
            make: (time) => {
              const t = register(s.id, h.id, face, time);
              const list = refs.get(`${h.id}/${s.id}`) ?? [];
              list.push(t.hashHex);
              refs.set(`${h.id}/${s.id}`, list);
              return t;
            },
          });
    for (const part of chunk(all, 1000)) tr.setup.push((time) => part.map((x) => x.make(time)));
    tr.measured = (i, time) =>
      holders.map((h) => {
        const t = sign(
          h.id,
          tx.transferWarrant({ pieceId: current.get(h.id)!, outputs: suppliers.map((s) => ({ to: s.id, amount: face, tradeRef: refs.get(`${h.id}/${s.id}`)![i]! })) }),
          time,
        );
        current.set(h.id, pieceIdOf(t.hashHex, suppliers.length)); // the remainder, spent next block
        return t;
      });
  }

  const lanes = [fin, iss, tr];
  let time = WORKLOAD_T0 + 1000n;
  const setupStart = performance.now();
  for (const lane of lanes) {
    for (const block of lane.setup) {
      time += 1000n;
      await execute(lane, block(time), time, false);
    }
  }
  console.log(`setup: ${lanes.map((l) => `${l.name.split(" ")[0]} ${l.height} blocks`).join(", ")} in ${fmt((performance.now() - setupStart) / 1000, 1)} s (unmeasured)`);

  for (let i = 0; i < BLOCKS; i++) {
    time += 1000n;
    const order = i % 2 === 0 ? lanes : [...lanes].reverse();
    // Sign every lane's block first, then time only the execution.
    const blocks = new Map(order.map((l) => [l, l.measured(i, time)]));
    for (const lane of order) await execute(lane, blocks.get(lane)!, time, true);
  }

  const perTx = new Map<Lane, number>();
  console.log("");
  for (const lane of lanes) {
    const tps = lane.txs / (lane.wallMs / 1000);
    perTx.set(lane, lane.wallMs / lane.txs);
    const sorted = [...lane.blockMs].sort((a, b) => a - b);
    console.log(
      `${lane.name.padEnd(52)} ${fmt(tps).padStart(6)} tx/s (wall), ${fmt(lane.txs / (lane.cpuMs / 1000)).padStart(6)} tx/s per CPU-second, ${fmt((lane.wallMs * 1000) / lane.txs).padStart(5)} us/tx; block p50 ${fmt(sorted[Math.floor(sorted.length / 2)]!, 1)} ms`,
    );
  }
  const ratio = perTx.get(tr)! / perTx.get(fin)!;
  const issueRatio = perTx.get(iss)! / perTx.get(fin)!;
  console.log(
    `\nbench:warrants: finance ${fmt(fin.txs / (fin.wallMs / 1000))} tx/s, issue ${fmt(iss.txs / (iss.wallMs / 1000))} tx/s, transfer4 ${fmt(tr.txs / (tr.wallMs / 1000))} tx/s; ` +
      `cost per tx vs a receivable financing: issue ${fmt(issueRatio, 2)}x, transfer with 4 outputs ${fmt(ratio, 2)}x (goal <= 2x: ${ratio <= 2 ? "met" : "NOT met"})`,
  );
  for (const lane of lanes) await lane.store.close();
  if (!opts.dir && !opts.keep) rmSync(base, { recursive: true, force: true });
  return { financeTps: fin.txs / (fin.wallMs / 1000), issueTps: iss.txs / (iss.wallMs / 1000), transfer4Tps: tr.txs / (tr.wallMs / 1000), transfer4VsFinance: ratio };
}

// Run directly: node dist/bench/warrants.js [--blocks 10] [--txs 400] [--no-sync] [--dir d] [--keep]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: args } = parseArgs({
    options: {
      blocks: { type: "string", default: "10" },
      txs: { type: "string", default: "400" },
      "no-sync": { type: "boolean", default: false },
      dir: { type: "string" },
      keep: { type: "boolean", default: false },
    },
  });
  benchWarrants({ blocks: int(args.blocks!, "blocks"), txs: int(args.txs!, "txs"), sync: !args["no-sync"], ...(args.dir ? { dir: args.dir } : {}), keep: args.keep ?? false }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
