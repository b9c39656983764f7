// Title documents and pledges through the RPC (DESIGN.md §8, Reads), over the real node of
// test/rpc-harness.ts: two custodians onboarded by a bank, a lot of copper with three warehouse
// receipts for two holders, pledges offered, declined, withdrawn, accepted and released, an empty
// pledge and a duplicate receipt refused, a transfer and a surrender. Every read route with each
// visibility rule, 404/403, pagination, transactions and the event stream by visibility, the store's
// title indexes through the query model, the whole-store check, and the SDK round trip.
import t from "tap";
import { openApiDocument } from "../sdk/api/openapi.js";
import { toHex, utf8 } from "../sdk/bytes.js";
import { tx } from "../sdk/builders.js";
import { createClient, paginate, type LedgerEventType, type TradeLedgerClient } from "../sdk/client.js";
import { LedgerError } from "../sdk/errors.js";
import { fingerprintWarehouseReceipt } from "../sdk/fingerprint.js";
import { signerFromSeed } from "../sdk/signer.js";
import { sha256 } from "../sdk/crypto.js";
import type { LedgerEventJson, TitleRecordJson } from "../sdk/api/schemas.js";
import { day, servedHarness } from "./rpc-harness.js";

const { h, url, as } = await servedHarness(t);
const bankA = as("bank-a");
const bankB = as("bank-b");
const core = as("core-enterprise");
const hz = as("exporter-hz-textiles");
const sz = as("exporter-sz-electronics");
const customs = as("customs");
const auditor = as("auditor");
const custodianSigner = (id: string) => signerFromSeed(id, sha256(utf8(`rpc-titles/${id}`)));
const qdSigner = custodianSigner("warehouse-qd");
const shSigner = custodianSigner("warehouse-sh");
const qd = createClient({ url, signer: qdSigner });
const sh = createClient({ url, signer: shSigner });
const usd = (major: number) => BigInt(major) * 100n;

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

const LOT = "qd-copper-7";
const COPPER = { hsCode: "740311", descriptionHash: sha256(utf8("copper cathodes, grade A, LME registered")), unit: "TNE" };
const receipt = (n: string) => fingerprintWarehouseReceipt({ custodianId: "warehouse-qd", receiptNumber: n });
let titleA = ""; // hz, 100 t: pledged to bank-a, released, then pledged to bank-b
let titleB = ""; // sz, 120 t: transferred to core-enterprise, then surrendered
let titleC = ""; // hz, 80 t: offered to bank-b (declined), withdrawn, offered again (open)
let attestTx = "";
let duplicateTx = "";
let emptyPledgeTx = "";
let notHolderTx = "";
const pledgeTx: Record<string, string> = {};

