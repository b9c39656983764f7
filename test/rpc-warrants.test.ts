// Digital warrants through the RPC (DESIGN.md §7, Reads), over the real node of test/rpc-harness.ts:
// a bank's credit line, a warrant issued to a supplier, split to a tier-2 supplier, financed by a bank
// and sold on to another; every read route with each visibility rule, 404s, pagination, the event
// stream and transactions by visibility, the store's warrant indexes through the query model, the SDK
// round trip, and verifyPiece against the commit certificates (positive and negative).
import t from "tap";
import { openApiDocument } from "../sdk/api/openapi.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { decode, encode } from "../sdk/codec.js";
import type { Piece } from "../sdk/types.js";
import { tx } from "../sdk/builders.js";
import { paginate, type LedgerEventType, type TradeLedgerClient } from "../sdk/client.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { pieceIdOf } from "../sdk/transactions/warrant-common.js";
import { validatorSetFromGenesis } from "../sdk/verify.js";
import { verifyPiece } from "../sdk/verify-piece.js";
import type { PieceJson } from "../sdk/api/schemas.js";
import { day, servedHarness } from "./rpc-harness.js";

const { h, url, as } = await servedHarness(t);
const bankA = as("bank-a");
const bankB = as("bank-b");
const core = as("core-enterprise");
const hz = as("exporter-hz-textiles");
const sz = as("exporter-sz-electronics");
const customs = as("customs");
const auditor = as("auditor");
const set = () => validatorSetFromGenesis(h.genesis());
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

/** `seller` registers an invoice on `buyer` (a party on the network); returns the receivable id. */
async function invoice(seller: TradeLedgerClient, buyer: string, major: number): Promise<string> {
  const r = await seller.submit(
    tx.registerReceivable({
      documentHash: randomBytes(32),
      fingerprint: randomBytes(32),
      buyerId: `${buyer}-erp`,
      buyerPartyId: buyer,
      amount: usd(major),
      currency: "USD",
      issueDate: day(-5),
      dueDate: day(60),
    }),
  );
  return r.receipt.target;
}

const LINE = "line-core-1";
let warrantId = "";
let szPiece = "";
let hzRemainder = "";
let rejectedTransfer = "";
let soldPiece = "";

