// The networked node in one process: 4 validators and an observer over real libp2p (TCP, noise,
// yamux), LevelDB and timers. Multi-process behaviour (kill -9, restart) is in network.test.ts.
import t from "tap";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { startTestNetwork, eventually, type TestNetwork } from "./net-harness.js";
import { tx } from "../sdk/builders.js";
import { fingerprintInvoice } from "../sdk/fingerprint.js";
import { hashDocument } from "../sdk/hashing/document-hash.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { peerIdFromNodePublicKey } from "../p2p/index.js";
import { TradeLedgerNode } from "../node/node.js";
import { nodeCrypto } from "../node/crypto.js";
import { parseWith } from "../config/load.js";
import { nodeConfigSchema } from "../config/schema.js";
import { silentLogger } from "../node/log.js";
import { certifiedHeaderFromJson, certifiedHeaderToJson, verifyCertifiedHeader, type CertifiedHeaderProof } from "../sdk/certified.js";
import { sha256 } from "../sdk/crypto.js";
import { decodeCertifiedBlock, encodeCertifiedBlock } from "../node/net/wire.js";
import type { Tx } from "../sdk/tx.js";
import type { TradeLedgerNode as Node } from "../node/node.js";

let net: TestNetwork;
const EXPORTER = "exporter-hz-textiles";
const OTHER_EXPORTER = "exporter-sz-electronics";

t.before(async () => {
  // validator 0 checks admission's signatures on a worker thread, the others inline: their verdicts
  // must agree for the chain to move (node/driver/verify-pool.ts)
  net = await startTestNetwork({ observer: true, mempoolOf: (i) => (i === 0 ? { verifyWorkers: 1 } : {}) });
});
t.teardown(async () => {
  await net?.stop();
});

const live = () => net.nodes.filter((n): n is Node => n !== undefined);

async function commit(node: Node, signed: Tx) {
  const admission = await node.api.submit(signed.bytes);
  if (!admission.ok) throw new Error(`refused ${admission.code}: ${admission.message}`);
  const at = await node.api.waitForCommit(signed.hashHex, 20_000);
  if (!at) throw new Error(`tx ${signed.hashHex} not committed in time`);
  const rec = await node.query.getTx(signed.hash);
  return rec!.receipt;
}

async function converged(nodes: Node[]): Promise<boolean> {
  return eventually(() => {
    const h = nodes[0]!.chain.height;
    return h > 0n && nodes.every((n) => n.chain.height === h && toHex(n.chain.stateRoot) === toHex(nodes[0]!.chain.stateRoot));
  }, 20_000);
}

const invoice = (number: string, seller = EXPORTER) => ({
  documentType: "COMMERCIAL_INVOICE",
  invoiceNumber: number,
  seller: { partyId: seller },
  buyer: { identifier: "DE-HRB-204871" },
  currency: "USD",
  totalAmount: "152500.00",
  nonce: toHex(randomBytes(8)),
});

