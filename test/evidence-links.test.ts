// Evidence bundles that prove themselves across validator-set changes (sdk/evidence.ts,
// tradeledger-evidence/v2; docs/explorer.md "Evidence bundles", docs/api.md §6). The network is the
// in-process node of test/rpc-harness.ts, as in test/epoch-links.test.ts: the four genesis
// validators add the regulator's node (epoch 1, five validators), then remove core-enterprise's
// (epoch 2), node/epochs.ts keeping each switch's link. A receivable's financing refused in epoch 2
// (DOUBLE_FINANCING) and one refused in epoch 0 (NOT_ATTESTED) are compiled into bundles by the
// auditor, with the links they need (evidenceLinks), and checked with nothing but the genesis set:
//   - a bundle spanning both switches verifies offline from the genesis set alone (its parts do not:
//     the links are what proves them);
//   - a tampered link, a missing link, a link of another chain, and links swapped after signing are
//     each refused with their problem code, also when a dishonest compiler signs them;
//   - v1 bundles (no links) still verify as before: with the chain of sets the reader proved, and
//     never with the genesis set alone for a later epoch's parts;
//   - the CLI: `evidence export` writes such a bundle, `evidence verify` checks it with the genesis
//     file and no node.
import t from "tap";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { writeKeyFile } from "../config/load.js";
import { addClientCommands } from "../node/cli/cli-client.js";
import { tx } from "../sdk/builders.js";
import { fromHex, toHex, utf8 } from "../sdk/bytes.js";
import { decode, encode } from "../sdk/codec.js";
import { canonicalJsonBytes } from "../sdk/hashing/canonical-json.js";
import { epochLinkToJson, verifyValidatorSets, type EpochLinkJson } from "../sdk/epochs.js";
import { epochsNamed, evidenceLinks, evidenceSigningBytes, signEvidence, verifyEvidence, type EvidenceBundle, type EvidenceBundleV1, type UnsignedEvidence } from "../sdk/evidence.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import type { Signer } from "../sdk/signer.js";
import type { HistoryPageJson } from "../sdk/api/routes.js";
import type { TxEntryJson, TxJson } from "../sdk/api/schemas.js";
import { epochEndFor } from "../consensus/replica.js";
import { nodeCrypto } from "../node/crypto.js";
import { EpochLinks } from "../node/epochs.js";
import { silentLogger } from "../node/log.js";
import { attestPayload, decideValidatorChange, invoice, registerPayload, servedHarness } from "./rpc-harness.js";
import type { TradeLedgerClient } from "../sdk/client.js";

