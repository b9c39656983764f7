// The REGULATOR role (DESIGN.md §11, docs/security.md): registered at genesis (governance, §12, comes
// later), it reads everything an auditor reads, may sign no business transaction, cannot be onboarded
// by a bank, and every signed read it makes is written to the node's audit log (who, what, when,
// with the answer's status) — through the real RPC over the real node of test/rpc-harness.ts.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { tx } from "../sdk/builders.js";
import { createClient } from "../sdk/client.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { ROLES } from "../sdk/types.js";
import { WRITERS } from "../node/ledger/execute.js";
import { parseAuditLines, ReadAuditLog, type ReadAuditEntry } from "../rpc/audit.js";
import { TestChain, makeParty, h32, pk32 } from "./ledger-harness.js";
import { attestPayload, day, RpcHarness } from "./rpc-harness.js";

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

t.test("a REGULATOR may sign no business transaction and is never onboarded by a bank", async (t) => {
  t.ok(ROLES.includes("REGULATOR"));
  for (const [type, roles] of Object.entries(WRITERS)) {
    if (type === "setRule" || type === "retireRule") continue; // its own, the supervision rules (docs/supervision.md)
    // governance, not business (DESIGN.md §12, docs/governance.md): admitting and removing observer
    // nodes ("by a BANK or REGULATOR"), and rotating its own signing key
    if (type === "admitObserver" || type === "removeObserver" || type === "rotateKey") continue;
    t.notOk((roles as readonly string[]).includes("REGULATOR"), `${type} is not signed by a regulator`);
  }
  const c = new TestChain([makeParty("bank-a", "BANK"), makeParty("regulator", "REGULATOR"), makeParty("exporter", "ENTERPRISE")]);
  const anchor = c.submit("regulator", tx.anchorDocument({ documentHash: h32("doc"), documentType: "PACKING_LIST" }));
  t.match(anchor, { code: "UNAUTHORIZED", message: "a REGULATOR may not anchorDocument" });
  const onboard = c.submit("bank-a", tx.registerParty({ id: "regulator-2", role: "REGULATOR", name: "Another Regulator", country: "CN", publicKey: pk32("regulator-2") }));
  t.match(onboard, { code: "UNAUTHORIZED" }, "a regulator comes from genesis (later governance), never from a bank");
  t.equal(c.partyRecord("regulator")?.role, "REGULATOR", "the genesis regulator is a party like any other");
});

