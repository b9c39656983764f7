// What the web explorer verifies in the browser, in Node over the in-process node of
// test/rpc-harness.ts: verifyBlock (a block's commit certificate and that its header fields are its
// bytes'), verifyTx on a transaction a supervision rule flagged (the certified receipt carries the
// alert), and the auditor's evidence bundle (sdk/evidence.ts): signed, verified offline, and refused
// once anything in it is altered.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import { verifyBlock } from "../sdk/verify-block.js";
import { signEvidence, verifyEvidence } from "../sdk/evidence.js";
import { toHex } from "../sdk/bytes.js";
import { attestPayload, day, servedHarness } from "./rpc-harness.js";

const { h, as } = await servedHarness(t);
const validators = validatorSetFromGenesis(h.genesis());
const regulator = as("regulator");
const auditor = as("auditor");
const exporter = as("exporter-hz-textiles");
const bankA = as("bank-a");
const bankB = as("bank-b");

await regulator.submit(tx.setRule({ ruleId: "fast", kind: "VELOCITY", params: { hours: 24 } }));
const reg = await exporter.submit(tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: "buyer-1", amount: 1_000_00n, currency: "USD", issueDate: day(-1), dueDate: day(60) }));
const id = reg.receipt.target;
await as("customs").submit(attestPayload("77", { exporter: "exporter-hz-textiles", amount: "1000.00", receivableIds: [id] }));
const financed = await bankA.submit(tx.financeReceivable({ receivableId: id, amount: 600_00n, currency: "USD" }));
const refused = await bankB.submit(tx.financeReceivable({ receivableId: id, amount: 500_00n, currency: "USD" })).catch((e: LedgerError) => e);

t.test("verifyBlock: the commit certificate and the header's own bytes", async (t) => {
  const block = await auditor.getBlock(BigInt(financed.height));
  const ok = verifyBlock(block, validators);
  t.ok(ok.ok, ok.reason ?? "verified");
  t.ok(ok.signers.length >= 3, `a quorum signed: ${ok.signers.join(", ")}`);
  t.match(verifyBlock({ ...block, header: { ...block.header, txCount: block.header.txCount + 1 } }, validators), { ok: false, reason: /header fields served differ/ }, "a header field that is not the bytes'");
  t.match(verifyBlock({ ...block, hash: toHex(randomBytes(32)) }, validators), { ok: false, reason: /does not hash to the block hash/ });
  const other = await auditor.getBlock(BigInt(reg.height));
  t.match(verifyBlock({ ...block, certificate: other.certificate }, validators), { ok: false }, "another block's certificate");
  t.match(verifyBlock({ ...block, certificate: null }, validators), { ok: false, reason: /no commit certificate/ });
  t.match(verifyBlock(block, { ...validators, chainId: "another-chain" }), { ok: false, reason: /of chain/ });
  t.match(verifyBlock(block, { chainId: validators.chainId, validators: validators.validators.map((v) => ({ id: v.id, publicKey: randomBytes(32) })) }), { ok: false }, "other validators' keys");
});

t.test("verifyTx accepts a certified receipt that carries supervision alerts", async (t) => {
  t.match(financed.receipt.alerts, [{ ruleId: "fast" }], "the financing tripped the VELOCITY rule");
  const view = await auditor.getTx(financed.txHash, { waitCertifiedMs: 10_000 });
  t.ok(view.receipt.alerts?.length, "the view shows the alert");
  const report = verifyTx(view, validators);
  t.ok(report.ok, JSON.stringify(report.problems));
  const altered = structuredClone(view);
  altered.receipt.alerts![0]!.detail = "nothing to see";
  t.match(verifyTx(altered, validators).problems, [{ code: "RECEIPT_MISMATCH" }], "an altered alert is caught");
  const dropped = structuredClone(view);
  delete dropped.receipt.alerts;
  t.match(verifyTx(dropped, validators).problems, [{ code: "RECEIPT_MISMATCH" }], "and a hidden one");
});

t.test("an evidence bundle: signed by its compiler, verified offline, any edit refused", async (t) => {
  t.equal(refused.code, "DOUBLE_FINANCING");
  const rejections = (await auditor.getRejections({ code: "DOUBLE_FINANCING" })).items;
  t.equal(rejections.length, 1);
  const transactions = [await auditor.getTx(rejections[0]!.txHash, { waitCertifiedMs: 10_000 })];
  const histories = [await auditor.getFullHistory(id, { waitCertifiedMs: 10_000 })];
  const signer = h.party("auditor").signer;
  const bundle = await signEvidence(signer, { chainId: validators.chainId, compiledBy: "auditor", compiledAt: new Date(0).toISOString(), query: { code: "DOUBLE_FINANCING" }, rejections, transactions, histories, links: [] });
  t.equal(bundle.format, "tradeledger-evidence/v2");
  t.same(verifyEvidence(bundle, validators, { compilerKey: toHex(signer.publicKey) }), { ok: true, problems: [], proven: 1, histories: 1, epochs: 1 });
  t.ok(verifyHistory(JSON.parse(JSON.stringify(bundle)).histories[0], validators).ok, "its history verifies after a JSON round trip, as a file");
  const edits: [string, (b: typeof bundle) => void, RegExp, string[]][] = [
    ["the compiler", (b) => (b.compiledBy = "bank-a"), /signature is not bank-a's/, ["BAD_SIGNATURE"]],
    ["a listed rejection's code", (b) => (b.rejections[0]!.code = "NOT_ATTESTED"), /signature|certified receipt says/, ["BAD_SIGNATURE", "REJECTION_MISMATCH"]],
    ["a history entry", (b) => (b.histories[0]!.items[0]!.signer = "bank-b"), /history of/, ["BAD_SIGNATURE", "HISTORY_UNVERIFIED"]],
    ["the chain", (b) => (b.chainId = "another"), /chain another/, ["WRONG_CHAIN", "BAD_SIGNATURE"]],
  ];
  for (const [what, edit, why, codes] of edits) {
    const b = structuredClone(bundle);
    edit(b);
    const check = verifyEvidence(b, validators);
    t.notOk(check.ok, `editing ${what} is refused`);
    t.match(check.problems.map((p) => p.message).join("\n"), why);
    t.same(check.problems.map((p) => p.code), codes, `editing ${what}: ${codes.join(", ")}`);
  }
  // re-signed by someone else after an edit: the signature holds, the proofs do not
  const forged = await signEvidence(h.party("bank-a").signer, { ...structuredClone(bundle), compiledBy: "bank-a", rejections: [{ ...rejections[0]!, code: "NOT_ATTESTED" }] });
  t.match(verifyEvidence(forged, validators).problems, [{ code: "REJECTION_MISMATCH", message: /certified receipt says DOUBLE_FINANCING/ }]);
  t.match(verifyEvidence(bundle, validators, { compilerKey: toHex(h.party("bank-a").signer.publicKey) }).problems, [{ code: "NOT_COMPILER_KEY", message: /not the key given/ }], "the key the reader holds for the compiler is checked");
  t.match(verifyEvidence({ format: "x" } as never, validators), { ok: false, problems: [{ code: "UNKNOWN_FORMAT", message: /not a tradeledger-evidence\/v2 \(or tradeledger-evidence\/v1\) bundle: format x/ }] });
  t.match(verifyEvidence(null as never, validators), { ok: false });
});