t.test("a lifecycle submitted to different nodes is visible on every node", async (t) => {
  const [a, b, c, d] = live();
  const doc = hashDocument(invoice("INV-2026/00417"));
  const register = net.sign(
    EXPORTER,
    tx.registerReceivable({
      documentHash: doc.root,
      fingerprint: fingerprintInvoice({ sellerId: EXPORTER, buyerId: "DE-HRB-204871", invoiceNumber: "INV-2026/00417", currency: "USD" }),
      buyerId: "DE-HRB-204871",
      amount: 15_250_000n,
      currency: "USD",
      issueDate: "2026-10-02",
      dueDate: "2099-12-31",
    }),
  );
  t.equal((await commit(a!, register)).code, "OK", "registered at bank-a's node");
  const id = register.hashHex;
  const attest = net.sign(
    "customs",
    tx.attestShipment({
      declarationFingerprint: nodeCrypto.sha256(randomBytes(16)),
      declarationHash: nodeCrypto.sha256(randomBytes(16)),
      exporterId: EXPORTER,
      declaredValue: 15_250_000n,
      currency: "USD",
      exportDate: "2026-10-05",
      receivableIds: [id],
    }),
  );
  t.equal((await commit(b!, attest)).code, "OK", "attested through bank-b's node");
  const finance = net.sign("bank-a", tx.financeReceivable({ receivableId: id, amount: 12_000_000n, currency: "USD" }));
  t.equal((await commit(c!, finance)).code, "OK", "financed through customs' node");
  const repay = net.sign("bank-a", tx.recordRepayment({ receivableId: id, financingId: finance.hashHex, amount: 12_000_000n }));
  const repaid = await commit(d!, repay);
  t.equal(repaid.code, "OK", "repaid through the core enterprise's node");
  t.same(repaid.events.map((e) => e.type), ["repaymentRecorded", "receivableSettled"]);

  t.ok(await converged([...live(), net.observer!]), "all validators and the observer reach the same height and state root");
  for (const node of [...live(), net.observer!]) {
    const r = await node.query.getReceivable(id);
    t.equal(r?.status, "SETTLED", `${node.nodeId} sees the receivable settled`);
    const history = await node.query.getHistory(id);
    t.same(
      history.items.map((h) => h.event?.type),
      ["receivableRegistered", "receivableAttested", "receivableFinanced", "repaymentRecorded", "receivableSettled"],
      `${node.nodeId} has the full history`,
    );
  }
});

t.test("validator 0 checked admission's signatures on its worker thread; the others inline", async (t) => {
  const [a, b] = live();
  t.ok(a!.verifyPool, "validator 0 has a pool");
  t.ok(a!.verifyPool!.stats.offloaded > 0, `its worker checked ${a!.verifyPool!.stats.offloaded} signatures (its own submissions and those relayed to it)`);
  t.equal(a!.verifyPool!.stats.restarts, 0, "no worker failed");
  t.equal(b!.verifyPool, undefined, "validator 1 checks inline");
});

t.test("a re-spelled duplicate invoice by another exporter is rejected in consensus, as evidence", async (t) => {
  const [a, b] = live();
  const fp = (sellerId: string, n: string) => fingerprintInvoice({ sellerId, buyerId: "DE-HRB-9", invoiceNumber: n, currency: "EUR" });
  const first = net.sign(
    EXPORTER,
    tx.registerReceivable({ documentHash: hashDocument(invoice("INV-001")).root, fingerprint: fp(EXPORTER, "INV-001"), buyerId: "DE-HRB-9", amount: 1000n, currency: "EUR", issueDate: "2026-10-01", dueDate: "2099-01-01" }),
  );
  t.equal((await commit(a!, first)).code, "OK");
  // Same seller, re-spelled number, registered by the same exporter through another node.
  const again = net.sign(
    EXPORTER,
    tx.registerReceivable({ documentHash: hashDocument(invoice("inv 001")).root, fingerprint: fp(EXPORTER, "inv 001"), buyerId: "DE-HRB-9", amount: 1000n, currency: "EUR", issueDate: "2026-10-01", dueDate: "2099-01-01" }),
  );
  const receipt = await commit(b!, again);
  t.equal(receipt.code, "DUPLICATE_RECEIVABLE");
  t.equal(receipt.target, first.hashHex, "the rejection points at the receivable it collided with");
  t.ok(await converged(live()));
  for (const node of live()) {
    const rejections = await node.query.rejections({ code: "DUPLICATE_RECEIVABLE" });
    t.ok(rejections.items.some((r) => toHex(r.txHash) === again.hashHex), `${node.nodeId} lists the attempt`);
  }
  // A submission for another chain never reaches consensus.
  const foreign = net.sign(OTHER_EXPORTER, tx.cancelReceivable({ receivableId: first.hashHex, reason: "x" }));
  const wrong = await a!.api.submit(foreign.bytes.slice(0, foreign.bytes.length - 3));
  t.match(wrong, { ok: false, code: "MALFORMED" }, "truncated bytes are refused at admission");
});

