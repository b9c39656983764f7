// Follow committed ledger events as they happen (server-sent events), as an auditor: every
// registration, attestation, financing, repayment and every rejected attempt.
//
//   node examples/watch-events.mjs                 # from now on; Ctrl-C to stop
//   node examples/watch-events.mjs --from 1 --max 20
import { clientFor } from "./lib.mjs";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const from = arg("--from");
const max = Number(arg("--max") ?? Infinity);

const auditor = clientFor("auditor");
const abort = new AbortController();
process.on("SIGINT", () => abort.abort());
let n = 0;
for await (const e of auditor.events({}, { signal: abort.signal, ...(from ? { fromHeight: BigInt(from) } : {}) })) {
  const what = e.event
    ? `${e.type}${"amount" in e.event ? ` ${e.event.amount}` : ""}`
    : e.alert
      ? `ALERT ${e.alert.ruleId} (${e.alert.kind}, ${e.alert.severity}): ${e.alert.detail}`
      : `REJECTED ${e.rejection.code} (${e.rejection.message})`;
  console.log(`${e.id.padEnd(14)} ${new Date(Number(e.time)).toISOString()} ${e.signer.padEnd(24)} ${what}${e.receivableId ? ` on ${e.receivableId.slice(0, 12)}…` : ""}`);
  if (++n >= max) break;
}
