// Supervision through the RPC (DESIGN.md §11, docs/supervision.md), over the real node of
// test/rpc-harness.ts: a regulator sets rules with the SDK, transactions trip them, GET /v1/alerts
// lists the alerts with its filters and pages to whom may see them, a BLOCK rule's refusal is a 409
// BLOCKED_BY_RULE carrying the alert, the event stream delivers alertRaised to the regulator and to
// the parties an alert names (no one else), GET /v1/rules lists the active rules, and the store's
// integrity check covers the alert indexes and the book tallies.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import type { TradeLedgerClient } from "../sdk/client.js";
import type { LedgerEventJson } from "../sdk/api/schemas.js";
import { attestPayload, day, servedHarness } from "./rpc-harness.js";
import { validatorSetFromGenesis, verifyHistory } from "../sdk/verify.js";

const { h, as } = await servedHarness(t);
const regulator = as("regulator");
const auditor = as("auditor");
const bankA = as("bank-a");
const bankB = as("bank-b");
const exporter = as("exporter-hz-textiles");
const other = as("exporter-sz-electronics");
const USD = (major: number) => BigInt(major) * 100n;

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

let n = 0;
async function attested(who: TradeLedgerClient, exporterId: string, major: number): Promise<string> {
  const r = await who.submit(
    tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: "buyer-1", amount: USD(major), currency: "USD", issueDate: day(-1), dueDate: day(60) }),
  );
  const id = r.receipt.target;
  await as("customs").submit(attestPayload(String(9000 + ++n), { exporter: exporterId, amount: `${major}.00`, receivableIds: [id] }));
  return id;
}