t.test("a line, a warrant, a split: the reads as each party sees them", async (t) => {
  await bankA.submit(tx.grantCreditLine({ lineId: LINE, obligor: "core-enterprise", currency: "USD", limit: usd(1_000_000), expiryDate: day(300) }));
  const src = await invoice(hz, "core-enterprise", 100_000);
  const issued = await core.submit(tx.issueWarrant({ lineId: LINE, holder: "exporter-hz-textiles", amount: usd(100_000), currency: "USD", maturityDate: day(90), sources: [src] }));
  warrantId = issued.txHash;
  t.equal(issued.receipt.target, warrantId);

  // a rejected attempt on the first piece: sz does not hold it
  const ref = await invoice(sz, "exporter-hz-textiles", 40_000);
  const stolen = await failure(sz.submit(tx.transferWarrant({ pieceId: warrantId, outputs: [{ to: "exporter-hz-textiles", amount: usd(1_000), tradeRef: ref }] })));
  t.equal(stolen.code, "NOT_HOLDER");
  rejectedTransfer = toHex(stolen.receipt!.txHash);

  const split = await hz.submit(tx.transferWarrant({ pieceId: warrantId, outputs: [{ to: "exporter-sz-electronics", amount: usd(30_000), tradeRef: ref }] }));
  szPiece = pieceIdOf(split.txHash, 0);
  hzRemainder = pieceIdOf(split.txHash, 1);
  t.same(
    split.receipt.events.map((e) => e.type),
    ["pieceSpent", "pieceCreated", "pieceCreated"],
  );

  // credit line: its bank, its obligor, auditors
  const line = await bankA.getCreditLine(LINE);
  t.match(line, { creditLine: { id: LINE, bankId: "bank-a", obligorId: "core-enterprise", outstanding: "10000000", warrants: 1 }, available: "90000000", expired: false });
  t.equal((await core.getCreditLine(LINE)).creditLine.id, LINE);
  t.equal((await auditor.getCreditLine(LINE)).creditLine.id, LINE);
  t.match(await failure(hz.getCreditLine(LINE)), { status: 403, code: "FORBIDDEN" });
  t.match(await failure(bankB.getCreditLine(LINE)), { status: 403 });
  t.match(await failure(bankA.getCreditLine("no-such-line")), { status: 404, code: "NOT_FOUND" });

  // the warrant: the whole tree for the obligor, the granting bank and auditors
  for (const c of [core, bankA, auditor]) {
    const w = await c.getWarrant(warrantId);
    t.match(w, { warrant: { id: warrantId, obligorId: "core-enterprise", bankId: "bank-a", amount: "10000000", status: "ISSUED" }, complete: true, outstanding: "10000000", overdue: false });
    t.same(
      w.pieces.map((p) => p.id),
      [warrantId, szPiece, hzRemainder],
      "root first, then its children in output order",
    );
  }
  // a holder: its own pieces and their ancestry
  const hzView = await hz.getWarrant(warrantId);
  t.equal(hzView.complete, false);
  t.same(hzView.pieces.map((p) => p.id).sort(), [warrantId, hzRemainder].sort());
  const szView = await sz.getWarrant(warrantId);
  t.same(
    szView.pieces.map((p) => p.id),
    [warrantId, szPiece],
  );
  t.match(await failure(customs.getWarrant(warrantId)), { status: 403 });
  t.match(await failure(bankB.getWarrant(warrantId)), { status: 403 });
  t.match(await failure(auditor.getWarrant("ab".repeat(32))), { status: 404 });

  // a piece with its ancestry
  const p = await sz.getPiece(szPiece);
  t.match(p, { piece: { id: szPiece, holderId: "exporter-sz-electronics", amount: "3000000", depth: 1, status: "HELD", tradeRef: ref }, warrant: { id: warrantId }, overdue: false, aging: "current" });
  t.same(
    p.ancestry.map((a) => a.id),
    [warrantId],
  );
  t.equal(p.proofs, undefined, "proofs only on request");
  t.same((await sz.getPiece(warrantId)).ancestry, [], "a holder sees its piece's ancestry by id too");
  t.equal((await hz.getPiece(hzRemainder)).piece.amount, "7000000", "the sender's remainder");
  t.equal((await core.getPiece(szPiece)).piece.id, szPiece, "the obligor sees every piece");
  t.equal((await bankA.getPiece(szPiece)).piece.id, szPiece, "so does the bank of the line");
  t.match(await failure(sz.getPiece(hzRemainder)), { status: 403 }, "not a sibling held by another");
  t.match(await failure(hz.getPiece(szPiece)), { status: 403 }, "nor a piece passed on to another");
  t.match(await failure(bankB.getPiece(szPiece)), { status: 403 });
  t.match(await failure(customs.getPiece(warrantId)), { status: 403 });
  t.match(await failure(sz.getPiece("cd".repeat(32))), { status: 404 });
});

