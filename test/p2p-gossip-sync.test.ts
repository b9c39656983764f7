// Transaction gossip and block sync over real libp2p on 127.0.0.1.
import "../p2p/polyfill.js";
import t from "tap";
import { createLibp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import { createP2P, privateKeyFromNodeSeed, SyncError, SYNC_PROTOCOL, type BlockServer, type P2PNetwork, type PeerEntry, type PeerRef, type TxValidator } from "../p2p/index.js";
import { peerEntry, recordingLogger, testIdentity, waitFor, type TestIdentity } from "../tools/p2p-testing.js";

const LOOPBACK = ["/ip4/127.0.0.1/tcp/0"];

interface Node {
  net: P2PNetwork;
  txs: { from: PeerRef; tx: string }[];
  validated: string[];
  log: ReturnType<typeof recordingLogger>;
}

/** Transactions in these tests are ASCII; "bad..." fails validation, "later..." is ignored. */
const validateTx =
  (validated: string[]): TxValidator =>
  (bytes) => {
    const text = Buffer.from(bytes).toString("latin1");
    validated.push(text);
    if (text.startsWith("bad")) return "reject";
    if (text.startsWith("later")) return "ignore";
    // Exercise the asynchronous path too.
    return text.startsWith("async") ? Promise.resolve("accept") : "accept";
  };

async function startNode(
  id: TestIdentity,
  peers: PeerEntry[],
  serveBlocks: BlockServer = () => [],
  sync: { maxBlocksPerRequest?: number } = {},
  relayTxTo?: (from: PeerRef) => readonly string[] | undefined,
): Promise<Node> {
  const log = recordingLogger(id.name);
  const txs: Node["txs"] = [];
  const validated: string[] = [];
  const net = createP2P(
    { chainId: "gossip-chain", nodeKeySeed: id.seed, listen: LOOPBACK, peers, redialBaseMs: 50, redialMaxMs: 500, sync },
    { logger: log, metrics: null, validateTx: validateTx(validated), serveBlocks, ...(relayTxTo ? { relayTxTo } : {}) },
  );
  net.onTx((from, bytes) => void txs.push({ from, tx: Buffer.from(bytes).toString("latin1") }));
  await net.start();
  return { net, txs, validated, log };
}

const txBytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

const A = testIdentity("gossip-a");
const B = testIdentity("gossip-b");
const C = testIdentity("gossip-c");
const D = testIdentity("gossip-d");

t.test("gossip delivers a transaction to every peer; an invalid one stops at the first hop", async (t) => {
  // A line: A - B - C. C only learns A's transactions through B, so B's validator decides
  // what C sees.
  const c = await startNode(C, [peerEntry(B), peerEntry(C)]);
  const b = await startNode(B, [peerEntry(A), peerEntry(B), peerEntry(C, c.net.listenAddrs())]);
  const a = await startNode(A, [peerEntry(A), peerEntry(B, b.net.listenAddrs())]);
  t.teardown(async () => {
    await Promise.all([a.net.stop(), b.net.stop(), c.net.stop()]);
  });
  await waitFor(() => a.net.connectedPeers().length === 1 && b.net.connectedPeers().length === 2 && c.net.connectedPeers().length === 1, "line topology");

  const good = "tx-transfer-42";
  t.equal(a.net.publishTx(txBytes(good)), 1, "A floods to its one validator peer");
  await waitFor(() => b.txs.some((x) => x.tx === good) && c.txs.some((x) => x.tx === good), "good tx everywhere");
  t.equal(b.txs.find((x) => x.tx === good)!.from.validatorId, "gossip-a", "B got it from A");
  t.equal(c.txs.find((x) => x.tx === good)!.from.validatorId, "gossip-b", "C got it relayed by B");
  t.equal(a.txs.filter((x) => x.tx === good).length, 0, "the publisher does not receive its own tx");
  a.net.publishTx(txBytes("async-validated"));
  await waitFor(() => c.txs.some((x) => x.tx === "async-validated"), "an asynchronously validated tx is relayed too");

  // Invalid: B's validator rejects it, so B neither delivers nor forwards it; A is penalised.
  const bad = "bad-signature-tx";
  a.net.publishTx(txBytes(bad));
  await waitFor(() => b.net.stats().gossip.rejected === 1, "B rejects the invalid tx");
  t.notOk(b.txs.some((x) => x.tx === bad), "B does not deliver it");
  t.ok(b.net.stats().peers.find((p) => p.peerId === A.peerId)!.score > 0, "A was penalised by B");
  // Ignored: not delivered, not forwarded, nobody penalised.
  a.net.publishTx(txBytes("later-unknown-signer"));
  await waitFor(() => b.net.stats().gossip.ignored === 1, "B ignores the state-dependent refusal");
  // A later good transaction still reaches C, and C's validator never saw the bad one.
  const after = "tx-after";
  a.net.publishTx(txBytes(after));
  await waitFor(() => c.txs.some((x) => x.tx === after), "later tx reaches C");
  t.notOk(c.validated.includes(bad), "the invalid tx never reached C");
  t.notOk(c.validated.includes("later-unknown-signer"), "the ignored tx was not forwarded either");
  t.notOk(c.txs.some((x) => x.tx === bad));

  // Duplicates are suppressed (ids are sha256 of the bytes): a re-publish sends nothing, and a
  // copy arriving from elsewhere is dropped before validation.
  t.equal(a.net.publishTx(txBytes(good)), 0, "already published");
  t.equal(b.net.publishTx(txBytes(good)), 0, "B already has it");
  const marker = "tx-marker";
  a.net.publishTx(txBytes(marker));
  await waitFor(() => c.txs.some((x) => x.tx === marker), "marker arrives");
  t.equal(c.txs.filter((x) => x.tx === good).length, 1, "delivered once");
  t.equal(c.validated.filter((x) => x === good).length, 1, "validated once");

  t.throws(() => a.net.publishTx(new Uint8Array(64 * 1024 + 1)), RangeError, "oversized tx refused locally");
  t.throws(() => a.net.publishTx(new Uint8Array(0)), RangeError, "empty tx refused locally");
});

t.test("gossip in a full mesh: every validator gets every tx once; observers publish but receive nothing", async (t) => {
  const O = testIdentity("gossip-observer");
  const obs = peerEntry(O, [], false);
  const d = await startNode(D, [peerEntry(A), peerEntry(B), peerEntry(C), peerEntry(D), obs]);
  const c = await startNode(C, [peerEntry(A), peerEntry(B), peerEntry(C), peerEntry(D, d.net.listenAddrs()), obs]);
  const b = await startNode(B, [peerEntry(A), peerEntry(B), peerEntry(C, c.net.listenAddrs()), peerEntry(D, d.net.listenAddrs()), obs]);
  const a = await startNode(A, [peerEntry(A), peerEntry(B, b.net.listenAddrs()), peerEntry(C, c.net.listenAddrs()), peerEntry(D, d.net.listenAddrs()), obs]);
  // The observer dials two validators only.
  const o = await startNode(O, [peerEntry(O), peerEntry(A, a.net.listenAddrs()), peerEntry(B, b.net.listenAddrs())]);
  const nodes = [a, b, c, d, o];
  t.teardown(async () => {
    await Promise.all(nodes.map((n) => n.net.stop()));
  });
  await waitFor(
    () => [a, b].every((n) => n.net.connectedPeers().length === 4) && [c, d].every((n) => n.net.connectedPeers().length === 3) && o.net.connectedPeers().length === 2,
    "mesh of four plus an observer",
  );
  for (let i = 0; i < 20; i++) t.equal(a.net.publishTx(txBytes(`batch-${i}`)), 3, "to the three other validators, not the observer");
  t.equal(o.net.publishTx(txBytes("from-observer")), 2, "the observer sends to the validators it knows");
  const validators = [a, b, c, d];
  await waitFor(() => [b, c, d].every((n) => n.txs.filter((x) => x.tx.startsWith("batch-")).length === 20), "20 txs on every validator");
  await waitFor(() => validators.every((n) => n.txs.some((x) => x.tx === "from-observer")), "the observer's tx reaches all validators, relayed to C and D");
  for (const n of [b, c, d]) {
    t.equal(n.txs.filter((x) => x.tx.startsWith("batch-")).length, 20, "each delivered exactly once");
    t.equal(n.validated.filter((x) => x.startsWith("batch-")).length, 20, "and validated once, duplicates dropped first");
  }
  const marker = "marker";
  a.net.publishTx(txBytes(marker));
  await waitFor(() => [b, c, d].every((n) => n.txs.some((x) => x.tx === marker)), "marker everywhere");
  t.equal(o.txs.length, 0, "observers receive no gossip");
  t.ok(b.net.stats().gossip.duplicates > 0, "full-mesh copies were dropped as duplicates");
});

t.test("a relay policy forwards an accepted transaction to the peers it names only (a validator: the primary)", async (t) => {
  // A - B - {C, D}: B forwards to C only while its policy names C, and floods when it returns undefined.
  let policy: string[] | undefined = [C.peerId];
  const d = await startNode(D, [peerEntry(B), peerEntry(D)]);
  const c = await startNode(C, [peerEntry(B), peerEntry(C)]);
  const b = await startNode(B, [peerEntry(A), peerEntry(B), peerEntry(C, c.net.listenAddrs()), peerEntry(D, d.net.listenAddrs())], () => [], {}, (from) => {
    t.equal(from.peerId, A.peerId, "the policy is asked with the sender");
    return policy;
  });
  const a = await startNode(A, [peerEntry(A), peerEntry(B, b.net.listenAddrs())]);
  t.teardown(async () => {
    await Promise.all([a, b, c, d].map((n) => n.net.stop()));
  });
  await waitFor(() => b.net.connectedPeers().length === 3 && c.net.connectedPeers().length === 1 && d.net.connectedPeers().length === 1, "star around B");
  a.net.publishTx(txBytes("to-the-primary"));
  await waitFor(() => c.txs.some((x) => x.tx === "to-the-primary"), "C (named by the policy) gets it");
  policy = undefined;
  a.net.publishTx(txBytes("flooded"));
  await waitFor(() => c.txs.some((x) => x.tx === "flooded") && d.txs.some((x) => x.tx === "flooded"), "no policy answer: flood");
  t.notOk(d.txs.some((x) => x.tx === "to-the-primary"), "D was not named, so it never got the first one");
  policy = [A.peerId];
  a.net.publishTx(txBytes("never-back"));
  await waitFor(() => b.txs.some((x) => x.tx === "never-back"), "B accepts it");
  policy = [C.peerId];
  a.net.publishTx(txBytes("marker-2"));
  await waitFor(() => c.txs.some((x) => x.tx === "marker-2"), "marker");
  t.notOk(c.txs.some((x) => x.tx === "never-back") || d.txs.some((x) => x.tx === "never-back"), "a policy naming the sender sends nothing back or elsewhere");
});

const blockAt = (h: bigint) => txBytes(`block-${h}-`.padEnd(100, "x"));

t.test("block sync returns the requested range and refuses absurd ranges", async (t) => {
  const served: [bigint, bigint, number][] = [];
  const chain = 50n;
  const serve: BlockServer = async (from, to, maxBytes) => {
    served.push([from, to, maxBytes]);
    const out: Uint8Array[] = [];
    let size = 0;
    for (let h = from; h <= to && h <= chain; h++) {
      const blk = blockAt(h);
      if (size + blk.length > maxBytes) break;
      out.push(blk);
      size += blk.length;
    }
    return out;
  };
  const b = await startNode(B, [peerEntry(A), peerEntry(B)], serve);
  // A's own range limit is larger than B's so that A can send a request B must refuse.
  const a = await startNode(A, [peerEntry(A), peerEntry(B, b.net.listenAddrs())], () => [], { maxBlocksPerRequest: 10_000 });
  t.teardown(async () => {
    await Promise.all([a.net.stop(), b.net.stop()]);
  });
  await waitFor(() => a.net.connectedPeers().length === 1, "connected");

  const blocks = await a.net.requestBlocks(B.peerId, 3n, 7n);
  t.same(
    blocks.map((x) => Buffer.from(x).toString("latin1")),
    [3n, 4n, 5n, 6n, 7n].map((h) => Buffer.from(blockAt(h)).toString("latin1")),
    "heights 3..7 in order",
  );
  t.same(served[0], [3n, 7n, 16 * 1024 * 1024], "the server saw the range and the byte budget");

  t.equal((await a.net.requestBlocks(B.peerId, 48, 60)).length, 3, "a range past the tip returns what exists");
  t.equal((await a.net.requestBlocks(B.peerId, 51, 60)).length, 0, "nothing beyond the tip");
  t.equal((await a.net.requestBlocks(B.peerId, 1, 50, { maxBytes: 350 })).length, 3, "the byte budget caps the response");

  // Absurd ranges are refused locally without touching the network...
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return "resolved";
    } catch (err) {
      return err instanceof SyncError ? err.code : String(err);
    }
  };
  t.equal(await code(a.net.requestBlocks(B.peerId, 10, 9)), "INVALID_RANGE", "from > to");
  t.equal(await code(a.net.requestBlocks(B.peerId, -1, 9)), "INVALID_RANGE", "negative height");
  t.equal(await code(a.net.requestBlocks(B.peerId, 0n, 1n << 64n)), "INVALID_RANGE", "beyond uint64");
  t.equal(await code(a.net.requestBlocks(B.peerId, 1, 20_000)), "INVALID_RANGE", "above the requester's limit");
  t.equal(await code(a.net.requestBlocks(testIdentity("nobody").peerId, 1, 2)), "NOT_CONNECTED", "unknown peer");
  // ...and by the server when a peer sends one anyway (A's limit is 10 000, B's 256).
  const servedBefore = served.length;
  t.equal(await code(a.net.requestBlocks(B.peerId, 1, 1000)), "REFUSED", "B refuses more than 256 blocks");
  t.equal(served.length, servedBefore, "the node's serveBlocks was not called");
  t.equal(b.net.stats().sync.refused, 1);
  t.ok(b.net.stats().peers.find((p) => p.peerId === A.peerId)!.score > 0, "B penalised A for the absurd request");
  t.equal(b.net.stats().sync.served, 4);
  t.equal(a.net.stats().sync.blocksReceived, 5 + 3 + 0 + 3);
});