t.test("custodians, a lot, receipts and pledges", async (t) => {
  for (const s of [qdSigner, shSigner]) {
    await bankA.submit(tx.registerParty({ id: s.partyId, role: "CUSTODIAN", name: `${s.partyId} (test)`, country: "CN", publicKey: s.publicKey }));
  }
  attestTx = (await qd.submit(tx.attestStock({ lotId: LOT, goods: COPPER, quantity: 300n }))).txHash;
  await sh.submit(tx.attestStock({ lotId: "sh-alumina-1", goods: { ...COPPER, hsCode: "281820" }, quantity: 50n }));
  const issue = async (n: string, quantity: bigint, holder: string) =>
    (await qd.submit(tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: receipt(n), lotId: LOT, quantity, holder }))).txHash;
  titleA = await issue("WR-2026/0001", 100n, "exporter-hz-textiles");
  titleB = await issue("WR-2026/0002", 120n, "exporter-sz-electronics");
  // the same receipt number, re-spelled: the receipt target is the live title
  const dup = await failure(qd.submit(tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: receipt("wr 2026 0001"), lotId: LOT, quantity: 1n, holder: "exporter-sz-electronics" })));
  t.match(dup, { code: "DUPLICATE_TITLE", receipt: { target: titleA } });
  duplicateTx = toHex(dup.receipt!.txHash);
  titleC = await issue("WR-2026/0003", 80n, "exporter-hz-textiles");

  // the empty pledge: a receipt beyond the attested stock
  const empty = await failure(qd.submit(tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: receipt("WR-2026/0004"), lotId: LOT, quantity: 1n, holder: "exporter-sz-electronics" })));
  t.equal(empty.code, "EXCEEDS_STOCK");
  emptyPledgeTx = toHex(empty.receipt!.txHash);

  const offer = (c: TradeLedgerClient, titleId: string, bank: string, major: number) => c.submit(tx.offerPledge({ titleId, bank, securedAmount: usd(major), currency: "USD", expiryDate: day(90) }));
  pledgeTx.offerA1 = (await offer(hz, titleA, "bank-a", 50_000)).txHash;
  pledgeTx.acceptA1 = (await bankA.submit(tx.acceptPledge({ titleId: titleA }))).txHash;
  const stolen = await failure(offer(sz, titleA, "bank-b", 10_000));
  t.equal(stolen.code, "NOT_HOLDER");
  notHolderTx = toHex(stolen.receipt!.txHash);
  t.equal((await failure(offer(hz, titleA, "bank-b", 10_000))).code, "TITLE_PLEDGED", "the repeated pledge");
  pledgeTx.releaseA1 = (await bankA.submit(tx.releasePledge({ titleId: titleA }))).txHash;
  pledgeTx.offerA2 = (await offer(hz, titleA, "bank-b", 60_000)).txHash;
  pledgeTx.acceptA2 = (await bankB.submit(tx.acceptPledge({ titleId: titleA }))).txHash;

  pledgeTx.offerC1 = (await offer(hz, titleC, "bank-b", 20_000)).txHash;
  pledgeTx.declineC1 = (await bankB.submit(tx.releasePledge({ titleId: titleC }))).txHash;
  pledgeTx.offerC2 = (await offer(hz, titleC, "bank-b", 25_000)).txHash;
  pledgeTx.withdrawC2 = (await hz.submit(tx.releasePledge({ titleId: titleC }))).txHash;
  pledgeTx.offerC3 = (await offer(hz, titleC, "bank-b", 30_000)).txHash;
  t.pass("built");
});