t.test("a party's pieces: its own and auditors, filters and pagination", async (t) => {
  const mine = await sz.listPieces("exporter-sz-electronics");
  t.match(mine, { partyId: "exporter-sz-electronics", items: [{ piece: { id: szPiece, status: "HELD" }, overdue: false, aging: "current" }] });
  t.equal(mine.items.length, 1);
  t.same(
    (await hz.listPieces("exporter-hz-textiles")).items.map((i) => i.piece.id),
    [hzRemainder],
    "a spent piece is not listed: it was passed on",
  );
  t.match(await failure(sz.listPieces("exporter-hz-textiles")), { status: 403 });
  t.match(await failure(bankA.listPieces("exporter-hz-textiles")), { status: 403 });
  t.match(await failure(auditor.listPieces("no-such-party")), { status: 404 });

  // two more warrants to hz: three live pieces, paged one by one
  for (let i = 0; i < 2; i++) {
    const src = await invoice(hz, "core-enterprise", 1_000);
    await core.submit(tx.issueWarrant({ lineId: LINE, holder: "exporter-hz-textiles", amount: usd(1_000), currency: "USD", maturityDate: day(60), sources: [src] }));
  }
  const seen: string[] = [];
  let pages = 0;
  for await (const item of paginate((cursor) => auditor.listPieces("exporter-hz-textiles", { limit: 1, ...(cursor ? { cursor } : {}) }))) {
    seen.push(item.piece.id);
    pages++;
  }
  t.equal(pages, 3);
  t.equal(new Set(seen).size, 3, "every piece once");
  t.ok(seen.includes(hzRemainder));
  t.same(
    (await hz.listPieces("exporter-hz-textiles", { warrant: warrantId })).items.map((i) => i.piece.id),
    [hzRemainder],
  );
  t.same((await hz.listPieces("exporter-hz-textiles", { status: "OFFERED" })).items, []);
  t.match(await failure(hz.listPieces("exporter-hz-textiles", { cursor: "x.00" })), { status: 400 });
});

t.test("financing and a sale between banks move the holder; visibility follows", async (t) => {
  await sz.submit(tx.offerWarrant({ pieceId: szPiece, bank: "bank-b" }));
  t.equal((await bankB.getPiece(szPiece)).piece.status, "OFFERED", "the bank a piece is offered to sees it, to check it");
  t.same(
    (await bankB.getPiece(szPiece)).ancestry.map((a) => a.id),
    [warrantId],
  );
  await bankB.submit(tx.financeWarrant({ pieceId: szPiece, advance: usd(29_000) }));
  t.match(await bankB.getPiece(szPiece), { piece: { status: "FINANCED", holderId: "bank-b", financedBy: "bank-b", advance: "2900000" } });
  t.same((await sz.listPieces("exporter-sz-electronics")).items, [], "the seller no longer holds it");
  t.same(
    (await bankB.listPieces("bank-b")).items.map((i) => i.piece.id),
    [szPiece],
  );
  const sale = await bankB.submit(tx.transferWarrant({ pieceId: szPiece, outputs: [{ to: "bank-a", amount: usd(30_000) }] }));
  soldPiece = pieceIdOf(sale.txHash, 0);
  t.match(await bankA.getPiece(soldPiece), { piece: { holderId: "bank-a", status: "FINANCED", depth: 2 } });
  t.same(
    (await bankA.getPiece(soldPiece)).ancestry.map((a) => a.id),
    [warrantId, szPiece],
  );
  t.equal((await core.getWarrant(warrantId)).pieces.length, 4);
});

t.test("transactions: the parties of a warrant see its transactions, others do not", async (t) => {
  const issueTx = warrantId;
  t.equal((await core.getTx(issueTx)).txHash, issueTx, "its signer");
  t.equal((await hz.getTx(issueTx)).txHash, issueTx, "the holder it names");
  t.equal((await bankA.getTx(issueTx)).txHash, issueTx, "the bank of the line");
  t.match(await failure(customs.getTx(issueTx)), { status: 403 });
  t.match(await failure(bankB.getTx(issueTx)), { status: 403 });
  t.equal((await hz.getTx(rejectedTransfer)).txHash, rejectedTransfer, "an attempt on a piece: its holder sees it");
  t.equal((await core.getTx(rejectedTransfer)).receipt.code, "NOT_HOLDER", "and the obligor");
  t.match(await failure(customs.getTx(rejectedTransfer)), { status: 403 });
});