t.test("the observer follows and verifies, never votes, and relays transactions", async (t) => {
  const observer = net.observer!;
  t.equal(observer.consensusDriver, undefined, "an observer runs no consensus");
  t.equal(observer.api.status().mode, "observer");
  const signed = net.sign(
    OTHER_EXPORTER,
    tx.anchorDocument({ documentHash: nodeCrypto.sha256(randomBytes(16)), documentType: "PACKING_LIST", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }),
  );
  t.equal((await commit(observer, signed)).code, "OK", "a tx submitted to the observer is gossiped, ordered by the validators and followed back");
  t.ok(await converged([...live(), observer]));
  for (const h of [1n, observer.chain.height]) {
    const cert = await observer.query.getCertificate(h);
    t.ok(cert && cert.commits.length >= 3, `the observer stored block ${h}'s commit certificate`);
  }
});

t.test("the observer keeps checkpoint certificates: it serves certified headers that verify; a forged one is refused", async (t) => {
  const observer = net.observer!;
  const follower = observer.mode.kind === "observer" ? observer.mode.follower : undefined;
  t.ok(follower, "the observer follows");
  const set = { chainId: net.genesis.chainId, validators: net.genesis.validators.map((v) => ({ id: v.id, publicKey: v.nodePublicKey })) };
  const verify = (p: CertifiedHeaderProof) => verifyCertifiedHeader(certifiedHeaderFromJson(certifiedHeaderToJson(p, 0n)), set, sha256, nodeCrypto.verify);
  const signed = net.sign(EXPORTER, tx.anchorDocument({ documentHash: nodeCrypto.sha256(randomBytes(16)), documentType: "PACKING_LIST", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }));
  await commit(live()[0]!, signed);
  t.ok(await converged([...live(), observer]));
  // the idle head: its tip certificate, fetched from a validator and verified, then served by the observer
  const head = observer.chain.height;
  const proof = await observer.query.waitCertifiedHeader(head, 20_000);
  t.ok(proof, `the observer holds a certificate covering its head ${head}`);
  const check = verify(proof!);
  t.ok(check.ok, "verifyCertifiedHeader accepts the observer's certified head");
  if (check.ok) t.equal(toHex(check.hash), toHex(observer.chain.headHash));
  const first = await observer.query.certifiedHeader(1n);
  t.ok(first && verify(first).ok, "and block 1, through the header chain up to a certificate");

  // forged certificates offered by a peer (as block sync hands them over) are refused, never stored
  const good = proof!.checkpoint;
  const through = await observer.query.checkpointAtOrBelow(head);
  const refusedBefore = follower!.refusedCheckpoints;
  const next = { ...good, seq: head }; // re-offering what it holds is a no-op
  t.equal(await follower!.offerCheckpoint(next, "test"), false);
  const higher = async (c: typeof good) => {
    // a fresh follower state would accept a valid one: offer above what is held by faking nothing but the bytes under test
    const wire = decodeCertifiedBlock(encodeCertifiedBlock({ height: head, time: 0n, view: 0n, txs: [], certificate: (await observer.query.getCertificate(head))!, headerHash: new Uint8Array(32), checkpoint: c }));
    if (wire instanceof Error) throw wire;
    (follower as unknown as { certifiedThrough: bigint }).certifiedThrough = head - 1n;
    return follower!.offerCheckpoint(wire.checkpoint!, "forging peer");
  };
  const flipped = good.signatures.map((s) => ({ ...s, signature: Uint8Array.from(s.signature, (b, i) => (i === 0 ? b ^ 1 : b)) }));
  t.equal(await higher({ ...good, signatures: flipped }), false, "flipped signature bytes");
  t.equal(await higher({ ...good, signatures: good.signatures.slice(0, 2) }), false, "2 of 4 signatures");
  t.equal(await higher({ ...good, signatures: [good.signatures[0]!, good.signatures[0]!, good.signatures[0]!] }), false, "one validator thrice");
  t.equal(await higher({ ...good, blockHash: new Uint8Array(32).fill(7) }), false, "over another block hash");
  t.equal(await higher({ ...good, timestamp: good.timestamp + 1n }), false, "another time");
  t.equal(follower!.refusedCheckpoints, refusedBefore + 5, "each refused and counted");
  t.same(await observer.query.checkpointAtOrBelow(head), through, "none stored");
  t.equal(await higher(good), true, "the genuine certificate is kept");
});

