// Certified results (issue 18, finding 6): a header is certified - receipts root and state root
// included - by 2f+1 CHECKPOINT signatures over its hash or over a header above it linked by
// prev_hash (sdk/certified.ts). One test per attack a dishonest node can make on what a client
// verifies, each of which passed verification before headers were certified: a rejection served as
// OK, forged signature bytes, a forged party key, a forged state value, a forged or insufficient
// checkpoint certificate, a broken header chain, an entry removed from a history. Against a real node behind the RPC
// (test/rpc-harness.ts), whose blocks the test certifies as consensus would.
import t from "tap";
import { concatBytes, fromHex, toHex, utf8 } from "../sdk/bytes.js";
import { tx } from "../sdk/builders.js";
import { certifiedHeaderFromJson, verifyCertifiedHeader, verifyCertifiedState, type CertifiedHeaderProof, type ValidatorSet } from "../sdk/certified.js";
import { createClient } from "../sdk/client.js";
import { decode, encode } from "../sdk/codec.js";
import { checkpointSigningBytes } from "../sdk/commit.js";
import { nobleCrypto, sha256 } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { toJsonView } from "../sdk/json.js";
import { inclusionProof, leafHash, merkleRoot } from "../sdk/merkle.js";
import { stateProofToJson } from "../sdk/proofs.js";
import { partyKeyAt } from "../sdk/signers.js";
import { signTx, type SignedTxWire } from "../sdk/tx.js";
import type { BlockHeader, Party, Receipt } from "../sdk/types.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import { decodeHistoryChain, encodeHistoryChain, historyChainKey, nextHistoryHead, REJECTED_ATTEMPT } from "../sdk/history-chain.js";
import type { TxJson } from "../sdk/api/schemas.js";
import { nodeCrypto } from "../node/crypto.js";
import { KEY } from "../node/ledger/state.js";
import { RpcHarness, attestPayload, invoice, registerPayload } from "./rpc-harness.js";

const h = await RpcHarness.create();
const { server, url } = await h.serve();
t.teardown(async () => {
  await server.stop();
  await h.close();
});
const as = (id: string) => createClient({ url, signer: h.party(id).signer });
const exporter = as("exporter-hz-textiles");
const bankA = as("bank-a");
const auditor = as("auditor");
const set = (): ValidatorSet => validatorSetFromGenesis(h.genesis());
const verifyHeader = (p: CertifiedHeaderProof) => verifyCertifiedHeader(p, set(), sha256, nobleCrypto.verify);
const codes = (v: TxJson) => verifyTx(v, set()).problems.map((p) => p.code);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const encodeReceipt = (r: Receipt) => encode("Receipt", { ...r, events: r.events.map((kind) => ({ kind })) });