t.test("the store's warrant indexes, through the query model", async (t) => {
  const q = h.query;
  const kinds = async (kind: "piece" | "warrant" | "line", id: string) => (await q.objectHistory(kind, id)).items.map((e) => e.event?.type ?? `rejected:${e.code}`);
  t.same(await kinds("piece", warrantId), ["pieceCreated", "rejected:NOT_HOLDER", "pieceSpent"]);
  t.same(await kinds("piece", szPiece), ["pieceCreated", "pieceOffered", "pieceFinanced", "pieceSpent"]);
  t.same(await kinds("warrant", warrantId), ["warrantIssued", "pieceCreated", "pieceSpent", "pieceCreated", "pieceCreated", "pieceSpent", "pieceCreated"]);
  t.same((await kinds("line", LINE)).slice(0, 2), ["creditLineGranted", "warrantIssued"]);
  t.same(
    (await q.warrantsByObligor("core-enterprise")).items.map((w) => w.id)[0],
    warrantId,
  );
  t.equal((await q.warrantsByLine(LINE)).items.length, 3);
  t.same(
    (await q.creditLinesByBank("bank-a")).items.map((l) => l.id),
    [LINE],
  );
  t.same(
    (await q.creditLinesByObligor("core-enterprise")).items.map((l) => l.id),
    [LINE],
  );
  t.same(
    (await q.piecesFinancedBy("bank-b")).items.map((p) => p.id),
    [szPiece],
  );
  t.same(
    (await q.piecesFinancedBy("bank-a")).items.map((p) => p.id),
    [soldPiece],
    "a piece bought from another bank",
  );
  const page1 = await q.objectHistory("warrant", warrantId, { limit: 3 });
  const page2 = await q.objectHistory("warrant", warrantId, { limit: 5, cursor: page1.cursor! });
  t.same([page1.items.length, page2.items.length, page2.cursor], [3, 4, undefined]);
});

t.test("the event stream shows a piece's events to its holder, the obligor and the bank", async (t) => {
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const first = async (c: TradeLedgerClient, types: LedgerEventType[]) => {
    const it = c.events({ types }, { signal: abort.signal, fromHeight: 1, reconnect: false });
    const out: any[] = [];
    const timer = setTimeout(() => void it.return!(), 1500);
    for await (const e of it) {
      out.push(e);
      if (out.length >= 8) break;
    }
    clearTimeout(timer);
    await it.return!();
    return out;
  };
  const szSees = await first(sz, ["pieceCreated"]);
  t.ok(szSees.some((e) => e.event.pieceId === szPiece), "the recipient sees its piece created");
  t.notOk(szSees.some((e) => e.event.pieceId === hzRemainder), "not the sender's remainder");
  const coreSees = await first(core, ["pieceSpent"]);
  t.ok(coreSees.some((e) => e.event.pieceId === warrantId), "the obligor sees its warrant split");
  const bankSees = await first(bankA, ["warrantIssued"]);
  t.ok(bankSees.some((e) => e.event.warrantId === warrantId), "the bank of the line sees the warrant issued");
  const customsSees = await first(customs, ["pieceCreated", "warrantIssued", "pieceSpent"]);
  t.same(customsSees, [], "customs sees none of it");
});

