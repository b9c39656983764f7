// Key rotation end to end through the RPC (DESIGN.md §12, docs/governance.md): a bank rotates its own
// key between financing a receivable and recording its repayment, a bank resets the key of an
// exporter it onboarded that lost its key; the retired keys are refused at admission (401
// KEY_RETIRED) and, forced into a block, by the ledger; and verifyTx / verifyHistory verify every
// transaction on both sides of each rotation against the key its party held at that height, proven
// from certified state. A real node behind the RPC (test/rpc-harness.ts).
import t from "tap";
import { toHex } from "../sdk/bytes.js";
import { tx } from "../sdk/builders.js";
import { buildTxBody } from "../sdk/builders.js";
import { createClient } from "../sdk/client.js";
import { LedgerError } from "../sdk/errors.js";
import { signerFromSeed } from "../sdk/signer.js";
import { keyPossessionProof } from "../sdk/transactions/index.js";
import { decodeTx, signTx } from "../sdk/tx.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import { nodeCrypto } from "../node/crypto.js";
import { RpcHarness, attestPayload, invoice, registerPayload } from "./rpc-harness.js";

const h = await RpcHarness.create();
const { server, url } = await h.serve();
t.teardown(async () => {
  await server.stop();
  await h.close();
});
const set = () => validatorSetFromGenesis(h.genesis());
const auditor = createClient({ url, signer: h.party("auditor").signer });
const seedOf = (label: string) => nodeCrypto.sha256(new TextEncoder().encode(`rotation/${label}`));