t.test("GET /v1/titles/:id: the custodian, the holder and the pledgee; its pledge history", async (t) => {
  const a = await hz.getTitle(titleA);
  t.match(a, {
    title: { id: titleA, kind: "WAREHOUSE_RECEIPT", fingerprint: toHex(receipt("WR-2026/0001")), lotId: LOT, custodianId: "warehouse-qd", quantity: "100", holderId: "exporter-hz-textiles", status: "PLEDGED", pledges: 2 },
    goods: { hsCode: "740311", unit: "TNE", descriptionHash: toHex(COPPER.descriptionHash) },
  });
  t.match(a.title.pledge, { bankId: "bank-b", securedAmount: "6000000", currency: "USD", expiryDate: day(90) });
  t.same(
    a.pledges.map((p) => [p.bankId, p.securedAmount, p.outcome]),
    [
      ["bank-a", "5000000", "RELEASED"],
      ["bank-b", "6000000", "PLEDGED"],
    ],
  );
  const [first, second] = a.pledges;
  t.same([first!.offered.txHash, first!.accepted?.txHash, first!.released?.txHash], [pledgeTx.offerA1, pledgeTx.acceptA1, pledgeTx.releaseA1]);
  t.match(first, { holderId: "exporter-hz-textiles", expiryDate: day(90), currency: "USD", offered: { signer: "exporter-hz-textiles" }, accepted: { signer: "bank-a" }, released: { signer: "bank-a" } });
  t.ok(BigInt(first!.offered.time) <= BigInt(first!.accepted!.time) && BigInt(first!.accepted!.height) > BigInt(first!.offered.height));
  t.same([second!.offered.txHash, second!.accepted?.txHash, second!.released], [pledgeTx.offerA2, pledgeTx.acceptA2, undefined]);

  for (const c of [qd, bankB, auditor]) t.same((await c.getTitle(titleA)).pledges, a.pledges, "one history for every party that sees it");
  t.match(await failure(bankA.getTitle(titleA)), { status: 403, code: "FORBIDDEN" }, "a released pledgee no longer reads the title");
  t.match(await failure(sz.getTitle(titleA)), { status: 403 }, "another holder on the same lot");
  t.match(await failure(sh.getTitle(titleA)), { status: 403 }, "another custodian");
  t.match(await failure(customs.getTitle(titleA)), { status: 403 });
  t.match(await failure(auditor.getTitle("ab".repeat(32))), { status: 404, code: "NOT_FOUND" });
  t.match(await failure(auditor.getTitle(emptyPledgeTx)), { status: 404 }, "a refused issue made no title");

  const c = await bankB.getTitle(titleC);
  t.equal(c.title.status, "PLEDGE_OFFERED", "the bank a title is offered to reads it, to check it");
  t.same(
    c.pledges.map((p) => [p.securedAmount, p.outcome, p.released?.signer]),
    [
      ["2000000", "DECLINED", "bank-b"],
      ["2500000", "WITHDRAWN", "exporter-hz-textiles"],
      ["3000000", "OFFERED", undefined],
    ],
  );
  t.equal(c.pledges[1]!.released!.txHash, pledgeTx.withdrawC2);
  t.equal((await hz.getTitle(titleB).catch((e: LedgerError) => e.status)), 403);
});

t.test("GET /v1/lots/:id: the custodian sees every title, a holder its own", async (t) => {
  const whole = await qd.getLot(LOT);
  t.match(whole, { lot: { id: LOT, custodianId: "warehouse-qd", quantity: "300", titled: "300", titles: 3, goods: { unit: "TNE" } }, available: "0", complete: true });
  t.same(
    whole.items.map((i) => i.id),
    [titleA, titleB, titleC],
    "in issue order",
  );
  t.same(
    (await auditor.getLot(LOT)).items.map((i) => i.id),
    [titleA, titleB, titleC],
  );
  const mine = await hz.getLot(LOT);
  t.equal(mine.complete, false);
  t.equal(mine.lot.titled, "300", "a holder sees the lot's stock and what is titled");
  t.same(mine.items.map((i) => i.id).sort(), [titleA, titleC].sort(), "and its own titles only");
  t.same(
    (await sz.getLot(LOT)).items.map((i) => i.id),
    [titleB],
  );
  t.match(await failure(bankB.getLot(LOT)), { status: 403 }, "a pledgee reads its titles, not the lot");
  t.match(await failure(sh.getLot(LOT)), { status: 403 });
  t.match(await failure(customs.getLot(LOT)), { status: 403 });
  t.match(await failure(core.getLot(LOT)), { status: 403 });
  t.match(await failure(qd.getLot("sh-alumina-1")), { status: 403 }, "another custodian's lot");
  t.match(await failure(auditor.getLot("no-such-lot")), { status: 404 });
  t.match(await failure(hz.getLot(LOT, { cursor: "l.00" })), { status: 400 }, "a cursor of the custodian's listing is not a holder's");

  // pages
  const ids: string[] = [];
  let pages = 0;
  for await (const item of paginate((cursor) => auditor.getLot(LOT, { limit: 1, ...(cursor ? { cursor } : {}) }))) {
    ids.push(item.id);
    pages++;
  }
  t.same([pages, ids], [3, [titleA, titleB, titleC]]);
});