t.test("verifyPiece: a holder proves its piece offline against the commit certificates", async (t) => {
  const v = await sz.getPiece(szPiece, { proofs: true }).catch(() => undefined);
  t.equal(v, undefined, "sz no longer holds it after the sale (403)");
  const bought = await bankA.getPiece(soldPiece, { proofs: true });
  t.equal(bought.proofs?.steps.length, 3);
  t.ok(bought.proofs?.steps[1]!.financed, "the financing that made bank-b the holder is a step");
  const report = verifyPiece(bought.piece, bought, set());
  t.same(report.problems, []);
  t.match(report, { ok: true, warrantId, lineId: LINE, bankId: "bank-a", obligorId: "core-enterprise", holderId: "bank-a", amount: "3000000", currency: "USD", depth: 2, checked: 5 });
  t.ok(report.certifiedBlocks >= 4);

  const remainder = await hz.getPiece(hzRemainder, { proofs: true });
  t.match(verifyPiece(remainder.piece, remainder, set()), { ok: true, holderId: "exporter-hz-textiles", amount: "7000000", depth: 1 }, "a sender's remainder");
  const root = await hz.getPiece(warrantId, { proofs: true });
  t.match(verifyPiece(root.piece, root, set()), { ok: true, depth: 0, amount: "10000000" });

  // with the parties' keys, every signature is checked as well
  const keys = Object.fromEntries(Object.values(h.parties).map((p) => [p.id, toHex(p.signer.publicKey)]));
  t.match(verifyPiece(bought.piece, bought, set(), { partyKeys: keys }), { ok: true, signaturesChecked: 5 });
  const wrongKey = verifyPiece(bought.piece, bought, set(), { partyKeys: { ...keys, "core-enterprise": toHex(h.party("bank-b").signer.publicKey) } });
  t.ok(wrongKey.problems.some((p) => p.code === "BAD_SIGNATURE"));

  const copy = (): PieceJson => JSON.parse(JSON.stringify(bought));
  const codes = (r: { problems: { code: string }[] }) => [...new Set(r.problems.map((p) => p.code))];

  // a tampered amount
  const tampered = copy();
  tampered.piece.amount = "9000000";
  t.match(verifyPiece(tampered.piece, tampered, set()), { ok: false });
  t.same(codes(verifyPiece(tampered.piece, tampered, set())), ["STEP_MISMATCH"]);
  const tamperedAncestor = copy();
  tamperedAncestor.ancestry[1]!.amount = "3100000";
  t.ok(verifyPiece(tamperedAncestor.piece, tamperedAncestor, set()).problems.some((p) => p.code === "STEP_MISMATCH" && p.step === 1));

  // a wrong signer: the certified but rejected transfer of the first piece by a party that did not hold it
  const forgedStep = copy();
  const stolen = await auditor.getTx(rejectedTransfer);
  forgedStep.proofs!.steps[1]!.created = stolen;
  const ws = verifyPiece(forgedStep.piece, forgedStep, set());
  t.ok(ws.problems.some((p) => p.code === "WRONG_SIGNER" && p.step === 1), "signed by someone other than the parent's holder");
  t.ok(ws.problems.some((p) => p.code === "RECEIPT_MISMATCH"));

  // a wrong holder claimed
  const otherHolder = copy();
  otherHolder.piece.holderId = "bank-b";
  t.ok(verifyPiece(otherHolder.piece, otherHolder, set()).problems.some((p) => p.code === "STEP_MISMATCH"));

  // a missing step
  const missing = copy();
  missing.proofs!.steps.splice(1, 1);
  t.ok(codes(verifyPiece(missing.piece, missing, set())).includes("STEP_MISSING"));
  const noAncestor = copy();
  noAncestor.ancestry.splice(1, 1);
  t.ok(!verifyPiece(noAncestor.piece, noAncestor, set()).ok, "an ancestry with a gap");

  // a forged certificate
  const forged = copy();
  const sig = forged.proofs!.steps[1]!.created.certificate!.commits[0]!.signature;
  forged.proofs!.steps[1]!.created.certificate!.commits[0]!.signature = (sig[0] === "0" ? "1" : "0") + sig.slice(1);
  t.ok(codes(verifyPiece(forged.piece, forged, set())).includes("CERTIFICATE_INVALID"));
  const otherSet = validatorSetFromGenesis({ ...h.genesis(), validators: h.genesis().validators.map((v, i) => (i === 0 ? { ...v, nodePublicKey: toHex(randomBytes(32)) } : v)) });
  t.notOk(verifyPiece(bought.piece, bought, otherSet).ok, "against another validator set");

  // a grant that is not a grant
  const notGrant = copy();
  notGrant.proofs!.creditLine = notGrant.proofs!.steps[0]!.created;
  t.ok(codes(verifyPiece(notGrant.piece, notGrant, set())).includes("STEP_MISMATCH"));

  // malformed input never throws
  for (const bad of [null, undefined, 42, "x", {}, { ancestry: "no" }, { ancestry: [], proofs: { steps: "no", creditLine: 1 } }, { ancestry: [], proofs: { steps: [null], creditLine: { proof: {} } } }]) {
    const r = verifyPiece(bought.piece, bad as never, set());
    t.equal(r.ok, false, JSON.stringify(bad));
  }
  t.equal(verifyPiece(null as never, bought, set()).ok, false);
  t.match(verifyPiece(bought.piece, { ancestry: bought.ancestry }, set()), { ok: false, problems: [{ code: "MISSING_PROOF" }] });
  t.equal(verifyPiece(bought.piece, bought, { chainId: "x", validators: [] }).ok, false);
});