async function refusal(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

t.test("a bank rotates its key mid-lifecycle; the history verifies across the rotation", async (t) => {
  const exporter = createClient({ url, signer: h.party("exporter-hz-textiles").signer });
  const oldBank = h.party("bank-a").signer;
  const reg = await exporter.submit(registerPayload(invoice("ROT-1")).payload);
  const id = reg.receipt.target;
  await createClient({ url, signer: h.party("customs").signer }).submit(attestPayload("ROT1", { exporter: "exporter-hz-textiles", amount: "152500.00", receivableIds: [id] }));
  const financed = await createClient({ url, signer: oldBank }).submit(tx.financeReceivable({ receivableId: id, amount: 15_250_000n, currency: "USD" }));
  t.equal(financed.receipt.code, "OK", "financed with the old key");

  // the rotation: a new key, its proof of possession, signed with the current key
  const newSeed = seedOf("bank-a");
  const { publicKey, proof } = keyPossessionProof(h.chainId, "bank-a", newSeed, nodeCrypto);
  const rotated = await createClient({ url, signer: oldBank }).submit(tx.rotateKey({ partyId: "bank-a", newPublicKey: publicKey, possessionProof: proof }));
  t.match(rotated.receipt.events, [{ type: "keyRotated", partyId: "bank-a", publicKey: toHex(publicKey) }]);
  const party = await auditor.getParty("bank-a");
  t.equal(party.publicKey, toHex(publicKey), "GET /v1/parties shows the new key");
  t.match(party.retiredKeys, [{ publicKey: toHex(oldBank.publicKey), untilHeight: (BigInt(rotated.height) + 1n).toString() }], "and the retired one with the height it stops at");

  // the old key is refused at admission: 401 KEY_RETIRED (not a generic bad signature)
  const stale = await refusal(createClient({ url, signer: oldBank }).submit(tx.recordRepayment({ receivableId: id, financingId: financed.txHash, amount: 15_250_000n })));
  t.equal(stale.code, "KEY_RETIRED", stale.message);
  t.equal(stale.status, 401);

  const newBank = signerFromSeed("bank-a", newSeed, nodeCrypto);
  const repaid = await createClient({ url, signer: newBank }).submit(tx.recordRepayment({ receivableId: id, financingId: financed.txHash, amount: 15_250_000n }));
  t.equal(repaid.receipt.code, "OK", "repaid with the new key");

  const history = await auditor.getFullHistory(id, { waitCertifiedMs: 5_000 });
  t.same(history.items.map((e) => `${e.signer}:${e.event?.type ?? e.code}`), [
    "exporter-hz-textiles:receivableRegistered",
    "customs:receivableAttested",
    "bank-a:receivableFinanced",
    "bank-a:repaymentRecorded",
    "bank-a:receivableSettled",
  ]);
  const report = verifyHistory(history, set());
  t.same(report.problems, [], "verifyHistory: bank-a's old key for the financing, its new key for the repayment");
  t.ok(report.completeThrough !== undefined, "complete up to a certified height");
  for (const hash of [financed.txHash, rotated.txHash, repaid.txHash]) {
    const view = await auditor.getTx(hash, { waitCertifiedMs: 5_000 });
    t.same(verifyTx(view, set()).problems, [], `verifyTx of ${view.type} at height ${view.height}`);
  }

  // a history verifier with a key swapped (the old key claimed for the repayment) would fail: the check can fail
  const forged = JSON.parse(JSON.stringify(await auditor.getTx(repaid.txHash, { waitCertifiedMs: 5_000 })));
  const signed = decodeTx(nodeCrypto, signTx(nodeCrypto, decodeTx(nodeCrypto, Buffer.from(forged.proof.tx, "hex")).body, h.party("bank-a").seed).bytes);
  forged.proof.tx = toHex(signed.bytes);
  forged.signature = toHex(signed.signature);
  t.ok(verifyTx(forged, set()).problems.some((p) => p.code === "BAD_SIGNATURE"), "the repayment re-signed with the retired key does not verify at its height");
});

t.test("forced into a block, a retired key's transaction is ordered and rejected KEY_RETIRED, and verifies as such", async (t) => {
  // bank-a rotated above; its old seed signs a fresh body
  const body = buildTxBody(tx.anchorDocument({ documentHash: seedOf("doc-1"), documentType: "PACKING_LIST" }), { chainId: h.chainId, signer: h.party("bank-a").signer, createdAt: BigInt(Date.now()), nonce: seedOf("nonce").subarray(0, 16) });
  const byOld = decodeTx(nodeCrypto, signTx(nodeCrypto, body, h.party("bank-a").seed).bytes);
  const executed = await h.executeBlock([byOld]);
  t.equal(executed.receipts[0]!.code, "KEY_RETIRED", executed.receipts[0]!.message);
  // like a bad signature it does not take its hash (the body may be re-signed with the current key)
  const rejections = await auditor.getRejections({ code: "KEY_RETIRED" });
  t.match(rejections.items.find((r) => r.txHash === byOld.hashHex), { code: "KEY_RETIRED", signer: "bank-a" }, "auditors list the attempt with the retired key");
});

t.test("a bank resets the key of an exporter it onboarded, with the reason; both sides verify", async (t) => {
  const lost = signerFromSeed("exporter-lost-key", seedOf("lost/old"), nodeCrypto);
  const bankA = createClient({ url, signer: signerFromSeed("bank-a", seedOf("bank-a"), nodeCrypto) });
  await bankA.submit(tx.registerParty({ id: "exporter-lost-key", role: "ENTERPRISE", name: "Lost Key Co.", country: "CN", publicKey: lost.publicKey }));
  const reg = await createClient({ url, signer: lost }).submit(registerPayload(invoice("LOST-1", { seller: "exporter-lost-key" })).payload);
  const id = reg.receipt.target;

  const replacement = keyPossessionProof(h.chainId, "exporter-lost-key", seedOf("lost/new"), nodeCrypto);
  const otherBank = await refusal(createClient({ url, signer: h.party("bank-b").signer }).submit(tx.resetPartyKey({ partyId: "exporter-lost-key", newPublicKey: replacement.publicKey, possessionProof: replacement.proof, reason: "lost" })));
  t.equal(otherBank.code, "UNAUTHORIZED", "only the onboarding bank resets it");
  const reset = await bankA.submit(tx.resetPartyKey({ partyId: "exporter-lost-key", newPublicKey: replacement.publicKey, possessionProof: replacement.proof, reason: "laptop stolen, police report 2026-118" }));
  t.match(reset.receipt.events, [{ type: "keyRotated", partyId: "exporter-lost-key", resetBy: "bank-a", reason: "laptop stolen, police report 2026-118" }]);
  t.match((await auditor.getParty("exporter-lost-key")).retiredKeys, [{ publicKey: toHex(lost.publicKey), resetBy: "bank-a", reason: "laptop stolen, police report 2026-118" }], "recorded in the party");

  t.equal((await refusal(createClient({ url, signer: lost }).submit(tx.anchorDocument({ documentHash: seedOf("lost-doc"), documentType: "PACKING_LIST", receivableId: id })))).code, "KEY_RETIRED", "whoever holds the lost key is refused");
  const found = signerFromSeed("exporter-lost-key", seedOf("lost/new"), nodeCrypto);
  const anchored = await createClient({ url, signer: found }).submit(tx.anchorDocument({ documentHash: seedOf("lost-doc"), documentType: "PACKING_LIST", receivableId: id }));
  t.equal(anchored.receipt.code, "OK", "the new key signs");
  const history = await auditor.getFullHistory(id, { waitCertifiedMs: 5_000 });
  t.same(history.items.map((e) => e.event?.type ?? e.code), ["receivableRegistered", "documentAnchored"]);
  t.same(verifyHistory(history, set()).problems, [], "the registration under the lost key and the anchor under the new one both verify");
});

t.test("GET /v1/observers: the admitted set, then a removal, as any registered party reads it", async (t) => {
  const bankA = createClient({ url, signer: signerFromSeed("bank-a", seedOf("bank-a"), nodeCrypto) });
  const nodeKey = nodeCrypto.publicKeyFromSeed(seedOf("observer-node"));
  const admitted = await createClient({ url, signer: h.party("regulator").signer }).submit(tx.admitObserver({ nodePublicKey: nodeKey, partyId: "auditor" }));
  const exporter = createClient({ url, signer: h.party("exporter-hz-textiles").signer });
  t.match((await exporter.getObservers({ minHeight: BigInt(admitted.height) })).items, [{ nodePublicKey: toHex(nodeKey), partyId: "auditor", admittedBy: "regulator", admittedAt: admitted.height, removedBy: "", removedAt: "0" }]);
  const removed = await bankA.submit(tx.removeObserver({ nodePublicKey: nodeKey, reason: "engagement ended" }));
  const after = await auditor.getObservers({ minHeight: BigInt(removed.height) });
  t.match(after.items, [{ nodePublicKey: toHex(nodeKey), removedBy: "bank-a", removedAt: removed.height, reason: "engagement ended" }]);
  t.equal(after.asOf.height, removed.height);
  const unsigned = await fetch(`${url}/v1/observers`);
  t.equal(unsigned.status, 401, "a signed read");
});