t.test("a regulator reads everything; its reads (and only supervisors') are in the audit log", async (t) => {
  const h = await RpcHarness.create();
  const entries: ReadAuditEntry[] = [];
  const { server, url } = await h.serve({ audit: { record: (e) => entries.push(e), close: () => {} }});
  const started = Date.now();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const as = (id: string) => createClient({ url, signer: h.party(id).signer });
  const exporter = as("exporter-hz-textiles");
  const bankA = as("bank-a");
  const regulator = as("regulator");

  const reg = await exporter.submit(
    tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: "buyer-7", amount: 100_000n, currency: "USD", issueDate: day(-1), dueDate: day(60) }),
  );
  const id = reg.receipt.target;
  await as("customs").submit(attestPayload("77", { exporter: "exporter-hz-textiles", amount: "5000.00", receivableIds: [id] }));
  await bankA.submit(tx.financeReceivable({ receivableId: id, amount: 60_000n, currency: "USD" }));
  t.match(await failure(as("bank-b").submit(tx.financeReceivable({ receivableId: id, amount: 50_000n, currency: "USD" }))), { code: "DOUBLE_FINANCING" });
  entries.length = 0; // only reads from here

  t.match(await regulator.getReceivable(id), { receivable: { id, status: "PARTIALLY_FINANCED" } });
  const history = await regulator.getHistory(id);
  t.ok(history.items.length >= 3, "the whole history");
  const listed = await regulator.listReceivables({});
  t.ok(listed.items.some((r) => r.receivable.id === id), "lists every receivable (an exporter lists only its own, a bank what it financed)");
  const rejected = await regulator.getRejections({ signer: "bank-b" });
  t.match(rejected.items, [{ code: "DOUBLE_FINANCING", signer: "bank-b" }], "lists other parties' rejections");
  t.match(await regulator.getExposure("exporter-hz-textiles"), { partyId: "exporter-hz-textiles", outstanding: { USD: "60000" } });
  t.match(await regulator.getTx(reg.txHash), { txHash: reg.txHash });
  // Another party's reads are not audited; a refused one by the regulator would be, with its status.
  await bankA.getReceivable(id);
  t.match(await failure(exporter.getExposure("exporter-sz-electronics")), { status: 403 });

  t.same(
    entries.map((e) => [e.party, e.role, e.method, e.route, e.status]),
    [
      ["regulator", "REGULATOR", "GET", "getReceivable", 200],
      ["regulator", "REGULATOR", "GET", "getHistory", 200],
      ["regulator", "REGULATOR", "GET", "listReceivables", 200],
      ["regulator", "REGULATOR", "GET", "listRejections", 200],
      ["regulator", "REGULATOR", "GET", "getExposure", 200],
      ["regulator", "REGULATOR", "GET", "getTx", 200],
    ],
    "one entry per supervisory read, none for a bank's or an exporter's",
  );
  t.equal(entries[0]!.path, `/v1/receivables/${id}`, "what: the path as signed");
  // The SDK adds the height it has seen (read-your-writes, docs/api.md): no block came since.
  t.equal(entries[3]!.path, `/v1/rejections?signer=bank-b&minHeight=${regulator.seenHeight()}`, "with its query");
  t.ok(entries.every((e) => e.time >= started && e.time <= Date.now() && e.requestId.length > 0), "when, and the request id of the RPC's own log line");

  // An auditor has the same reach: its reads are audited too. A 404 is recorded with its status.
  const auditor = as("auditor");
  entries.length = 0;
  t.match(await failure(auditor.getReceivable("ab".repeat(32))), { status: 404 });
  t.match(entries, [{ party: "auditor", role: "AUDITOR", route: "getReceivable", status: 404 }]);

  // The event stream: recorded when it opens.
  entries.length = 0;
  const ac = new AbortController();
  const stream = regulator.events({}, { signal: ac.signal, fromHeight: 1n });
  const first = await stream.next();
  ac.abort();
  t.ok(!first.done, "the regulator's stream replays events");
  t.match(entries, [{ party: "regulator", route: "streamEvents", status: 200 }]);
});

t.test("the audit log file: JSON lines, 0600, appended across reopenings", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tl-audit-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "sub", "audit.log");
  const entry = (n: number): ReadAuditEntry => ({ time: 1_800_000_000_000 + n, party: "regulator", role: "REGULATOR", method: "GET", path: `/v1/receivables/${n}`, route: "getReceivable", status: 200, requestId: `r${n}` });
  const a = new ReadAuditLog(file);
  a.record(entry(1));
  a.close();
  a.record(entry(99)); // after close: dropped, never thrown
  const b = new ReadAuditLog(file);
  b.record({ ...entry(2), path: `/v1/receivables?x=${"y".repeat(5000)}` });
  b.close();
  t.equal(statSync(file).mode & 0o777, 0o600);
  const lines = parseAuditLines(readFileSync(file, "utf8"));
  t.equal(lines.length, 2);
  t.same(lines[0], { t: "2027-01-15T08:00:00.001Z", party: "regulator", role: "REGULATOR", method: "GET", path: "/v1/receivables/1", route: "getReceivable", status: 200, requestId: "r1" });
  t.ok((lines[1]!.path as string).length < 1100 && (lines[1]!.path as string).endsWith("(5018 chars)"), "long paths are clipped");
});