t.test("GET /v1/parties/:id/titles: a holder's titles, a bank's pledges", async (t) => {
  const lotOrder = (ids: string[]) => [...ids].sort();
  const hzList = await hz.listTitles("exporter-hz-textiles");
  t.match(hzList, { partyId: "exporter-hz-textiles", as: "holder" });
  t.same(
    hzList.items.map((i) => i.id),
    lotOrder([titleA, titleC]),
    "by lot, then title id",
  );
  t.same(
    (await hz.listTitles("exporter-hz-textiles", { status: "PLEDGED" })).items.map((i) => i.id),
    [titleA],
  );
  t.same(
    (await hz.listTitles("exporter-hz-textiles", { lot: "sh-alumina-1" })).items,
    [],
  );
  const bList = await bankB.listTitles("bank-b");
  t.match(bList, { partyId: "bank-b", as: "pledgee" });
  t.same(
    bList.items.map((i: TitleRecordJson) => [i.id, i.status]),
    lotOrder([titleA, titleC]).map((id) => [id, id === titleA ? "PLEDGED" : "PLEDGE_OFFERED"]),
  );
  t.same(
    (await bankB.listTitles("bank-b", { status: "PLEDGE_OFFERED" })).items.map((i) => i.id),
    [titleC],
  );
  t.same((await bankA.listTitles("bank-a")).items, [], "a released pledge is not listed");
  t.same(
    (await auditor.listTitles("exporter-sz-electronics")).items.map((i) => i.id),
    [titleB],
  );
  t.match(await failure(sz.listTitles("exporter-hz-textiles")), { status: 403 });
  t.match(await failure(bankB.listTitles("exporter-hz-textiles")), { status: 403 });
  t.match(await failure(qd.listTitles("exporter-hz-textiles")), { status: 403 });
  t.match(await failure(auditor.listTitles("no-such-party")), { status: 404 });
  t.match(await failure(hz.listTitles("exporter-hz-textiles", { cursor: "b.00" })), { status: 400 });
  const seen: string[] = [];
  for await (const item of paginate((cursor) => hz.listTitles("exporter-hz-textiles", { limit: 1, ...(cursor ? { cursor } : {}) }))) seen.push(item.id);
  t.same(seen, lotOrder([titleA, titleC]));
});

t.test("a transfer and a surrender move what each party sees", async (t) => {
  await sz.submit(tx.transferTitle({ titleId: titleB, to: "core-enterprise" }));
  t.equal((await core.getTitle(titleB)).title.holderId, "core-enterprise");
  t.match(await failure(sz.getTitle(titleB)), { status: 403 }, "the former holder no longer reads it");
  t.same((await sz.listTitles("exporter-sz-electronics")).items, []);
  t.match(await failure(sz.getLot(LOT)), { status: 403 }, "nor the lot: it holds no title on it");
  t.same(
    (await core.getLot(LOT)).items.map((i) => i.id),
    [titleB],
  );

  await qd.submit(tx.surrenderTitle({ titleId: titleB }));
  const lot = await qd.getLot(LOT);
  t.match(lot, { lot: { titled: "180", titles: 3 }, available: "120" });
  t.equal(lot.items.find((i) => i.id === titleB)?.status, "SURRENDERED", "the custodian still lists a surrendered title");
  t.same((await core.listTitles("core-enterprise")).items, [], "a surrendered title is no longer held");
  t.match(await failure(core.getLot(LOT)), { status: 403 }, "nor does its last holder read the lot");
  t.equal((await core.getTitle(titleB)).title.status, "SURRENDERED", "its last holder still reads the title");
});