async function rejection(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

// A registered and attested receivable, financed in full, then a double financing (rejected).
const reg = await exporter.submit(registerPayload(invoice("C-1")).payload);
const id = reg.receipt.target;
await as("customs").submit(attestPayload("C1", { exporter: "exporter-hz-textiles", amount: "152500.00", receivableIds: [id] }));
await bankA.submit(tx.financeReceivable({ receivableId: id, amount: 15_250_000n, currency: "USD" }));
const refused = await rejection(as("bank-b").submit(tx.financeReceivable({ receivableId: id, amount: 1_000_000n, currency: "USD" })));
const refusedHash = toHex(refused.receipt!.txHash);

t.test("a certified header verifies, through a chain of headers up to a checkpoint above it", async (t) => {
  h.autoCertify = false;
  t.teardown(() => void (h.autoCertify = true));
  const first = h.chain.height + 1n;
  for (const n of ["C-2", "C-3", "C-4"]) await exporter.submit(registerPayload(invoice(n)).payload);
  const top = h.chain.height;
  t.equal(top, first + 2n, "three blocks");
  t.equal(await h.query.certifiedHeader(first), undefined, "not certified before a checkpoint covers it");
  const notYet = await fetch(`${url}/v1/blocks/${first}/certified`);
  t.equal(notYet.status, 404, "the RPC says so");
  // a certificate arriving while the client waits
  const waiting = bankA.getCertifiedHeader(first, { waitMs: 10_000 });
  await new Promise((r) => setTimeout(r, 50));
  await h.certify(top);
  const json = await waiting;
  t.equal(json.chain.length, 2, "the headers above it up to the checkpointed one");
  const result = verifyHeader(certifiedHeaderFromJson(json));
  t.ok(result.ok, "verifies against the genesis validator set");
  if (result.ok) t.equal(result.header.height, first);
  const middle = verifyHeader(certifiedHeaderFromJson(await bankA.getCertifiedHeader(first + 1n)));
  t.ok(middle.ok, "so does the block between");
  const own = await bankA.getCertifiedHeader(top);
  t.same(own.chain, [], "the checkpointed block itself needs no chain");

  // a broken chain: the middle header swapped for one with another state root
  const proof = certifiedHeaderFromJson(json);
  const mid = decode<BlockHeader>("BlockHeader", proof.chain[0]!);
  const forged = { ...proof, chain: [encode("BlockHeader", { ...mid, stateRoot: new Uint8Array(32).fill(7) }), proof.chain[1]!] };
  t.match(verifyHeader(forged), { ok: false, reason: /does not link/ }, "a forged header in the chain");
  t.match(verifyHeader({ ...proof, chain: [proof.chain[1]!] }), { ok: false, reason: /is height/ }, "a header left out of the chain");
  const otherHeader = encode("BlockHeader", { ...decode<BlockHeader>("BlockHeader", proof.header), receiptsRoot: new Uint8Array(32).fill(1) });
  t.match(verifyHeader({ ...proof, header: otherHeader }), { ok: false, reason: /does not link/ }, "another header at the bottom");
});

t.test("a forged or insufficient checkpoint certificate does not certify", async (t) => {
  const height = h.chain.height;
  const good = certifiedHeaderFromJson(await bankA.getCertifiedHeader(height));
  t.ok(verifyHeader(good).ok);
  const cp = good.checkpoint;
  const withSigs = (signatures: typeof cp.signatures) => ({ ...good, checkpoint: { ...cp, signatures } });
  t.match(verifyHeader(withSigs(cp.signatures.slice(0, 2))), { ok: false, reason: "2 valid checkpoint signatures, 3 needed" }, "2 of 4 is below the quorum");
  t.match(verifyHeader(withSigs([cp.signatures[0]!, cp.signatures[0]!, cp.signatures[1]!])), { ok: false, reason: /duplicate signature/ }, "one validator counted twice");
  const flipped = cp.signatures.map((s, i) => (i === 1 ? { ...s, signature: Uint8Array.from(s.signature, (b, j) => (j === 0 ? b ^ 1 : b)) } : s));
  t.match(verifyHeader(withSigs(flipped)), { ok: false, reason: /bad checkpoint signature of validator bank-b/ }, "forged signature bytes");
  t.match(verifyHeader(withSigs([...cp.signatures.slice(0, 2), { replica: 7, signature: cp.signatures[2]!.signature }])), { ok: false, reason: /not a validator/ });
  // signatures by keys outside the set, over the right bytes
  const outsider = nodeCrypto.sign(h.party("exporter-hz-textiles").seed, checkpointSigningBytes(h.chainId, cp.seq, cp.timestamp, cp.blockHash, 3));
  t.match(verifyHeader(withSigs([...cp.signatures.slice(0, 2), { replica: 3, signature: outsider }])), { ok: false, reason: /bad checkpoint signature of validator core-enterprise/ }, "a non-validator's key");
  // a quorum over other fields
  t.match(verifyHeader({ ...good, checkpoint: { ...cp, timestamp: cp.timestamp + 1n } }), { ok: false, reason: /time/ });
  t.match(verifyHeader({ ...good, checkpoint: { ...cp, seq: cp.seq + 1n } }), { ok: false, reason: /for height/ });
  t.match(verifyHeader({ ...good, checkpoint: { ...cp, blockHash: new Uint8Array(32) } }), { ok: false, reason: /another block/ });
  t.match(verifyCertifiedHeader(good, { ...set(), chainId: "another-chain" }, sha256, nobleCrypto.verify), { ok: false, reason: /of chain/ }, "another chain");
  const strangers: ValidatorSet = { chainId: h.chainId, validators: set().validators.map((v, i) => ({ id: v.id, publicKey: i === 0 ? h.party("auditor").signer.publicKey : v.publicKey })) };
  t.match(verifyCertifiedHeader(good, strangers, sha256, nobleCrypto.verify), { ok: false, reason: /bad checkpoint signature of validator bank-a/ }, "another validator set");
  t.equal(verifyHeader(null as never).ok, false, "never throws");
  t.equal(verifyHeader({ header: new Uint8Array([0xff]), chain: [], checkpoint: cp }).ok, false, "an undecodable header");
});

t.test("a rejection misreported as OK is caught: the receipts root is certified", async (t) => {
  const view = await auditor.getTx(refusedHash, { waitCertifiedMs: 5_000 });
  t.equal(view.receipt.code, "DOUBLE_FINANCING");
  t.same(verifyTx(view, set()).problems, [], "the honest answer verifies");
  // The node rewrites the receipt as OK and rebuilds the receipts root and header consistently;
  // the commit certificate (height, time, txs root) still matches.
  const height = BigInt(view.height);
  const block = (await h.query.getBlock(height))!;
  const receipts = block.receipts.map((r, i) => (i === view.index ? { ...r, code: "OK" as const, message: "" } : r));
  const receiptBytes = receipts.map(encodeReceipt);
  const header: BlockHeader = { ...block.header, receiptsRoot: merkleRoot(sha256, receiptBytes) };
  const headerBytes = encode("BlockHeader", header);
  const forged = clone(view);
  forged.receipt = toJsonView(receipts[view.index]!) as typeof forged.receipt;
  forged.proof.receipt = toHex(receiptBytes[view.index]!);
  forged.proof.receiptProof = inclusionProof(sha256, receiptBytes.map((b) => leafHash(sha256, b)), view.index).map(toHex);
  forged.proof.header = toHex(headerBytes);
  forged.header = toJsonView(header) as typeof forged.header;
  forged.blockHash = toHex(sha256(headerBytes));
  t.same(codes(forged), ["HEADER_MISMATCH"], "the header is not the certified one");
  forged.certified = { ...forged.certified!, header: forged.proof.header };
  t.same(codes(forged), ["CERTIFICATE_INVALID"], "nor does the checkpoint certify the forged header");
  delete forged.certified;
  t.same(codes(forged), ["NOT_CERTIFIED"], "and without a certified header nothing about the outcome is proven");
});

t.test("forged signature bytes are caught: the signature is checked against the signer's certified key", async (t) => {
  const view = await auditor.getTx(reg.txHash, { waitCertifiedMs: 5_000 });
  t.same(verifyTx(view, set()).problems, []);
  // Same body (so the same tx hash, in the txs root), signed by another key.
  const original = decode<SignedTxWire>("SignedTx", fromHex(view.proof.tx));
  const other = signTx(nodeCrypto, decodeTxBody(original.body), h.party("bank-b").seed);
  t.equal(other.hashHex, view.txHash, "the hash covers the body only");
  const forged = clone(view);
  forged.proof.tx = toHex(other.bytes);
  forged.signature = toHex(other.signature);
  t.same(codes(forged), ["BAD_SIGNATURE"]);
  const garbage = clone(view);
  garbage.proof.tx = toHex(encode("SignedTx", { body: original.body, signature: new Uint8Array(64).fill(9) }));
  garbage.signature = toHex(new Uint8Array(64).fill(9));
  t.same(codes(garbage), ["BAD_SIGNATURE"], "arbitrary bytes");
  // ... and the node cannot serve a party record with the forger's key: it is proven under the state root
  const keyed = clone(forged);
  const keys = keyed.signerKeys!;
  const party = decode<Party>("Party", fromHex(keys.parties[0]!.record!));
  keys.parties[0]!.record = toHex(encode("Party", { ...party, publicKey: h.party("bank-b").signer.publicKey }));
  t.same(codes(keyed), ["SIGNER_UNPROVEN"], "a forged party record");
  const absent = clone(view);
  delete absent.signerKeys;
  t.same(codes(absent), ["SIGNER_UNPROVEN"], "no keys served: the signature is unproven");
  const stale = clone(view);
  t.same(codes({ ...stale, signerKeys: { ...stale.signerKeys!, parties: [] } }), ["SIGNER_UNPROVEN"], "the signer's record left out");
});

t.test("a party's key at a height: retired keys first, then the current one", async (t) => {
  const party = (await h.query.getParty("bank-a"))!;
  t.same(party.retiredKeys, [], "no rotation yet: nothing retired");
  const old = new Uint8Array(32).fill(3);
  const rotated: Party = { ...party, retiredKeys: [{ publicKey: old, untilHeight: 10n }] };
  t.same(partyKeyAt(rotated, 9n), old);
  t.same(partyKeyAt(rotated, 10n), party.publicKey);
  t.same(toHex(encode("Party", party)), toHex(encode("Party", { ...party, retiredKeys: undefined } as never)), "an empty key history encodes as before: state roots unchanged");
});

t.test("a forged state value is caught: the state root is certified", async (t) => {
  const proven = await h.query.proveStates("receivable", [id]);
  const item = proven.items[0]!;
  const certified = (await h.query.certifiedHeader(proven.height))!;
  const state = { key: KEY.receivable(id), value: item.value!, proof: item.proof };
  t.ok(verifyCertifiedState(certified, set(), state, sha256, nobleCrypto.verify).ok, "the node's answer verifies");
  const altered = Uint8Array.from(item.value!, (b, i) => (i === item.value!.length - 1 ? b ^ 1 : b));
  t.match(verifyCertifiedState(certified, set(), { ...state, value: altered }, sha256, nobleCrypto.verify), { ok: false, reason: /not proven under the state root/ }, "another value");
  t.notOk(verifyCertifiedState(certified, set(), { ...state, value: null }, sha256, nobleCrypto.verify).ok, "claimed absent");
  // a state root forged consistently with the value: the header is then not the certified one
  const forgedHeader = encode("BlockHeader", { ...decode<BlockHeader>("BlockHeader", certified.header), stateRoot: new Uint8Array(32).fill(5) });
  t.match(verifyCertifiedState({ ...certified, header: forgedHeader }, set(), state, sha256, nobleCrypto.verify), { ok: false });
  t.ok(stateProofToJson(item.proof).entries.length > 0);
});

function decodeTxBody(bytes: Uint8Array) {
  return decode<Parameters<typeof signTx>[1]>("TxBody", bytes);
}

t.test("a history with an entry removed does not verify, and the verifier says which entry is missing", async (t) => {
  const history = await auditor.getFullHistory(id);
  t.same(history.items.map((e) => e.event?.type ?? e.code), ["receivableRegistered", "receivableAttested", "receivableFinanced", "DOUBLE_FINANCING"]);
  const full = verifyHistory(history, set());
  t.same(full.problems, [], "the whole history verifies");
  t.equal(full.completeThrough, history.complete!.height, "complete up to a certified height");
  t.same(history.items.map((e) => e.ordinal), [0, 1, 2, 3]);

  const missing = (x: typeof history) => verifyHistory(x, set()).problems.filter((p) => p.code === "ENTRY_MISSING");
  const middle = clone(history);
  middle.items.splice(1, 1);
  const m = missing(middle);
  t.equal(m.length, 1, "an entry removed from the middle");
  t.match(m[0]!.message, new RegExp(`4 entries, 3 were served: 1 missing \\(entry #1 after entry 0 \\(height ${history.items[0]!.height}\\), before entry 1 \\(height ${history.items[2]!.height}\\)\\)`));
  t.same(verifyHistory(middle, set()).problems.map((p) => p.code), ["ENTRY_MISSING"], "nothing else is wrong with it");

  const rejectionHidden = clone(history);
  rejectionHidden.items.pop();
  t.match(missing(rejectionHidden)[0]?.message ?? "", /1 missing \(entry #3 after the last entry served\)/, "a rejected attempt left out is missing too");

  const first = clone(history);
  first.items.shift();
  t.match(missing(first)[0]?.message ?? "", /entry #0 before entry 0/, "the first entry");

  const twoGaps = clone(history);
  twoGaps.items = [twoGaps.items[1]!, twoGaps.items[3]!];
  t.match(missing(twoGaps)[0]?.message ?? "", /2 missing \(entry #0 before entry 0 .*; entry #2 after entry 0 .*before entry 1/);

  // A node that also drops its hints cannot hide the gap, only its place.
  const noHints = clone(middle);
  for (const e of noHints.items) delete e.chainHead;
  t.match(missing(noHints)[0]?.message ?? "", /4 entries, 3 were served: 1 missing$/);

  // ... nor serve a chain record of its own: it is proven under the certified state root.
  const forgedRecord = clone(middle);
  forgedRecord.complete!.record = toHex(encodeHistoryChain({ count: 3n, head: new Uint8Array(32) }));
  t.same(verifyHistory(forgedRecord, set()).problems.map((p) => p.code), ["NOT_PROVEN_COMPLETE"]);
  const withoutRecord = clone(middle);
  delete withoutRecord.complete;
  t.same(verifyHistory(withoutRecord, set()).problems.map((p) => p.code), ["NOT_PROVEN_COMPLETE"], "no chain record served: completeness is unproven");
});

t.test("entries above the proven height are not required to chain; the chain record grows with every entry", async (t) => {
  const before = await auditor.getFullHistory(id);
  const record = (await h.query.proveStates("historyChain", [`receivable/${id}`])).items[0]!.value!;
  t.equal(decodeHistoryChain(record).count, 4n);
  // a new rejected attempt on the receivable: one more entry, certified at a greater height
  await rejection(as("bank-b").submit(tx.financeReceivable({ receivableId: id, amount: 1n, currency: "USD" })));
  const after = await auditor.getFullHistory(id);
  t.equal(after.items.length, 5);
  t.same(verifyHistory(after, set()).problems, []);
  // the old proof with the new history: entries above its height are just not covered
  const mixed = { ...clone(after), complete: before.complete };
  const report = verifyHistory(mixed, set());
  t.same(report.problems, []);
  t.equal(report.completeThrough, before.complete!.height);
});

t.test("known-answer layouts: CHECKPOINT signing bytes (shared by consensus and clients) and the history chain", async (t) => {
  const digest = new Uint8Array(32).fill(0xcd);
  const bytes = checkpointSigningBytes("trade-1", 10n, 258n, digest, 3);
  const expected = concatBytes(utf8("tradeledger/pbft/checkpoint/v1\u0000"), Uint8Array.of(0, 0, 0, 7), utf8("trade-1"), fromHex("000000000000000a"), fromHex("0000000000000102"), digest, fromHex("00000003"));
  t.equal(toHex(bytes), toHex(expected));
  const { checkpointSigningBytes: consensusBytes } = await import("../consensus/messages.js");
  t.equal(toHex(consensusBytes("trade-1", { seq: 10n, timestamp: 258n, stateDigest: digest, replica: 3 })), toHex(bytes), "consensus signs exactly these bytes");
  t.throws(() => checkpointSigningBytes("trade-1", 1n, 0n, digest.subarray(1), 0), TypeError);

  const zero = new Uint8Array(32);
  const head = nextHistoryHead(sha256, zero, { height: 5n, index: 2, event: REJECTED_ATTEMPT });
  const manual = sha256(concatBytes(utf8("tradeledger/history/v1\u0000"), zero, fromHex("0000000000000005"), fromHex("00000002"), fromHex("ffff")));
  t.equal(toHex(head), toHex(manual));
  t.equal(historyChainKey("receivable", "ab"), "h/r/ab");
  t.equal(historyChainKey("piece", "cd"), "h/q/cd");
  t.same(decodeHistoryChain(null), { count: 0n, head: zero }, "no record: an empty history");
});
