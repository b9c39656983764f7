// What the running lending aggregates (node/ledger/aggregates.ts) cost one transaction, with a large
// book already in state: N receivables (default 1,000,000) spread like bench/preload.ts over banks,
// 2,000 exporters, 97 buyers and two currencies are summed into aggregate records once (aggregatesOf,
// what bench --preload stores), then a finance, a repayment and a write-off of new receivables are
// applied through receivableChanged, the one writer, over an in-memory state. Prints the size of the
// records a transaction touches and the time per change (median and p95 over --ops changes).
//
//   npm run build && node dist/bench/aggregates.js [--receivables 1000000] [--ops 2000]
import { parseArgs } from "node:util";
import { aggregatesOf, receivableChanged } from "../node/ledger/aggregates.js";
import type { StateWriter } from "../node/ledger/state.js";
import type { Receivable } from "../sdk/types.js";
import { benchReceivable } from "./preload.js";

const { values: args } = parseArgs({ options: { receivables: { type: "string", default: "1000000" }, ops: { type: "string", default: "2000" } } });
const N = Number(args.receivables);
const OPS = Number(args.ops);
const DAY_MS = 86_400_000n;
const T0 = 1_780_000_000_000n;
const EXPORTERS = 2000;
const iso = (ms: bigint) => new Date(Number(ms)).toISOString().slice(0, 10);

function receivable(i: number, status: Receivable["status"], live: boolean): Receivable {
  const time = T0 + BigInt(i) * 10n;
  const amount = BigInt(100_000 + (i % 1000) * 1000);
  return benchReceivable({
    id: `r${i}`,
    exporterId: `exporter-${i % EXPORTERS}`,
    buyerId: `buyer-${i % 97}`,
    amount,
    currency: i % 3 === 0 ? "EUR" : "USD",
    issueDate: iso(time),
    dueDate: iso(time + 90n * DAY_MS + BigInt(i % 400) * DAY_MS),
    documentHash: new Uint8Array(32),
    fingerprint: new Uint8Array(32),
    status,
    declarationFingerprint: new Uint8Array(0),
    attestedBy: "customs-cn",
    financings: status === "REGISTERED" ? [] : [{ id: `f${i}`, bankId: `bank-${i % 2}`, amount, repaid: live ? 0n : amount, financedAt: time, writtenOff: 0n, writtenOffAt: 0n }],
    registeredAt: time,
    updatedAt: time,
  });
}

function* book(): Generator<Receivable> {
  for (let i = 0; i < N; i++) yield receivable(i, i % 4 === 0 ? "FINANCED" : "SETTLED", i % 4 === 0);
}

const t0 = performance.now();
const state = aggregatesOf(book());
const buildMs = performance.now() - t0;
let bytes = 0;
let largest = 0;
for (const v of state.values()) {
  bytes += v.length;
  largest = Math.max(largest, v.length);
}
console.log(`bench:aggregates  receivables=${N} exporters=${EXPORTERS} ops=${OPS}`);
console.log(`aggregates of ${N} receivables: ${state.size} records, ${(bytes / 1024).toFixed(1)} KB in all, largest ${(largest / 1024).toFixed(1)} KB; built in ${(buildMs / 1000).toFixed(1)} s`);

let read = 0;
let written = 0;

const writer: StateWriter = {
  get: (k) => {
    const v = state.get(k);
    if (v) read += v.length;

    return v;
  },
  put: (k, v) => {
    written += v.length;

    state.set(k, v);
  },
  del: (k) => void state.delete(k),
};

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
for (const step of ["finance", "repay", "write off"] as const) {
  const ms: number[] = [];
  read = written = 0;

  for (let k = 0; k < OPS; k++) {
    const i = N + k;
    const registered = receivable(i, "REGISTERED", false);
    const financed = receivable(i, "FINANCED", true);
    const before = step === "finance" ? registered : financed;
    const after =
      step === "finance"
        ? financed
        : step === "repay"
          ? { ...financed, status: "SETTLED" as const, financings: financed.financings.map((f) => ({ ...f, repaid: f.amount })) }
          : { ...financed, status: "DEFAULTED" as const, financings: financed.financings.map((f) => ({ ...f, writtenOff: f.amount, writtenOffAt: T0 })) };
    if (step !== "finance") receivableChanged({ get: (x) => state.get(x), put: (x, v) => void state.set(x, v), del: (x) => void state.delete(x) }, registered, financed);
    const s = performance.now();
    receivableChanged(writer, before, after);
    ms.push(performance.now() - s);
  }
  console.log(
    `  ${step.padEnd(9)}  p50 ${p(ms, 0.5).toFixed(3)} ms, p95 ${p(ms, 0.95).toFixed(3)} ms per change; ${(read / OPS / 1024).toFixed(1)} KB read, ${(written / OPS / 1024).toFixed(1)} KB written per change`,
  );
}
