// The SDK as a client uses it, against a real node behind the RPC (test/rpc-harness.ts):
// verifyHistory and verifyTx refusing tampered answers (an altered event even with a consistently
// forged receipts root, a forged certificate, a swapped transaction...), the CLI client commands
// end to end, key files, typed errors, and an event stream that resumes across a node restart.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import t from "tap";
import { Command } from "commander";
import type { HistoryPageJson } from "../sdk/api/routes.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { tx } from "../sdk/builders.js";
import { createClient, loadSigner } from "../sdk/client.js";
import { decode, encode } from "../sdk/codec.js";
import { commitSigningBytes } from "../sdk/commit.js";
import { nobleCrypto, randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { toJsonView } from "../sdk/json.js";
import { inclusionProof, leafHash, merkleRoot } from "../sdk/merkle.js";
import { sha256 } from "../sdk/crypto.js";
import type { BlockHeader, Event, Receipt } from "../sdk/types.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import { addClientCommands, amountOf } from "../node/cli/cli-client.js";
import { RpcHarness, attestPayload, day, invoice, registerPayload } from "./rpc-harness.js";

const h = await RpcHarness.create();
const { server, url } = await h.serve();
t.teardown(async () => {
  await server.stop();
  await h.close();
});
const as = (id: string) => createClient({ url, signer: h.party(id).signer });
const exporter = as("exporter-hz-textiles");
const customs = as("customs");
const bankA = as("bank-a");
const bankB = as("bank-b");
const auditor = as("auditor");
const validatorSet = () => validatorSetFromGenesis(h.genesis());

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

// A financed receivable with a rejected attempt: the history the tampering tests start from.
const reg = await exporter.submit(registerPayload(invoice("V-1")).payload);
const id = reg.receipt.target;
await customs.submit(attestPayload("10", { exporter: "exporter-hz-textiles", amount: "152500.00", receivableIds: [id] }));
// two transactions in one block, so proofs have siblings
h.autoProduce = false;
const fin = await bankA.submit(tx.financeReceivable({ receivableId: id, amount: 5_000_000n, currency: "USD" }), undefined, { wait: "none" });
await bankB.submit(tx.financeReceivable({ receivableId: id, amount: 15_250_000n, currency: "USD" }), undefined, { wait: "none" });
await h.settle();
h.autoProduce = true;
const history = await auditor.getFullHistory(id);
const clone = (x: HistoryPageJson): HistoryPageJson => JSON.parse(JSON.stringify(x));
const codes = (x: HistoryPageJson) => verifyHistory(x, validatorSet()).problems.map((p) => p.code);

const encodeReceipt = (r: Receipt) => encode("Receipt", { ...r, events: r.events.map((kind) => ({ kind })) });

t.test("verifyHistory accepts the node's answer", async (t) => {
  t.same(history.items.map((e) => e.event?.type ?? e.code), ["receivableRegistered", "receivableAttested", "receivableFinanced", "DOUBLE_FINANCING"]);
  const report = verifyHistory(history, validatorSet());
  t.same(report, { ok: true, checked: 4, certifiedBlocks: 3, problems: [] });
});

t.test("verifyHistory rejects a history with one altered event", async (t) => {
  const altered = clone(history);
  const e = altered.items[2]!.event as { amount: string };
  e.amount = "1";
  t.same(codes(altered), ["EVENT_MISMATCH"], "the event shown differs from the proven receipt");
});

t.test("... even when the node forges the receipt and the receipts root consistently", async (t) => {
  // A dishonest node rewrites the receipt, rebuilds the block's receipts root and header. The
  // commit certificate still verifies (it covers height, time and txs root only); the checkpoint
  // certificate does not (it signs the header's hash), and the event no longer agrees with the
  // signed transaction either.
  const forged = clone(history);
  const entry = forged.items[2]!;
  const height = BigInt(entry.height);
  const block = (await h.query.getBlock(height))!;
  const receipts = block.receipts.map((r) => ({ ...r }));
  const original = receipts[entry.index]!;
  const event = { ...(original.events[0] as Extract<Event, { type: "receivableFinanced" }>), amount: 1n, liveFinanced: 1n };
  receipts[entry.index] = { ...original, events: [event] };
  const receiptBytes = receipts.map(encodeReceipt);
  const header: BlockHeader = { ...block.header, receiptsRoot: merkleRoot(sha256, receiptBytes) };
  const headerBytes = encode("BlockHeader", header);
  entry.event = toJsonView(event);
  entry.proof!.receipt = toHex(receiptBytes[entry.index]!);
  const leaves = receiptBytes.map((b) => leafHash(sha256, b));
  for (const e of forged.items) if (e.height === entry.height) e.proof!.receiptProof = inclusionProof(sha256, leaves, e.index).map(toHex);
  const b = forged.blocks!.find((x) => x.height === entry.height)!;
  b.header = toHex(headerBytes);
  b.hash = toHex(sha256(headerBytes));
  const problems = verifyHistory(forged, validatorSet()).problems;
  t.same(problems.map((p) => p.code), ["HEADER_MISMATCH"], "the header served is not the certified one");
  // ... and served as the certified header too: the checkpoint signatures are over another hash.
  b.certified = { ...b.certified!, header: b.header };
  const again = verifyHistory(forged, validatorSet()).problems;
  t.same(again.map((p) => p.code), ["CERTIFICATE_INVALID"]);
  t.match(again[0]!.message, /checkpoint certifies another block|does not link/);
  // Served without certification: not proven, whatever else checks out.
  delete b.certified;
  const uncertified = verifyHistory(forged, validatorSet()).problems;
  t.same(uncertified.map((p) => p.code), ["NOT_CERTIFIED"], "an uncertified block is a problem of its own");
});

t.test("verifyHistory rejects a forged commit certificate", async (t) => {
  const forged = clone(history);
  const cert = forged.blocks![0]!.certificate!;
  cert.commits[0]!.signature = toHex(randomBytes(64));
  t.same(codes(forged), ["CERTIFICATE_INVALID"]);

  const outsider = clone(history);
  const c2 = outsider.blocks![0]!.certificate!;
  const seed = randomBytes(32);
  // a signature by a key that is not validator 0's, over the right bytes
  c2.commits[0]!.signature = toHex(nobleCrypto.sign(seed, commitSigningBytes(c2.chainId, BigInt(c2.view), BigInt(c2.seq), fromHex(c2.digest), 0)));
  t.same(codes(outsider), ["CERTIFICATE_INVALID"]);

  const short = clone(history);
  short.blocks![1]!.certificate!.commits.pop();
  const p = verifyHistory(short, validatorSet()).problems;
  t.same(p.map((x) => x.code), ["CERTIFICATE_INVALID"]);
  t.match(p[0]!.message, /2 valid signatures, 3 needed/, "2f+1 of 4 is 3");

  const stripped = clone(history);
  stripped.blocks![0]!.certificate = null;
  t.same(codes(stripped), ["CERTIFICATE_MISSING"]);

  const otherSet = { chainId: h.chainId, validators: h.validators.map((v) => ({ id: v.id, publicKey: nobleCrypto.publicKeyFromSeed(randomBytes(32)) })) };
  t.notOk(verifyHistory(history, otherSet).ok, "another validator set does not certify it");
  t.same(
    verifyHistory(history, { ...validatorSet(), chainId: "another-chain" }).problems.map((x) => x.code),
    ["WRONG_CHAIN", "WRONG_CHAIN", "WRONG_CHAIN"],
  );
});

t.test("verifyHistory rejects a header whose time or txs root is not what was certified", async (t) => {
  const forged = clone(history);
  const b = forged.blocks![0]!;
  const header = decode<BlockHeader>("BlockHeader", fromHex(b.header));
  const bytes = encode("BlockHeader", { ...header, time: header.time + 86_400_000n });
  b.header = toHex(bytes);
  b.hash = toHex(sha256(bytes));
  forged.items[0]!.time = (header.time + 86_400_000n).toString();
  t.same(codes(forged), ["CERTIFICATE_INVALID"], "the certificate is for another digest");
});

t.test("verifyHistory rejects a swapped transaction", async (t) => {
  const other = (await auditor.getFullHistory((await exporter.submit(registerPayload(invoice("V-2")).payload)).txHash)).items[0]!;
  const swapped = clone(history);
  swapped.items[0]!.proof!.tx = other.proof!.tx;
  t.same(codes(swapped), ["TX_MISMATCH"], "the bytes do not hash to the entry's transaction");
  const relabelled = clone(history);
  relabelled.items[0]!.proof!.tx = other.proof!.tx;
  relabelled.items[0]!.txHash = other.txHash;
  t.ok(codes(relabelled).includes("TX_NOT_IN_BLOCK"), "another transaction is not in this block");
  const moved = clone(history);
  moved.items[2]!.proof = { ...moved.items[3]!.proof! };
  moved.items[2]!.txHash = moved.items[3]!.txHash;
  t.ok(codes(moved).includes("TX_NOT_IN_BLOCK"), "a transaction proven at another index");
});

t.test("verifyHistory rejects reordered, foreign, unproven and relabelled entries", async (t) => {
  const reordered = clone(history);
  reordered.items.reverse();
  t.ok(codes(reordered).includes("OUT_OF_ORDER"));
  const foreign = clone(history);
  foreign.receivableId = "ab".repeat(32);
  t.ok(codes(foreign).every((c) => c === "NOT_THIS_RECEIVABLE"));
  const unproven = clone(history);
  delete unproven.items[1]!.proof;
  t.same(codes(unproven), ["MISSING_PROOF"]);
  const relabelled = clone(history);
  relabelled.items[3]!.code = "OK";
  t.same(codes(relabelled), ["RECEIPT_MISMATCH"], "a rejection shown as accepted");
  const garbage = clone(history);
  garbage.items[0]!.proof!.receipt = "zz";
  t.same(codes(garbage), ["MALFORMED"]);
  t.same(verifyHistory(null as never, validatorSet()).problems.map((p) => p.code), ["MALFORMED"], "never throws");
});

t.test("verifyTx checks one transaction the same way", async (t) => {
  const view = await bankA.getTx(fin.txHash);
  t.ok(verifyTx(view, validatorSet()).ok);
  const shown = JSON.parse(JSON.stringify(view));
  shown.receipt.code = "DOUBLE_FINANCING";
  t.same(verifyTx(shown, validatorSet()).problems.map((p) => p.code), ["RECEIPT_MISMATCH"]);
  const body = JSON.parse(JSON.stringify(view));
  body.body.payload.amount = "1";
  t.same(verifyTx(body, validatorSet()).problems.map((p) => p.code), ["TX_MISMATCH"]);
  const hdr = JSON.parse(JSON.stringify(view));
  hdr.header.stateRoot = "00".repeat(32);
  t.same(verifyTx(hdr, validatorSet()).problems.map((p) => p.code), ["HEADER_MISMATCH"]);
});

t.test("the CLI client commands, end to end", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tl-cli-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const devnet = join(dir, ".devnet");
  mkdirSync(join(devnet, "keys"), { recursive: true });
  for (const p of Object.values(h.parties)) writeFileSync(join(devnet, "keys", `${p.id}.json`), JSON.stringify({ partyId: p.id, seed: p.seedHex, publicKey: toHex(p.signer.publicKey) }), { mode: 0o600 });
  writeFileSync(join(devnet, "network.json"), JSON.stringify({ nodes: [{ id: "bank-a", rpcUrl: url }] }));
  writeFileSync(join(devnet, "genesis.json"), JSON.stringify(h.genesis()));
  const docs = new URL("../../examples/documents/", import.meta.url);
  for (const name of ["commercial-invoice", "export-declaration", "bill-of-lading"]) copyFileSync(new URL(`${name}.json`, docs), join(dir, `${name}.json`));
  // The blocks run on the wall clock: the invoice is issued yesterday and due in 90 days, whatever today is.
  const sampleInvoice = JSON.parse(readFileSync(join(dir, "commercial-invoice.json"), "utf8"));
  writeFileSync(join(dir, "commercial-invoice.json"), JSON.stringify({ ...sampleInvoice, issueDate: day(-1), dueDate: day(90) }, null, 2));

  const cli = async (...args: string[]): Promise<{ code: number; out: any; err: any }> => {
    let out = "";
    let err = "";
    let code = 0;
    const program = new Command("tradeledger").exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    addClientCommands(program, { devnetDir: devnet, out: (s) => (out += s), err: (s) => (err += s), exit: (c) => (code = c), env: {} });
    try {
      await program.parseAsync(args, { from: "user" });
    } catch (e) {
      code = (e as { exitCode?: number }).exitCode ?? 99;
    }
    const parse = (s: string) => {
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    };
    return { code, out: parse(out), err: parse(err) };
  };

  const inv = join(dir, "commercial-invoice.json");
  const registered = await cli("register", inv);
  t.equal(registered.code, 0, JSON.stringify(registered.err));
  const rid = registered.out.receivableId as string;
  t.match(registered.out, { receivableId: /^[0-9a-f]{64}$/, saltsFile: `${inv}.salts.json` });
  t.equal(statSync(`${inv}.salts.json`).mode & 0o777, 0o600, "salts are kept private");
  t.match(await cli("register", inv), { code: 1, err: { error: { code: "DUPLICATE_DOCUMENT", receipt: { code: "DUPLICATE_DOCUMENT" } } } }, "the same document again (same salts, same hash)");

  t.match(await cli("attest", join(dir, "export-declaration.json"), "--receivable", rid), { code: 0, out: { attested: [rid] } });
  const check = await cli("check", rid, inv);
  t.match(check, { code: 0, out: { document: { ok: true, documentHashMatches: true, fingerprintMatches: true }, ledger: { status: "ATTESTED", financeable: true } } }, "the lender's check passes");
  const tampered = join(dir, "tampered.json");
  writeFileSync(tampered, JSON.stringify({ ...JSON.parse(readFileSync(inv, "utf8")), totalAmount: "252500.00" }));
  copyFileSync(`${inv}.salts.json`, `${tampered}.salts.json`);
  t.match(await cli("check", rid, tampered), { code: 1, out: { document: { ok: false, documentHashMatches: false } } }, "an altered invoice fails it");

  const financed = await cli("finance", rid, "--amount", "100000.00");
  t.match(financed, { code: 0, out: { amount: "10000000", currency: "USD", liveFinanced: "10000000" } }, "major units with the ISO 4217 exponent");
  t.match(await cli("finance", rid, "--party", "bank-b", "--amount", "60000"), { code: 1, err: { error: { code: "DOUBLE_FINANCING", status: 409 } } });
  t.match(await cli("finance", rid, "--party", "bank-b", "--amount", "52500.001"), { code: 2, err: { error: { code: "USAGE" } } }, "more decimals than USD has");
  t.match(await cli("finance", rid, "--party", "bank-b"), { code: 2 }, "an amount is required");
  t.match(await cli("finance", rid, "--party", "bank-b", "--minor", "5250000"), { code: 0, out: { amount: "5250000" } });
  t.match(await cli("repay", rid, "--full"), { code: 0, out: { amount: "10000000", settled: false } });
  t.match(await cli("repay", rid, "--party", "bank-b", "--full"), { code: 0, out: { settled: true } });
  t.match(await cli("show", rid), { code: 0, out: { receivable: { status: "SETTLED" } } });
  const hist = await cli("history", rid, "--verify");
  t.match(hist, { code: 0, out: { verification: { ok: true } } });
  t.ok(hist.out.items.length >= 6);
  t.match(await cli("exposure", "exporter-hz-textiles", "--party", "bank-b"), { code: 0, out: { partyId: "exporter-hz-textiles" } });
  const rej = await cli("rejections", "--code", "DOUBLE_FINANCING");
  t.ok(rej.out.items.some((e: { target: string }) => e.target === rid));
  t.match(await cli("anchor", join(dir, "bill-of-lading.json"), "--party", "exporter-hz-textiles", "--receivable", rid), { code: 0, out: { documentType: "BILL_OF_LADING" } });
  t.match(await cli("cancel", rid, "--party", "exporter-hz-textiles"), { code: 1, err: { error: { code: "INVALID_STATE" } } });
  t.match(await cli("cancel", rid), { code: 2, err: { error: { code: "USAGE", message: /--party/ } } });
  t.match(await cli("show", rid, "--party", "nobody"), { code: 2, err: { error: { message: /no key file/ } } });
  t.match(await cli("show", rid, "--party", "exporter-sz-electronics"), { code: 1, err: { error: { code: "FORBIDDEN" } } });
});