t.test("transactions: a title's parties see its transactions; the lot opens no other holder's title", async (t) => {
  t.equal((await qd.getTx(titleA)).txHash, titleA, "its signer");
  t.equal((await hz.getTx(titleA)).txHash, titleA, "the holder");
  t.equal((await bankB.getTx(titleA)).txHash, titleA, "the pledgee");
  t.match(await failure(sz.getTx(titleA)), { status: 403 }, "a holder on the same lot");
  t.match(await failure(hz.getTx(titleB)), { status: 403 }, "nor the issue of another holder's title on its lot");
  t.match(await failure(customs.getTx(titleA)), { status: 403 });
  t.equal((await bankA.getTx(pledgeTx.offerA1!)).receipt.events[0]!.type, "pledgeOffered", "a bank sees the pledge steps that name it");
  t.equal((await bankA.getTx(pledgeTx.releaseA1!)).signer, "bank-a");
  t.match(await failure(bankA.getTx(pledgeTx.offerA2!)), { status: 403 }, "not the next bank's");
  t.equal((await hz.getTx(attestTx)).type, "attestStock", "a holder on the lot sees its stock attested");
  t.match(await failure(customs.getTx(attestTx)), { status: 403 });
  t.equal((await hz.getTx(duplicateTx)).receipt.code, "DUPLICATE_TITLE", "a duplicate aimed at a title: its holder sees it");
  t.equal((await bankB.getTx(duplicateTx)).receipt.target, titleA, "and its pledgee");
  t.match(await failure(sz.getTx(duplicateTx)), { status: 403 });
  t.equal((await hz.getTx(notHolderTx)).receipt.code, "NOT_HOLDER", "an attempt on a title: its holder sees it");
  t.equal((await qd.getTx(emptyPledgeTx)).receipt.code, "EXCEEDS_STOCK", "the empty pledge: its signer");
  t.equal((await auditor.getTx(emptyPledgeTx)).receipt.code, "EXCEEDS_STOCK", "and auditors");
  t.match(await failure(hz.getTx(emptyPledgeTx)), { status: 403 }, "not the lot's holders: it was an issue to another");

  // a block's transactions, as listed
  const listed = async (c: TradeLedgerClient, hash: string) => {
    const rec = await auditor.getTx(hash);
    const page = await c.getBlockTxs(BigInt(rec.height));
    return page.items.some((i) => i.txHash === hash);
  };
  t.equal(await listed(hz, titleB), false, "a block's transactions: not another holder's title");
  t.equal(await listed(sz, titleB), true, "but the issue to itself");
});

t.test("the event stream: title events to the title's parties, stock events to the lot's", async (t) => {
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const events = async (c: TradeLedgerClient, filter: { types: LedgerEventType[]; party?: string }) => {
    const it = c.events(filter, { signal: abort.signal, fromHeight: 1, reconnect: false });
    const out: LedgerEventJson[] = [];
    const timer = setTimeout(() => void it.return!(), 1000);
    for await (const e of it) {
      out.push(e);
      if (out.length >= 30) break;
    }
    clearTimeout(timer);
    await it.return!();
    return out;
  };
  const ids = (es: LedgerEventJson[]) => es.map((e) => (e.event as { titleId?: string } | undefined)?.titleId ?? e.rejection?.target);
  const hzIssued = await events(hz, { types: ["titleIssued"] });
  t.same(ids(hzIssued).sort(), [titleA, titleC].sort(), "a holder sees its titles issued, not another holder's on the lot");
  t.same(
    ids(await events(sz, { types: ["titleIssued", "titleTransferred"] })),
    [titleB, titleB],
    "the former holder sees the issue and the transfer it signed",
  );
  const bankAPledges = await events(bankA, { types: ["pledgeOffered", "pledgeAccepted", "pledgeReleased"] });
  t.same(
    bankAPledges.map((e) => [e.type, e.txHash]),
    [
      ["pledgeOffered", pledgeTx.offerA1],
      ["pledgeAccepted", pledgeTx.acceptA1],
      ["pledgeReleased", pledgeTx.releaseA1],
    ],
    "a bank sees the pledge steps that name it",
  );
  const stock = await events(hz, { types: ["stockAttested"] });
  t.same(
    stock.map((e) => (e.event as { lotId: string }).lotId),
    [LOT],
    "a holder sees its lot's stock, not other lots'",
  );
  t.same(await events(customs, { types: ["stockAttested", "titleIssued", "pledgeOffered", "titleSurrendered"] }), [], "customs sees none of it");
  const rejected = await events(hz, { types: ["txRejected"] });
  t.ok(
    rejected.some((e) => e.txHash === duplicateTx),
    "a duplicate receipt aimed at its title",
  );
  t.notOk(
    rejected.some((e) => e.txHash === emptyPledgeTx),
    "not the refused issue to another",
  );
  const qdParty = await events(auditor, { types: ["titleIssued", "titleSurrendered"], party: "warehouse-qd" });
  t.equal(qdParty.length, 4, "the party filter names the custodian");
  const coreParty = await events(auditor, { types: ["titleTransferred"], party: "core-enterprise" });
  t.same(ids(coreParty), [titleB], "and the recipient of a transfer");
});