t.test("verifyPiece rests on certified state: the outcome of every step and the piece as it is now", async (t) => {
  const bought = await bankA.getPiece(soldPiece, { proofs: true });
  const report = verifyPiece(bought.piece, bought, set());
  t.same(report.problems, []);
  t.match(report, { ok: true, status: bought.piece.status, provenAt: bought.proofs!.state!.height }, "the piece's status, proven at a certified height");
  const copy = (): PieceJson => JSON.parse(JSON.stringify(bought));
  const codes = (r: { problems: { code: string }[] }) => [...new Set(r.problems.map((p) => p.code))];
  // the node shows another holder or status than its certified record
  const shown = copy();
  shown.piece.holderId = "bank-b";
  t.ok(codes(verifyPiece(shown.piece, shown, set())).includes("STEP_MISMATCH"), "a piece shown otherwise than its record");
  const settled = copy();
  settled.piece.status = "SETTLED";
  t.same(codes(verifyPiece(settled.piece, settled, set())), ["STEP_MISMATCH"], "a status the record does not have");
  // ... and a record forged to match: not under the certified state root
  const forged = copy();
  const rec = decode<Piece>("Piece", fromHex(forged.proofs!.state!.record!));
  forged.proofs!.state!.record = toHex(encode("Piece", { ...rec, status: "SETTLED" }));
  forged.piece.status = "SETTLED";
  t.same(codes(verifyPiece(forged.piece, forged, set())), ["CERTIFICATE_INVALID"]);
  // a step's outcome misreported: the certified receipt says otherwise
  const relabelled = copy();
  relabelled.proofs!.steps[1]!.created.receipt.code = "OK";
  relabelled.proofs!.steps[1]!.created.receipt.message = "changed";
  t.ok(codes(verifyPiece(relabelled.piece, relabelled, set())).includes("RECEIPT_MISMATCH"));
  // signatures are checked against certified keys without partyKeys
  const sig = copy();
  sig.proofs!.steps[0]!.created.signature = "00".repeat(64);
  const wire = decode<{ body: Uint8Array; signature: Uint8Array }>("SignedTx", fromHex(sig.proofs!.steps[0]!.created.proof.tx));
  sig.proofs!.steps[0]!.created.proof.tx = toHex(encode("SignedTx", { body: wire.body, signature: new Uint8Array(64) }));
  sig.proofs!.steps[0]!.created.signature = toHex(new Uint8Array(64));
  t.ok(codes(verifyPiece(sig.piece, sig, set())).includes("BAD_SIGNATURE"), "forged signature bytes, no partyKeys given");
  const unproven = copy();
  delete unproven.proofs!.state;
  t.same(codes(verifyPiece(unproven.piece, unproven, set())), ["NOT_CERTIFIED"], "no certified record: the piece's state is unproven");
});

t.test("OpenAPI documents the warrant routes", async (t) => {
  const doc = openApiDocument({ version: "0.1.0" }) as any;
  for (const [path, id] of [
    ["/v1/warrants/{id}", "getWarrant"],
    ["/v1/pieces/{id}", "getPiece"],
    ["/v1/credit-lines/{id}", "getCreditLine"],
    ["/v1/parties/{id}/pieces", "listPieces"],
  ]) {
    t.equal(doc.paths[path]?.get?.operationId, id, path);
  }
  t.ok(doc.components.schemas.PieceRecord, "the piece record is a named schema");
  t.ok(doc.paths["/v1/pieces/{id}"].get.parameters.some((p: any) => p.name === "proofs"));
});