/** Collects stream events of `client` until `until` holds (or 10 s pass). */
function collect(client: TradeLedgerClient, until: (seen: LedgerEventJson[]) => boolean, fromHeight: bigint): Promise<LedgerEventJson[]> {
  const ac = new AbortController();
  const seen: LedgerEventJson[] = [];
  const timer = setTimeout(() => ac.abort(), 10_000);
  return (async () => {
    try {
      for await (const e of client.events({ types: ["alertRaised"] }, { signal: ac.signal, fromHeight })) {
        seen.push(e);
        if (until(seen)) break;
      }
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    return seen;
  })();
}

t.test("rules, alerts, BLOCK, filters, pages, visibility, the stream and the integrity check", async (t) => {
  t.match(await failure(bankA.submit(tx.setRule({ ruleId: "fast", kind: "VELOCITY", params: { hours: 24 } }))), { status: 403, code: "UNAUTHORIZED" });
  await regulator.submit(tx.setRule({ ruleId: "fast", kind: "VELOCITY", params: { hours: 24 } }));
  await regulator.submit(tx.setRule({ ruleId: "cap", kind: "LARGE_EXPOSURE", params: { amount: USD(5_000), currency: "USD" }, severity: "BLOCK" }));
  const rules = await bankA.getRules();
  t.same(
    rules.items.map((r) => [r.ruleId, r.kind, r.severity, r.setBy]),
    [
      ["cap", "LARGE_EXPOSURE", "BLOCK", "regulator"],
      ["fast", "VELOCITY", "ALERT", "regulator"],
    ],
    "any party reads the active rules",
  );
  const start = h.chain.height + 1n;

  const ids = [await attested(exporter, "exporter-hz-textiles", 10_000), await attested(exporter, "exporter-hz-textiles", 10_000), await attested(other, "exporter-sz-electronics", 10_000)];
  const f1 = await bankA.submit(tx.financeReceivable({ receivableId: ids[0]!, amount: USD(1_000), currency: "USD" }));
  t.match(f1.receipt.alerts, [{ ruleId: "fast", kind: "VELOCITY", severity: "ALERT", parties: ["bank-a", "exporter-hz-textiles"] }], "the receipt carries the alert");
  const f2 = await bankB.submit(tx.financeReceivable({ receivableId: ids[2]!, amount: USD(2_000), currency: "USD" }));
  t.match(f2.receipt.alerts, [{ ruleId: "fast", parties: ["bank-b", "exporter-sz-electronics"] }]);
  const blocked = await failure(bankA.submit(tx.financeReceivable({ receivableId: ids[1]!, amount: USD(4_500), currency: "USD" })));
  t.match(blocked, { status: 409, code: "BLOCKED_BY_RULE", message: /blocked by supervision rule cap \(LARGE_EXPOSURE\)/ });
  t.match(blocked.receipt?.alerts, [{ ruleId: "cap", severity: "BLOCK", parties: ["bank-a", "exporter-hz-textiles"] }], "the refusal names the rule");
  t.match((await bankA.getReceivable(ids[1]!)).receivable, { status: "ATTESTED", financings: [] }, "nothing of it was written");
  // a history whose receipts carry alerts (and a BLOCKED_BY_RULE attempt) verifies against the certificates
  for (const id of [ids[0]!, ids[1]!]) {
    const hist = await regulator.getHistory(id, { proofs: true });
    t.same(verifyHistory(hist, validatorSetFromGenesis(h.genesis())).problems, [], `history of ${id.slice(0, 8)} verifies`);
  }

  // the regulator and the auditor see all three; a bank those naming it; a party named by none, none
  const all = await regulator.getAlerts({ fromHeight: start });
  t.same(all.items.map((a) => [a.ruleId, a.code, a.signer]), [["fast", "OK", "bank-a"], ["fast", "OK", "bank-b"], ["cap", "BLOCKED_BY_RULE", "bank-a"]]);
  t.equal(all.items[0]!.txHash, f1.txHash);
  t.equal(all.items[0]!.height, f1.height);
  t.same((await auditor.getAlerts({ fromHeight: start })).items.length, 3);
  t.same((await bankA.getAlerts({ fromHeight: start })).items.map((a) => a.ruleId), ["fast", "cap"], "bank-a: the alerts naming it");
  t.same((await bankB.getAlerts()).items.map((a) => a.txHash), [f2.txHash]);
  t.same((await as("customs").getAlerts()).items, [], "customs is named by none");
  t.match(await failure(bankA.getAlerts({ party: "bank-b" })), { status: 403 }, "a bank lists only the alerts naming it");
  // filters
  t.same((await regulator.getAlerts({ rule: "cap" })).items.map((a) => a.kind), ["LARGE_EXPOSURE"]);
  t.same((await regulator.getAlerts({ party: "exporter-sz-electronics" })).items.map((a) => a.txHash), [f2.txHash]);
  t.same((await regulator.getAlerts({ fromHeight: BigInt(f2.height!), toHeight: BigInt(f2.height!) })).items.map((a) => a.txHash), [f2.txHash], "a height range, inclusive");
  t.same((await bankA.getAlerts({ rule: "fast" })).items.map((a) => a.txHash), [f1.txHash], "a bank's rule filter keeps to the alerts naming it");
  t.match(await failure(regulator.getAlerts({ rule: "cap", party: "bank-a" })), { status: 400 });
  t.match(await failure(regulator.getAlerts({ fromHeight: 9n, toHeight: 3n })), { status: 400 });
  // pages
  const p1 = await regulator.getAlerts({ fromHeight: start, limit: 2 });
  t.equal(p1.items.length, 2);
  t.ok(p1.cursor);
  const p2 = await regulator.getAlerts({ fromHeight: start, limit: 2, cursor: p1.cursor! });
  t.same(p2.items.map((a) => a.ruleId), ["cap"]);
  t.notOk(p2.cursor);

  // the event stream: alertRaised to the regulator (all), to bank-b (its own), none to customs
  const [forRegulator, forBankB, forCustoms] = await Promise.all([
    collect(regulator, (s) => s.length >= 3, start),
    collect(bankB, (s) => s.length >= 1, start),
    collect(as("customs"), () => false, start).catch(() => []),
  ]).catch(async (e) => {
    throw e;
  });
  t.same(forRegulator.map((e) => [e.type, e.alert?.ruleId, e.code]), [["alertRaised", "fast", "OK"], ["alertRaised", "fast", "OK"], ["alertRaised", "cap", "BLOCKED_BY_RULE"]]);
  t.match(forRegulator[2]!.id, /^\d+:0:a0$/, "an alert's event id: height:index:a<k>");
  t.same(forBankB.map((e) => e.txHash), [f2.txHash]);
  t.same(forCustoms, [], "no alert names customs");

  // retire: no more alerts; the store's integrity check covers the alert indexes and the book tallies
  await regulator.submit(tx.retireRule({ ruleId: "fast" }));
  const f3 = await bankB.submit(tx.financeReceivable({ receivableId: ids[2]!, amount: USD(1), currency: "USD" }));
  t.equal(f3.receipt.alerts, undefined, "a retired rule alerts no more");
  t.same((await bankA.getRules()).items.map((r) => r.ruleId), ["cap"]);
  const report = await h.chain.verify();
  t.ok(report.indexEntries > 0);
  const openApi = (await regulator.openApi()) as { paths: Record<string, unknown> };
  t.ok(openApi.paths["/v1/alerts"] && openApi.paths["/v1/rules"], "in the OpenAPI document");
});