t.test("garbage consensus frames from a validator are dropped and counted; the network goes on", async (t) => {
  const [a, b] = live();
  const target = peerIdFromNodePublicKey(fromHex(net.genesis.validators[0]!.nodePublicKey));
  const before = a!.p2p.stats();
  for (let i = 0; i < 5; i++) b!.p2p.send(target, "consensus", new Uint8Array(randomBytes(40 + i)));
  const dropped = (s: ReturnType<Node["p2p"]["stats"]>) => s.channels["consensus"]?.droppedMalformed ?? 0;
  t.ok(await eventually(() => dropped(a!.p2p.stats()) >= dropped(before) + 5, 5000), "bank-a dropped the five malformed frames at the edge");
  const signed = net.sign(
    EXPORTER,
    tx.anchorDocument({ documentHash: nodeCrypto.sha256(randomBytes(16)), documentType: "CERTIFICATE_OF_ORIGIN", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }),
  );
  t.equal((await commit(a!, signed)).code, "OK", "and still commits");
});

t.test("a node whose key is not in the genesis or an observer list is refused", async (t) => {
  const seed = new Uint8Array(randomBytes(32));
  const config = parseWith(
    nodeConfigSchema,
    {
      dataDir: join(net.dir, "stranger", "data"),
      genesisFile: net.net.genesisFile,
      nodeKeyFile: join(net.dir, "stranger", "node-key.json"),
      mode: "observer",
      p2p: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    },
    "stranger",
  );
  const refusedBefore = live().reduce((sum, n) => sum + n.p2p.stats().connectionsRefused, 0);
  const stranger = await TradeLedgerNode.start({ config, genesis: net.genesis, nodeSeed: seed, logger: silentLogger });
  t.teardown(() => stranger.stop());
  // The stranger dials every genesis validator; each refuses it once its key is proven (noise).
  t.ok(
    await eventually(() => live().reduce((sum, n) => sum + n.p2p.stats().connectionsRefused, 0) >= refusedBefore + 4, 10_000),
    "every validator refused the stranger's connection",
  );
  await new Promise((r) => setTimeout(r, 2000));
  t.equal(stranger.chain.height, 0n, "and it learns nothing of the chain");
  t.ok(live()[0]!.chain.height > 0n, "while the validators have blocks");
});

t.test("after the primary stops, the others change view and the observer still follows by block sync", async (t) => {
  const [primary, b] = live();
  t.equal(primary!.api.status().primary, primary!.nodeId, "bank-a is the primary of view 0");
  await primary!.stop();
  net.nodes[0] = undefined;
  const signed = net.sign(
    EXPORTER,
    tx.anchorDocument({ documentHash: nodeCrypto.sha256(randomBytes(16)), documentType: "INSURANCE_CERTIFICATE", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }),
  );
  t.equal((await commit(b!, signed)).code, "OK", "committed without bank-a");
  const height = b!.chain.height;
  t.ok(b!.api.status().view! > 0n, `view ${b!.api.status().view} after the primary stopped`);
  const cert = await b!.query.getCertificate(height);
  t.ok(cert && cert.view > 0n, "the block's commit certificate is from the new view");
  // Served blocks carry their certificate's view: the observer verifies and applies them.
  t.ok(await eventually(() => net.observer!.chain.height >= height, 20_000), "the observer reached the new view's blocks");
  t.equal(toHex(net.observer!.chain.headHash), toHex((await b!.query.getHeader(net.observer!.chain.height))!.hash));
});