t.test("amounts: major units with the ISO 4217 exponent, or minor units; never floats", async (t) => {
  t.equal(amountOf({ amount: "76250.00" }, "USD"), 7_625_000n);
  t.equal(amountOf({ amount: "76250" }, "USD"), 7_625_000n);
  t.equal(amountOf({ amount: "100" }, "JPY"), 100n);
  t.equal(amountOf({ amount: "1.234" }, "KWD"), 1234n);
  t.equal(amountOf({ minor: "7625000" }, "USD"), 7_625_000n);
  t.throws(() => amountOf({ amount: "1.5" }, "JPY"));
  t.throws(() => amountOf({ amount: "0.001" }, "USD"));
  t.throws(() => amountOf({ amount: "1e5" }, "USD"));
  t.throws(() => amountOf({ amount: "-5" }, "USD"));
  t.throws(() => amountOf({ amount: "10", minor: "1000" }, "USD"));
  t.throws(() => amountOf({}, "USD"));
  t.throws(() => amountOf({ amount: "1" }, "XAU"), "no exponent: use --minor");
});

t.test("key files, typed errors and response checks", async (t) => {
  const p = h.party("bank-a");
  const s = loadSigner(JSON.stringify({ partyId: "bank-a", seed: p.seedHex, publicKey: toHex(p.signer.publicKey) }));
  t.equal(toHex(s.publicKey), toHex(p.signer.publicKey));
  t.throws(() => loadSigner(JSON.stringify({ partyId: "bank-a", seed: p.seedHex, publicKey: "00".repeat(32) })), { code: "MALFORMED" });
  t.throws(() => loadSigner("{"), { code: "MALFORMED" });
  t.throws(() => loadSigner({ seed: p.seedHex }), { code: "MALFORMED" }, "no party id");

  t.match(await failure(createClient({ url: "http://127.0.0.1:9" }).status()), { code: "NETWORK" });
  t.throws(() => createClient({ url: "ftp://x" }), { code: "MALFORMED" });
  // a server answering with the wrong shape
  const fake = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ chainId: 42 }));
  });
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
  t.teardown(() => fake.close());
  const port = (fake.address() as { port: number }).port;
  t.match(await failure(createClient({ url: `http://127.0.0.1:${port}` }).status()), { code: "INTERNAL", message: /unexpected response shape/ });
  t.match(await failure(createClient({ url }).submit(tx.cancelReceivable({ receivableId: id }))), { code: "UNAUTHENTICATED" }, "submit needs a signer");
  const e = await failure(as("auditor").submit(tx.cancelReceivable({ receivableId: id })));
  t.match(e, { code: "UNAUTHORIZED", status: 403, receipt: { code: "UNAUTHORIZED" } });
  t.ok(e.receipt!.txHash instanceof Uint8Array, "the receipt is the domain Receipt");
});

t.test("an event stream resumes after the node restarts, without loss or repeats", async (t) => {
  const first = await h.serve();
  const port = Number(new URL(first.url).port);
  const c = createClient({ url: first.url, signer: h.party("auditor").signer });
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const it = c.events({ types: ["receivableRegistered"] }, { signal: abort.signal });
  const a = it.next();
  await new Promise((r) => setTimeout(r, 100));
  const r1 = await exporter.submit(registerPayload(invoice("RS-1")).payload);
  t.equal((await a).value.txHash, r1.txHash);
  await first.server.stop();
  // committed while no node serves the stream
  const r2 = await exporter.submit(registerPayload(invoice("RS-2")).payload);
  const second = await h.serve({ port });
  t.teardown(() => second.server.stop());
  const r3 = await exporter.submit(registerPayload(invoice("RS-3")).payload);
  t.equal((await it.next()).value.txHash, r2.txHash, "the event committed during the outage");
  t.equal((await it.next()).value.txHash, r3.txHash);
  await it.return!();
});