t.test("block sync: a lying server is caught and a silent one times out", async (t) => {
  // A raw libp2p node holding an allow-listed key, speaking the sync protocol dishonestly.
  const liar = testIdentity("sync-liar");
  const a = await startNode(A, [peerEntry(A), peerEntry(liar)]);
  const node = await createLibp2p({
    privateKey: await privateKeyFromNodeSeed(liar.seed),
    addresses: { listen: LOOPBACK },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  });
  let mode: "overclaim" | "silent" = "overclaim";
  await node.handle(SYNC_PROTOCOL, async (stream) => {
    const lp = lpStream(stream);
    await lp.read();
    if (mode === "silent") return; // never answers
    // Announces one block but a total far above the requester's budget.
    const header = new Uint8Array(9);
    const v = new DataView(header.buffer);
    v.setUint8(0, 0);
    v.setUint32(1, 1);
    v.setUint32(5, 100_000_000);
    await lp.write(header);
    await lp.write(new Uint8Array(10));
    await stream.close();
  });
  t.teardown(async () => {
    await a.net.stop();
    await node.stop();
  });
  await node.dial(multiaddr(a.net.listenAddrs()[0]!));
  await waitFor(() => a.net.connectedPeers().length === 1, "liar connected");
  await t.rejects(a.net.requestBlocks(liar.peerId, 1, 2, { maxBytes: 1000 }), { code: "BAD_RESPONSE" }, "announced size above the budget");
  t.ok(a.net.stats().peers.find((p) => p.peerId === liar.peerId)!.score > 0, "the liar is penalised");
  mode = "silent";
  await t.rejects(a.net.requestBlocks(liar.peerId, 1, 2, { timeoutMs: 200 }), { code: "TIMEOUT" }, "no answer: timeout");
  t.equal(a.net.stats().sync.failures, 2);
});