t.test("the store's title indexes through the query model, and the whole-store check", async (t) => {
  const q = h.query;
  const kinds = async (kind: "title" | "lot", id: string) => (await q.objectHistory(kind, id)).items.map((e) => e.event?.type ?? `rejected:${e.code}`);
  t.same(await kinds("title", titleA), [
    "titleIssued",
    "rejected:DUPLICATE_TITLE",
    "pledgeOffered",
    "pledgeAccepted",
    "rejected:NOT_HOLDER",
    "rejected:TITLE_PLEDGED",
    "pledgeReleased",
    "pledgeOffered",
    "pledgeAccepted",
  ]);
  t.same(await kinds("title", titleB), ["titleIssued", "titleTransferred", "titleSurrendered"]);
  t.same(await kinds("title", emptyPledgeTx), ["rejected:EXCEEDS_STOCK"], "a refused issue is filed under its own id");
  t.same(await kinds("lot", LOT), ["stockAttested", "titleIssued", "titleIssued", "rejected:DUPLICATE_TITLE", "titleIssued", "rejected:EXCEEDS_STOCK", "titleSurrendered"]);
  t.same(
    (await q.lotsByCustodian("warehouse-qd")).items.map((l) => l.id),
    [LOT],
  );
  t.same(
    (await q.lotsByCustodian("warehouse-sh")).items.map((l) => l.id),
    ["sh-alumina-1"],
  );
  t.same(
    (await q.titlesPledgedTo("bank-b")).items.map((x) => x.id).sort(),
    [titleA, titleC].sort(),
  );
  t.same(
    (await q.titlesPledgedTo("bank-b", {}, "sh-alumina-1")).items,
    [],
  );
  t.same(
    (await q.titlesOfLot(LOT, { limit: 2 })).items.map((x) => x.id),
    [titleA, titleB],
  );
  const found = await q.getTitle(titleC);
  t.same(
    found?.pledges.map((p) => p.outcome),
    ["DECLINED", "WITHDRAWN", "OFFERED"],
  );
  t.equal(await q.getTitle("00".repeat(32)), undefined);
  const report = await h.chain.verify();
  t.match(report, { lots: 2, titles: 3 }, "verifyStore passes over the title indexes and the lot invariant");
});

t.test("OpenAPI documents the title routes", async (t) => {
  const doc = openApiDocument({ version: "0.1.0" }) as any;
  for (const [path, id] of [
    ["/v1/titles/{id}", "getTitle"],
    ["/v1/lots/{id}", "getLot"],
    ["/v1/parties/{id}/titles", "listTitles"],
  ]) {
    t.equal(doc.paths[path]?.get?.operationId, id, path);
  }
  for (const name of ["TitleRecord", "LotRecord", "PledgeHistoryEntry", "Title"]) t.ok(doc.components.schemas[name], `${name} is a named schema`);
  t.ok(doc.paths["/v1/parties/{id}/titles"].get.parameters.some((p: any) => p.name === "status"));
  t.ok((await auditor.openApi() as any).paths["/v1/lots/{id}"], "served by the node");
});