const K = 4;
const L = 8;
const { h, as, url } = await servedHarness(t, { governance: true, ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
const genesis = validatorSetFromGenesis(h.genesis());
const links = new EpochLinks({ store: h.store, genesis, crypto: nodeCrypto, logger: silentLogger });
const seedOf = (label: string) => new Uint8Array(createHash("sha256").update(utf8(`evidence-links/${label}`)).digest());
const regulatorNodeSeed = seedOf("node/regulator");
const auditor = as("auditor");
const auditorSigner = h.party("auditor").signer;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const codes = (r: { problems: { code: string }[] }) => r.problems.map((p) => p.code);
const flipHex = (hex: string): string => {
  const b = fromHex(hex);
  b[0] = b[0]! ^ 1;
  return toHex(b);
};

/** What the explorer's export does: the rejections listed, each one's transaction and its receivable's history, with proofs. */
async function compile(client: TradeLedgerClient, code: "NOT_ATTESTED" | "DOUBLE_FINANCING", served: readonly EpochLinkJson[]): Promise<UnsignedEvidence> {
  const rejections: TxEntryJson[] = (await client.getRejections({ code })).items;
  const transactions: TxJson[] = [];
  const histories: HistoryPageJson[] = [];
  for (const r of rejections) {
    transactions.push(await client.getTx(r.txHash, { waitCertifiedMs: 5_000 }));
    histories.push(await client.getFullHistory(r.target, { waitCertifiedMs: 5_000 }));
  }
  return { chainId: h.chainId, compiledBy: "auditor", compiledAt: new Date(0).toISOString(), query: { code }, rejections, transactions, histories, links: evidenceLinks({ transactions, histories }, served) };
}

/** Signs `body` as it is (format v2, whatever it carries): what a dishonest compiler can do. */
async function signAsIs(signer: Signer, body: Omit<EvidenceBundle, "signature" | "publicKey">): Promise<EvidenceBundle> {
  const withKey = { ...body, publicKey: toHex(signer.publicKey) };
  return { ...withKey, signature: toHex(await signer.sign(evidenceSigningBytes(withKey))) };
}

/** A tradeledger-evidence/v1 bundle of the same parts, signed as the v1 code did (no links; its own domain). */
async function signV1(signer: Signer, unsigned: UnsignedEvidence): Promise<EvidenceBundleV1> {
  const { links: _links, format: _format, ...rest } = unsigned;
  const body = { ...rest, format: "tradeledger-evidence/v1" as const, publicKey: toHex(signer.publicKey) };
  const domain = utf8("tradeledger-evidence/v1\n");
  const json = canonicalJsonBytes(body);
  const bytes = new Uint8Array(domain.length + json.length);
  bytes.set(domain, 0);
  bytes.set(json, domain.length);
  return { ...body, signature: toHex(await signer.sign(bytes)) };
}

// ---- epoch 0: the genesis four; a financing refused before the attestation ---------------------------
const receivableId = (await as("exporter-hz-textiles").submit(registerPayload(invoice("EV-1")).payload)).receipt.target;
const notAttested = await as("bank-a").submit(tx.financeReceivable({ receivableId, amount: 1_000_00n, currency: "USD" })).catch((e: { code?: string }) => e);
await as("customs").submit(attestPayload("EV1", { exporter: "exporter-hz-textiles", amount: "152500.00", receivableIds: [receivableId] }));
const epoch0Bundle = await compile(auditor, "NOT_ATTESTED", []);
const E1 = epochEndFor(await decideValidatorChange(as, "ADD", "regulator", nodeCrypto.publicKeyFromSeed(regulatorNodeSeed)), K, L);
await h.advanceTo(E1);
await links.onEpochEnded({ epoch: 0n, nextEpoch: 1n, checkpoint: await h.stableCheckpoint(E1) });

// ---- epoch 1: five validators; bank-a finances; a bundle compiled now needs the first link -------------
h.signing = { epoch: 1n, seeds: [...h.validatorSeeds, regulatorNodeSeed] };
await as("bank-a").submit(tx.financeReceivable({ receivableId, amount: 10_000_000n, currency: "USD" }));
const epoch1Bundle = await compile(auditor, "NOT_ATTESTED", (await auditor.getValidatorSets()).links);
const E2 = epochEndFor(await decideValidatorChange(as, "REMOVE", "core-enterprise", nodeCrypto.publicKeyFromSeed(h.validatorSeeds[3]!)), K, L);
await h.advanceTo(E2);
await links.onEpochEnded({ epoch: 1n, nextEpoch: 2n, checkpoint: await h.stableCheckpoint(E2) });

// ---- epoch 2: core-enterprise's node removed; bank-b's financing beyond what is left is refused ---------
h.signing = { epoch: 2n, seeds: [h.validatorSeeds[0]!, h.validatorSeeds[1]!, h.validatorSeeds[2]!, regulatorNodeSeed] };
const refused = await as("bank-b").submit(tx.financeReceivable({ receivableId, amount: 10_000_000n, currency: "USD" })).catch((e: { code?: string }) => e);
const served = (await auditor.getValidatorSets()).links;
const unsigned = await compile(auditor, "DOUBLE_FINANCING", served);
const bundle = await signEvidence(auditorSigner, unsigned);
const [l0, l1] = served as [EpochLinkJson, EpochLinkJson];

t.test("the story: refusals in epochs 0 and 2, the switches proven by two links", async (t) => {
  t.match(notAttested, { code: "NOT_ATTESTED" });
  t.match(refused, { code: "DOUBLE_FINANCING" });
  t.same(served.map((l) => l.epoch), ["1", "2"]);
  const heights = bundle.histories[0]!.items.map((i) => BigInt(i.height));
  t.same(new Set(heights.map((x) => (x > E2 ? 2 : x > E1 ? 1 : 0))), new Set([0, 1, 2]), "the history in the bundle spans the three epochs");
  t.ok(BigInt(bundle.rejections[0]!.height) > E2, "the refusal is of epoch 2");
});

t.test("a bundle carries the links its certificates need, no more", async (t) => {
  t.same(epochsNamed(epoch0Bundle), [0n], "compiled before any switch: only the genesis set's certificates");
  t.same(epoch0Bundle.links, [], "so no link");
  t.same(epochsNamed(epoch1Bundle), [0n, 1n], "compiled in epoch 1: the epoch-0 refusal, certified (its signer keys, its history's head) by epoch 1 too");
  t.same(epoch1Bundle.links.map((l) => l.epoch), ["1"], "the first link");
  t.same(evidenceLinks(epoch1Bundle, served).map((l) => l.epoch), ["1"], "the same out of the two links served now: the second is not needed");
  t.same(epochsNamed(unsigned), [0n, 1n, 2n]);
  t.same(bundle.links, served, "compiled in epoch 2: both links, as the node served them");
  t.same(evidenceLinks(unsigned, served.slice(0, 1)).map((l) => l.epoch), ["1"], "a compiler that holds fewer links than needed carries them all (the check below refuses the bundle)");
  t.equal(bundle.format, "tradeledger-evidence/v2");
  const size = (x: unknown) => JSON.stringify(x, null, 1).length;
  t.comment(`the bundle as the explorer writes it: ${size(bundle)} bytes, of which the two links ${size(bundle.links)} (${bundle.links.map((l) => size(l)).join(" + ")})`);
  await t.rejects(signEvidence(auditorSigner, { ...unsigned, links: undefined as never }), TypeError, "signEvidence refuses a bundle without its links");
});

t.test("a bundle spanning two validator-set changes verifies offline from the genesis set alone", async (t) => {
  // its parts alone, with the genesis set: epochs 1 and 2 are not proven (what a v1 bundle gave a reader)
  t.ok(verifyTx(bundle.transactions[0]!, genesis).problems.some((p) => p.code === "EPOCH_UNPROVEN"), "the transaction needs the links");
  t.ok(verifyHistory(bundle.histories[0]!, genesis).problems.some((p) => p.code === "EPOCH_UNPROVEN"), "and so does the history");
  // the bundle, as a file, and the genesis file: nothing else
  const file = JSON.parse(JSON.stringify(bundle)) as EvidenceBundle;
  const genesisFile = validatorSetFromGenesis(JSON.parse(JSON.stringify(h.genesis())));
  t.same(verifyEvidence(file, genesisFile, { compilerKey: toHex(auditorSigner.publicKey) }), { ok: true, problems: [], proven: 1, histories: 1, epochs: 3 });
  // a reader holding the chain of sets already: epoch 0 of it is the anchor, the bundle's links prove the rest
  t.match(verifyEvidence(file, verifyValidatorSets(genesis, served).chain), { ok: true, epochs: 3 });
  t.match(verifyEvidence(file, verifyValidatorSets(genesis, []).chain), { ok: true, epochs: 3 });
  // the bundles compiled earlier
  t.same(verifyEvidence(await signEvidence(auditorSigner, epoch1Bundle), genesis), { ok: true, problems: [], proven: 1, histories: 1, epochs: 2 });
  t.same(verifyEvidence(await signEvidence(auditorSigner, epoch0Bundle), genesis), { ok: true, problems: [], proven: 1, histories: 1, epochs: 1 });
  // another genesis set (other validators' keys): the first link is not signed by it
  const stranger = { chainId: genesis.chainId, validators: genesis.validators.map((v, i) => ({ id: v.id, publicKey: nodeCrypto.publicKeyFromSeed(seedOf(`stranger/${i}`)) })) };
  const r = verifyEvidence(file, stranger);
  t.match(r.problems[0], { code: "LINK_INVALID", cause: "CHECKPOINT_INVALID", link: 0 }, "a genesis set other than the chain's proves nothing");
  t.notOk(r.ok);
  t.match(verifyEvidence(file, { ...genesis, epoch: 1n }).problems, [{ code: "MALFORMED", message: /from the genesis set \(epoch 0\)/ }], "a set of a later epoch is not a genesis set");
});

t.test("a tampered link is refused: LINK_INVALID with the link's own problem, even when the compiler signs it", async (t) => {
  const tampered: [string, (ls: EpochLinkJson[]) => void, string, number][] = [
    ["link 1's checkpoint signature forged", (ls) => (ls[1]!.checkpoint.signatures[0]!.signature = flipHex(ls[1]!.checkpoint.signatures[0]!.signature)), "CHECKPOINT_INVALID", 1],
    ["link 0's checkpoint signature forged", (ls) => (ls[0]!.checkpoint.signatures[2]!.signature = flipHex(ls[0]!.checkpoint.signatures[2]!.signature)), "CHECKPOINT_INVALID", 0],
    ["link 0 with link 1's set record and proof", (ls) => ((ls[0]!.setRecord = l1.setRecord), (ls[0]!.proof = l1.proof)), "SET_NOT_PROVEN", 0],
    [
      "link 1's set record naming another fourth validator",
      (ls) => {
        const rec = decode<{ members: { partyId: string; nodePublicKey: Uint8Array }[]; version: bigint; switchAt: bigint }>("ValidatorSet", fromHex(ls[1]!.setRecord));
        rec.members[3] = { partyId: "regulator", nodePublicKey: nodeCrypto.publicKeyFromSeed(seedOf("attacker")) };
        ls[1]!.setRecord = toHex(encode("ValidatorSet", rec));
      },
      "SET_NOT_PROVEN",
      1,
    ],
    ["link 0's header replaced by link 1's", (ls) => (ls[0]!.header = l1.header), "HEADER_MISMATCH", 0],
    ["link 1 naming epoch 3", (ls) => (ls[1]!.epoch = "3"), "VERSION_MISMATCH", 1],
  ];
  for (const [what, edit, cause, link] of tampered) {
    // edited in the file after signing
    const edited = clone(bundle);
    edit(edited.links);
    const after = verifyEvidence(edited, genesis);
    t.notOk(after.ok, `${what}: refused`);
    t.same(codes(after).slice(0, 2), ["BAD_SIGNATURE", "LINK_INVALID"], `${what}, edited after signing: the signature, and the link`);
    t.match(after.problems[1], { cause, link }, `${what}: ${after.problems[1]?.message}`);
    // signed by a dishonest compiler: the signature holds, the link does not
    const signed = await signEvidence(auditorSigner, { ...unsigned, links: edited.links });
    const check = verifyEvidence(signed, genesis);
    t.notOk(check.ok, `${what}, signed: refused`);
    t.match(check.problems[0], { code: "LINK_INVALID", cause, link }, `${what}, signed: LINK_INVALID ${cause} at link ${link}`);
    t.notOk(codes(check).includes("BAD_SIGNATURE"));
    t.equal(check.proven, 0, `${what}: the epoch-2 refusal is not proven`);
    t.ok(check.problems.some((p) => p.code === "TX_UNVERIFIED" && p.cause === "EPOCH_UNPROVEN"), `${what}: its transaction is unproven, not passed`);
  }
});

t.test("a missing link is refused: LINK_MISSING", async (t) => {
  const missing: [string, EpochLinkJson[], Record<string, unknown>][] = [
    ["the last link left out", [l0], { code: "LINK_MISSING", message: /name epoch 2, but its links prove the sets only up to epoch 1/ }],
    ["every link left out", [], { code: "LINK_MISSING", message: /name epoch 1, 2, but its links prove the sets only up to epoch 0/ }],
    ["the first link left out", [l1], { code: "LINK_MISSING", cause: "WRONG_EPOCH", link: 0, message: /signed by epoch 1.*the link for epoch 1 is missing/ }],
    ["the links in reverse order", [l1, l0], { code: "LINK_MISSING", link: 0 }],
  ];
  for (const [what, ls, problem] of missing) {
    const check = verifyEvidence(await signEvidence(auditorSigner, { ...unsigned, links: ls }), genesis);
    t.notOk(check.ok, what);
    t.match(check.problems[0], problem, `${what}: ${check.problems[0]?.message}`);
    t.equal(check.proven, 0, `${what}: nothing of epoch 2 passes`);
  }
  // a v2 bundle without its links at all (signed so): malformed, and nothing after epoch 0 passes
  const { links: _links, ...noLinks } = unsigned;
  const check = verifyEvidence(await signAsIs(auditorSigner, { ...noLinks, format: "tradeledger-evidence/v2" } as never), genesis);
  t.match(check.problems[0], { code: "MALFORMED", message: /carries its epoch links/ });
  t.equal(check.proven, 0);
});

t.test("a link of another chain is refused: LINK_INVALID, WRONG_CHAIN", async (t) => {
  // another network run by the same parties with the same validator keys (a test network, say), whose set changed the same way
  const other = await servedHarness(t, { governance: true, chainId: "tradeledger-rpc-test-other", ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
  const otherGenesis = validatorSetFromGenesis(other.h.genesis());
  const otherLinks = new EpochLinks({ store: other.h.store, genesis: otherGenesis, crypto: nodeCrypto, logger: silentLogger });
  const otherE1 = epochEndFor(await decideValidatorChange(other.as, "ADD", "regulator", nodeCrypto.publicKeyFromSeed(regulatorNodeSeed)), K, L);
  await other.h.advanceTo(otherE1);
  await otherLinks.onEpochEnded({ epoch: 0n, nextEpoch: 1n, checkpoint: await other.h.stableCheckpoint(otherE1) });
  const foreign = (await otherLinks.links()).map(epochLinkToJson);
  t.ok(verifyValidatorSets(otherGenesis, foreign).ok, "a good link of its own chain");
  for (const [what, ls, link] of [
    ["link 0 of the other chain", [foreign[0]!, l1], 0],
    ["link 1 replaced by the other chain's", [l0, foreign[0]!], 1],
  ] as const) {
    const check = verifyEvidence(await signEvidence(auditorSigner, { ...unsigned, links: [...ls] }), genesis);
    t.notOk(check.ok, what);
    t.match(check.problems[0], { code: "LINK_INVALID", cause: "WRONG_CHAIN", link, message: /is of chain tradeledger-rpc-test-other, not tradeledger-rpc-test/ }, `${what}: ${check.problems[0]?.message}`);
  }
  // the whole bundle of the other chain's refusal checked against this chain's genesis set
  t.match(verifyEvidence(await signEvidence(auditorSigner, { ...unsigned, chainId: other.h.chainId, links: foreign }), genesis).problems[0], { code: "WRONG_CHAIN" });
});

t.test("links swapped after signing are refused: the signature covers them", async (t) => {
  const epoch1Signed = await signEvidence(auditorSigner, epoch1Bundle);
  // the second link added to a bundle that carried one: every link verifies, every part too, but not the signature
  const added = clone(epoch1Signed);
  added.links = clone(served);
  t.same(codes(verifyEvidence(added, genesis)), ["BAD_SIGNATURE"], "a link added after signing: only the signature fails");
  // the links of a bundle replaced by those of another bundle of the same compiler
  const swapped = clone(bundle);
  swapped.links = clone(epoch1Signed.links);
  t.same(codes(verifyEvidence(swapped, genesis)).slice(0, 2), ["BAD_SIGNATURE", "LINK_MISSING"], "another bundle's (shorter) links");
  const reordered = clone(bundle);
  reordered.links = [clone(l1), clone(l0)];
  t.same(codes(verifyEvidence(reordered, genesis)).slice(0, 2), ["BAD_SIGNATURE", "LINK_MISSING"], "the same links in another order");
  // moved out of the signed content and back: the signature was made over them
  const { links: carried, ...rest } = clone(bundle);
  t.same(verifyEvidence({ ...rest, links: carried } as EvidenceBundle, genesis).ok, true, "the same content, in any key order, verifies (RFC 8785)");
});

t.test("v1 bundles still verify as before", async (t) => {
  const v1 = await signV1(auditorSigner, unsigned);
  t.equal(v1.format, "tradeledger-evidence/v1");
  t.notOk("links" in v1);
  // as before: with the chain of sets the reader proved
  const chain = verifyValidatorSets(genesis, served).chain;
  t.same(verifyEvidence(clone(v1), chain, { compilerKey: toHex(auditorSigner.publicKey) }), { ok: true, problems: [], proven: 1, histories: 1, epochs: 3 });
  // as before: with the genesis set alone, the later epochs' parts are unproven, never passed
  const alone = verifyEvidence(v1, genesis);
  t.notOk(alone.ok);
  t.same([...new Set(alone.problems.map((p) => `${p.code} ${p.cause}`))], ["TX_UNVERIFIED EPOCH_UNPROVEN", "HISTORY_UNVERIFIED EPOCH_UNPROVEN", "REJECTION_UNPROVEN undefined"]);
  // an epoch-0 v1 bundle with the genesis set: as it always did
  t.same(verifyEvidence(await signV1(auditorSigner, epoch0Bundle), genesis), { ok: true, problems: [], proven: 1, histories: 1, epochs: 1 });
  // a v1 bundle relabelled v2 (or the reverse): the signing domain differs, and a v2 needs its links
  t.ok(codes(verifyEvidence({ ...v1, format: "tradeledger-evidence/v2" } as never, chain)).includes("BAD_SIGNATURE"));
  t.ok(codes(verifyEvidence({ ...bundle, format: "tradeledger-evidence/v1" } as never, chain)).includes("BAD_SIGNATURE"));
  // an edited v1 bundle is still refused
  const edited = clone(v1);
  edited.rejections[0]!.code = "NOT_ATTESTED";
  t.same(codes(verifyEvidence(edited, chain)), ["BAD_SIGNATURE", "REJECTION_MISMATCH"]);
});

t.test("the CLI: evidence export writes a bundle with its links, evidence verify checks it with the genesis file and no node", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tl-evidence-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const p of Object.values(h.parties)) writeKeyFile(join(dir, "keys", `${p.id}.json`), { partyId: p.id, seed: p.seed });
  const genesisFile = join(dir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(h.genesis()));
  const tl = async (nodeUrl: string, ...args: string[]) => {
    let out = "";
    let err = "";
    let code = 0;
    const program = new Command("tradeledger").exitOverride();
    addClientCommands(program, { devnetDir: dir, out: (s) => (out += s), err: (s) => (err += s), exit: (c) => (code = c), env: { TRADELEDGER_URL: nodeUrl }, tty: false });
    await program.parseAsync(args, { from: "user" });
    return { code, out: out ? JSON.parse(out) : undefined, err: err ? JSON.parse(err) : undefined };
  };
  const file = join(dir, "evidence.json");
  const exported = await tl(url, "evidence", "export", "--code", "DOUBLE_FINANCING", "--out", file, "--json");
  t.equal(exported.code, 0, JSON.stringify(exported.err));
  t.match(exported.out, { file, format: "tradeledger-evidence/v2", compiledBy: "auditor", rejections: 1, proven: 1, histories: 1, links: 2, epochs: 3, verified: true });
  const written = JSON.parse(readFileSync(file, "utf8")) as EvidenceBundle;
  t.same(written.links, served, "the file carries both links");
  t.same(verifyEvidence(written, genesis), { ok: true, problems: [], proven: 1, histories: 1, epochs: 3 });

  // offline: no node answers at this address
  const offline = "http://127.0.0.1:9";
  const verified = await tl(offline, "evidence", "verify", file, "--genesis", genesisFile, "--compiler-key", toHex(auditorSigner.publicKey), "--json");
  t.match(verified, { code: 0, out: { format: "tradeledger-evidence/v2", compiledBy: "auditor", links: 2, ok: true, problems: [], proven: 1, histories: 1, epochs: 3 } });
  t.match(await tl(offline, "evidence", "verify", file, "--json"), { code: 0, out: { ok: true } }, "the devnet folder's genesis.json by default");
  t.match(await tl(offline, "evidence", "verify", file, "--genesis", genesisFile, "--compiler-key", toHex(h.party("bank-a").signer.publicKey), "--json"), { code: 1, out: { ok: false, problems: [{ code: "NOT_COMPILER_KEY" }] } });

  const forged = clone(written);
  forged.links[0]!.checkpoint.signatures[1]!.signature = flipHex(forged.links[0]!.checkpoint.signatures[1]!.signature);
  writeFileSync(join(dir, "forged.json"), JSON.stringify(forged));
  const refused = await tl(offline, "evidence", "verify", join(dir, "forged.json"), "--genesis", genesisFile, "--json");
  t.equal(refused.code, 1, "exit 1");
  t.match(refused.out.problems.slice(0, 2), [{ code: "BAD_SIGNATURE" }, { code: "LINK_INVALID", cause: "CHECKPOINT_INVALID", link: 0 }]);

  // a v1 bundle: as before, the genesis file alone does not prove its later epochs (exit 1, never a pass)
  writeFileSync(join(dir, "v1.json"), JSON.stringify(await signV1(auditorSigner, unsigned)));
  const v1 = await tl(offline, "evidence", "verify", join(dir, "v1.json"), "--genesis", genesisFile, "--json");
  t.match(v1, { code: 1, out: { format: "tradeledger-evidence/v1", links: null, ok: false, problems: [{ code: "TX_UNVERIFIED", cause: "EPOCH_UNPROVEN" }] } });
  t.match(await tl(offline, "evidence", "verify", join(dir, "nothing.json"), "--json"), { code: 2, err: { error: { code: "USAGE", message: /cannot read/ } } });
  // a query that matches nothing writes nothing
  t.match(await tl(url, "evidence", "export", "--code", "OVERDUE", "--out", join(dir, "none.json"), "--json"), { code: 2, err: { error: { code: "USAGE", message: /no rejection matches/ } } });
});
