// Throughput of the ledger state machine alone: executeBlock on MemoryState (no LevelDB, no state
// tree), with and without ed25519 signature verification. The full verify + apply + commit path
// through the store is `npm run bench:ledger`.
//
//   npm run build && node dist/bench/ledger-memory.js [receivables=4000] [blockTxs=500]
//
// Workload per receivable: register, attest (10 receivables per attestation), two partial
// financings by two banks, two repayments that settle it. Transactions are signed before timing;
// every receipt must be OK, so a run that loses correctness fails instead of reporting a figure.
import { createHash } from "node:crypto";
import { nodeCrypto } from "../node/crypto.js";
import { executeBlock, genesisWrites, takesTxHash, type LedgerDeps } from "../node/ledger/execute.js";
import { MemoryState } from "../node/ledger/state.js";
import { buildTxBody, tx } from "../sdk/builders.js";
import { signerFromSeed, signTransactionSync, type LocalSigner } from "../sdk/signer.js";
import { decodeTx, type Tx } from "../sdk/tx.js";
import type { Party } from "../sdk/types.js";
import type { TxPayload } from "../sdk/transactions/index.js";

const RECEIVABLES = Number(process.argv[2] ?? 4000);
const BLOCK_TXS = Number(process.argv[3] ?? 500);
const CHAIN_ID = "tradeledger-bench";
const T0 = 1_790_812_800_000n;

const h = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());
const signers = new Map<string, LocalSigner>();
const party = (id: string, role: Party["role"]): Party => {
  const s = signerFromSeed(id, h(`bench/seed/${id}`), nodeCrypto);
  signers.set(id, s);
  return { id, role, name: id, country: "CN", publicKey: s.publicKey, lei: "", registeredBy: "", registeredAt: 0n };
};
const exporters = Array.from({ length: 50 }, (_, i) => `exporter-${i}`);
const parties = [party("bank-a", "BANK"), party("bank-b", "BANK"), party("customs", "CUSTOMS"), ...exporters.map((id) => party(id, "ENTERPRISE"))];

let n = 0;
function sign(signer: string, payload: TxPayload): Tx {
  const s = signers.get(signer)!;
  const body = buildTxBody(payload, { chainId: CHAIN_ID, signer: s, createdAt: T0, nonce: h(`nonce/${n++}`).subarray(0, 16) });
  return decodeTx(nodeCrypto, signTransactionSync(s, body, nodeCrypto).bytes);
}

// phase by phase, so that each transaction finds what it needs committed in an earlier block
const registers: Tx[] = [];
const byExporter = new Map<string, string[]>();
for (let i = 0; i < RECEIVABLES; i++) {
  const exporter = exporters[i % exporters.length]!;
  const t = sign(
    exporter,
    tx.registerReceivable({ documentHash: h(`doc/${i}`), fingerprint: h(`fp/${i}`), buyerId: "DE-HRB-204871", amount: 100_000n, currency: "USD", issueDate: "2026-10-01", dueDate: "2026-12-31" }),
  );
  registers.push(t);
  byExporter.set(exporter, [...(byExporter.get(exporter) ?? []), t.hashHex]);
}
const attests: Tx[] = [];
for (const [exporter, ids] of byExporter) {
  for (let i = 0; i < ids.length; i += 10) {
    const chunk = ids.slice(i, i + 10);
    attests.push(
      sign("customs", tx.attestShipment({ declarationFingerprint: h(`decl/${exporter}/${i}`), declarationHash: h(`declhash/${exporter}/${i}`), exporterId: exporter, declaredValue: 100_000n * BigInt(chunk.length), currency: "USD", exportDate: "2026-10-02", receivableIds: chunk })),
    );
  }
}
const finances: Tx[] = [];
const repays: Tx[] = [];
for (const r of registers) {
  const a = sign("bank-a", tx.financeReceivable({ receivableId: r.hashHex, amount: 60_000n, currency: "USD" }));
  const b = sign("bank-b", tx.financeReceivable({ receivableId: r.hashHex, amount: 40_000n, currency: "USD" }));
  finances.push(a, b);
  repays.push(sign("bank-a", tx.recordRepayment({ receivableId: r.hashHex, financingId: a.hashHex, amount: 60_000n })));
  repays.push(sign("bank-b", tx.recordRepayment({ receivableId: r.hashHex, financingId: b.hashHex, amount: 40_000n })));
}
const phases: [string, Tx[]][] = [
  ["registerReceivable", registers],
  ["attestShipment", attests],
  ["financeReceivable", finances],
  ["recordRepayment", repays],
];

function run(verify: boolean): { total: number; ms: number; perPhase: Record<string, number> } {
  const state = new MemoryState();
  state.apply(genesisWrites(parties));
  const committed = new Set<string>();
  const deps: LedgerDeps = { crypto: nodeCrypto, txLookup: { hasCommittedTx: (x) => committed.has(x) }, ...(verify ? {} : { verifySignature: () => true }) };
  let height = 0n;
  let ms = 0;
  let total = 0;
  const perPhase: Record<string, number> = {};
  for (const [name, txs] of phases) {
    let phaseMs = 0;
    for (let i = 0; i < txs.length; i += BLOCK_TXS) {
      const block = txs.slice(i, i + BLOCK_TXS);
      height++;
      const t0 = performance.now();
      const { receipts, writes } = executeBlock(state, block, { chainId: CHAIN_ID, height, time: T0 + height * 1000n, proposer: "bank-a" }, deps);
      state.apply(writes);
      const dt = performance.now() - t0;
      phaseMs += dt;
      receipts.forEach((r, j) => {
        if (r.code !== "OK") throw new Error(`${name}: ${r.code} ${r.message}`);
        if (takesTxHash(r.code)) committed.add(block[j]!.hashHex);
      });
    }
    perPhase[name] = Math.round(txs.length / (phaseMs / 1000));
    ms += phaseMs;
    total += txs.length;
  }
  return { total, ms, perPhase };
}

run(false); // warm-up (JIT, key-object caches)
for (const verify of [false, true]) {
  const r = run(verify);
  console.log(
    `${verify ? "with   " : "without"} signature verification: ${r.total} txs in ${r.ms.toFixed(0)} ms = ${Math.round(r.total / (r.ms / 1000))} tx/s  ` +
      `(${Object.entries(r.perPhase)
        .map(([k, v]) => `${k} ${v}/s`)
        .join(", ")})`,
  );
}
