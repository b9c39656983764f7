// Channels over real libp2p (TCP + noise + yamux on 127.0.0.1), several nodes in one process.
import t from "tap";
import { createP2P, P2P_METRICS, type ChannelSpec, type P2PNetwork, type PeerEntry, type PeerRef } from "../p2p/index.js";
import { peerEntry, recordingLogger, testIdentity, waitFor, type TestIdentity } from "../tools/p2p-testing.js";

const LOOPBACK = ["/ip4/127.0.0.1/tcp/0"];
const PROTOCOL = "/tradeledger/test-consensus/1";

interface Received {
  from: PeerRef;
  msg: Msg;
}
interface Msg {
  seq: number;
  text: string;
}

/** The edge decoder under test: "<seq>:<text>" in ASCII, anything else is malformed. */
function decodeMsg(bytes: Uint8Array): Msg | Error {
  const s = Buffer.from(bytes).toString("latin1");
  const m = /^(\d{1,9}):([ -~]*)$/.exec(s);
  if (!m) return new Error("not a test message");
  return { seq: Number(m[1]), text: m[2]! };
}

function encodeMsg(seq: number, text = ""): Uint8Array {
  return new Uint8Array(Buffer.from(`${seq}:${text}`, "latin1"));
}

interface Node {
  id: TestIdentity;
  net: P2PNetwork;
  inbox: Received[];
  log: ReturnType<typeof recordingLogger>;
}

async function startNode(
  id: TestIdentity,
  peers: PeerEntry[],
  opts: { maxFrameBytes?: number; decode?: (b: Uint8Array) => Msg | Error; handler?: ChannelSpec<Msg>["handler"]; scoring?: { banThreshold?: number }; redialBaseMs?: number } = {},
): Promise<Node> {
  const log = recordingLogger(id.name);
  const inbox: Received[] = [];
  const net = createP2P(
    { chainId: "test-chain", nodeKeySeed: id.seed, listen: LOOPBACK, peers, redialBaseMs: opts.redialBaseMs ?? 50, redialMaxMs: 5000, scoring: opts.scoring ?? {} },
    { logger: log, metrics: null, validateTx: () => "accept", serveBlocks: () => [] },
  );
  net.registerChannel<Msg>({
    name: "consensus",
    protocol: PROTOCOL,
    maxFrameBytes: opts.maxFrameBytes ?? 1024,
    decode: opts.decode ?? decodeMsg,
    handler: opts.handler ?? ((from, msg) => void inbox.push({ from, msg })),
  });
  await net.start();
  return { id, net, inbox, log };
}

const A = testIdentity("val-a");
const B = testIdentity("val-b");
const C = testIdentity("val-c");

t.test("three nodes connect, frames arrive in order per peer, broadcast reaches all", async (t) => {
  // Start order: C listens first, B dials C, A dials both. Everyone allows everyone.
  const c = await startNode(C, [peerEntry(A), peerEntry(B), peerEntry(C)]);
  const b = await startNode(B, [peerEntry(A), peerEntry(B), peerEntry(C, c.net.listenAddrs())]);
  const a = await startNode(A, [peerEntry(A), peerEntry(B, b.net.listenAddrs()), peerEntry(C, c.net.listenAddrs())]);
  t.teardown(async () => {
    await Promise.all([a.net.stop(), b.net.stop(), c.net.stop()]);
  });

  await waitFor(() => a.net.connectedPeers().length === 2 && b.net.connectedPeers().length === 2 && c.net.connectedPeers().length === 2, "full mesh");
  t.same(
    a.net.connectedPeers().map((p) => p.validatorId).sort(),
    ["val-b", "val-c"],
    "peers are identified by the validator id of their genesis key",
  );

  // 2000 frames A -> B in one burst: queued without blocking, delivered in order, no loss.
  const N = 2000;
  for (let i = 0; i < N; i++) t.equal(a.net.send(B.peerId, "consensus", encodeMsg(i, "x".repeat(i % 50))), true) || t.fail("send refused");
  await waitFor(() => b.inbox.length === N, "B receives all frames");
  t.same(
    b.inbox.map((r) => r.msg.seq),
    Array.from({ length: N }, (_, i) => i),
    "frames arrive in the order they were sent",
  );
  t.ok(b.inbox.every((r) => r.from.peerId === A.peerId && r.from.validatorId === "val-a"), "sender identified");

  // Interleaved senders: per-sender order is preserved at C.
  for (let i = 0; i < 300; i++) {
    a.net.send(C.peerId, "consensus", encodeMsg(i, "from-a"));
    b.net.send(C.peerId, "consensus", encodeMsg(i, "from-b"));
  }
  await waitFor(() => c.inbox.length === 600, "C receives both streams");
  for (const who of ["val-a", "val-b"]) {
    t.same(
      c.inbox.filter((r) => r.from.validatorId === who).map((r) => r.msg.seq),
      Array.from({ length: 300 }, (_, i) => i),
      `order from ${who}`,
    );
  }

  // broadcast reaches every other peer, never ourselves.
  b.inbox.length = 0;
  c.inbox.length = 0;
  t.equal(a.net.broadcast("consensus", encodeMsg(7, "hello all")), 2, "two queues accepted the broadcast");
  await waitFor(() => b.inbox.length === 1 && c.inbox.length === 1, "broadcast delivered");
  t.equal(b.inbox[0]!.msg.text, "hello all");
  t.equal(c.inbox[0]!.msg.text, "hello all");
  t.equal(a.inbox.length, 0, "no loopback to self");

  // one long-lived stream per peer per channel carried all of this
  const s = a.net.stats();
  t.equal(s.channels.consensus!.streamsOpened, 2, "one outbound stream to each of B and C");
  t.equal(s.channels.consensus!.streamsReopened, 0);
  t.equal(s.channels.consensus!.framesOut, N + 300 + 2);
  t.equal(b.net.stats().channels.consensus!.framesIn, N + 1);

  // sending to something not allow-listed, to ourselves or above the frame limit is refused
  t.equal(a.net.send(testIdentity("stranger").peerId, "consensus", encodeMsg(1)), false);
  t.equal(a.net.send(A.peerId, "consensus", encodeMsg(1)), false);
  t.equal(a.net.send(B.peerId, "consensus", new Uint8Array(1025)), false);
  t.equal(a.net.stats().channels.consensus!.droppedUnsendable, 3);
  t.throws(() => a.net.send(B.peerId, "no-such-channel", encodeMsg(1)), /unknown channel/);
});

t.test("an unknown peer is refused, inbound and outbound", async (t) => {
  const a = await startNode(A, [peerEntry(A), peerEntry(B)]);
  // The stranger lists A (so it dials A), but A does not list the stranger.
  const stranger = testIdentity("stranger");
  const s = await startNode(stranger, [peerEntry(stranger), peerEntry(A, a.net.listenAddrs())]);
  t.teardown(async () => {
    await Promise.all([a.net.stop(), s.net.stop()]);
  });
  // The stranger sees the refusal as a failed dial, or (when its side of the handshake completed
  // first) as a connection A closed at once: both are failures to its redialler (p2p/dialer.ts).
  await waitFor(() => a.net.stats().connectionsRefused >= 1 && s.net.stats().dialFailures + s.net.stats().connectionsClosedAtOnce >= 1, "A refuses the stranger's dial");
  t.same(a.net.connectedPeers(), [], "A admitted nobody");
  t.same(s.net.connectedPeers(), [], "the stranger holds no connection to A");
  t.equal(s.net.send(A.peerId, "consensus", encodeMsg(1)), true, "the stranger can queue (A is on its list)...");
  t.equal(a.inbox.length, 0, "...but nothing reaches A");
  const refusal = a.log.lines.find((l) => l.msg === "p2p connection refused");
  t.ok(refusal, "the refusal is logged");
  t.equal(refusal?.fields?.peerId, stranger.peerId);
  t.equal(refusal?.fields?.direction, "inbound");
});

t.test("garbage frames are dropped and counted; repeated garbage gets the peer banned", async (t) => {
  const a = await startNode(A, [peerEntry(A), peerEntry(B)], { scoring: { banThreshold: 100 } });
  // B's side of the channel accepts anything, so B can put arbitrary bytes on the wire.
  const b = await startNode(B, [peerEntry(B), peerEntry(A, a.net.listenAddrs())], { maxFrameBytes: 64 * 1024, decode: () => ({ seq: 0, text: "" }) });
  t.teardown(async () => {
    await Promise.all([a.net.stop(), b.net.stop()]);
  });
  await waitFor(() => a.net.connectedPeers().length === 1, "connected");

  b.net.send(A.peerId, "consensus", encodeMsg(1, "good"));
  b.net.send(A.peerId, "consensus", new Uint8Array([0xff, 0x00, 0x13, 0x37])); // garbage
  b.net.send(A.peerId, "consensus", encodeMsg(2, "still good"));
  await waitFor(() => a.inbox.length === 2, "good frames around the garbage delivered");
  t.same(
    a.inbox.map((r) => r.msg.seq),
    [1, 2],
    "the malformed frame is dropped, the stream goes on",
  );
  let st = a.net.stats();
  t.equal(st.channels.consensus!.droppedMalformed, 1);
  const peerB = st.peers.find((p) => p.peerId === B.peerId)!;
  t.equal(peerB.droppedIn.consensus, 1, "counted against B on this channel");
  t.ok(peerB.score > 0, "B was penalised");
  t.equal(peerB.banned, false, "one bad frame does not ban");

  // A frame above A's limit: the stream cannot be resynchronised, it is reset and B penalised.
  b.net.send(A.peerId, "consensus", new Uint8Array(2000));
  await waitFor(() => a.net.stats().channels.consensus!.droppedOversized === 1, "oversized frame rejected");
  // B reopens its stream on the next send and delivery resumes. (Frames B wrote before the
  // reset reached it are lost: delivery is at most once.)
  await waitFor(() => !hasOpenChannelStream(b.net), "B sees its stream reset");
  b.net.send(A.peerId, "consensus", encodeMsg(3, "after reset"));
  await waitFor(() => a.inbox.length === 3, "delivery resumes after the reset");
  t.equal(b.net.stats().channels.consensus!.streamsReopened, 1, "B reopened its stream");

  // Keep sending garbage: B is disconnected and banned, and its redials are refused.
  for (let i = 0; i < 10; i++) b.net.send(A.peerId, "consensus", new Uint8Array([0xde, 0xad, i]));
  await waitFor(() => a.net.stats().bans === 1, "B banned");
  await waitFor(() => a.net.connectedPeers().length === 0, "B disconnected");
  st = a.net.stats();
  t.equal(st.peers.find((p) => p.peerId === B.peerId)!.banned, true);
  t.ok(a.log.lines.some((l) => l.msg === "p2p peer banned" && l.fields?.validatorId === "val-b"), "ban logged with the validator id");
  await waitFor(() => a.net.stats().connectionsRefused >= 1, "B's redial refused while banned");
  t.equal(a.net.connectedPeers().length, 0);
  t.ok(a.inbox.length <= 3, "nothing from the garbage reached the handler");
});

t.test("a dead stream is reopened and a dropped connection redialled; delivery resumes", async (t) => {
  const b = await startNode(B, [peerEntry(A), peerEntry(B)]);
  // Only A dials (B has no address for A), first redial after ~1 s.
  const a = await startNode(A, [peerEntry(A), peerEntry(B, b.net.listenAddrs())], { redialBaseMs: 1000 });
  t.teardown(async () => {
    await Promise.all([a.net.stop(), b.net.stop()]);
  });
  await waitFor(() => a.net.connectedPeers().length === 1, "connected");
  a.net.send(B.peerId, "consensus", encodeMsg(1));
  await waitFor(() => b.inbox.length === 1, "first frame");

  // Reset the stream from the receiving side: the sender sees it die and opens a new one.
  const bNode = (b.net as unknown as { node: { getConnections(): { streams: { protocol: string; abort(e: Error): void }[] }[] } }).node;
  const streams = bNode.getConnections().flatMap((c) => c.streams.filter((s) => s.protocol === PROTOCOL));
  t.equal(streams.length, 1, "exactly one stream carries the channel");
  streams[0]!.abort(new Error("test: kill the stream"));
  await waitFor(() => a.net.stats().channels.consensus!.streamsOpened === 1 && !hasOpenChannelStream(a.net), "sender notices");
  a.net.send(B.peerId, "consensus", encodeMsg(2));
  await waitFor(() => b.inbox.length === 2, "delivery resumes on a new stream");
  t.equal(a.net.stats().channels.consensus!.streamsReopened, 1);

  // Kill the whole connection: frames sent while A is disconnected wait in its queue, and go
  // out when A's redial succeeds. (Frames already written to a connection that dies are lost:
  // delivery is at most once, see docs/p2p.md.)
  for (const conn of bNode.getConnections()) (conn as unknown as { abort(e: Error): void }).abort(new Error("test: kill the connection"));
  await waitFor(() => a.net.connectedPeers().length === 0, "A sees the disconnection");
  a.net.send(B.peerId, "consensus", encodeMsg(3));
  a.net.send(B.peerId, "consensus", encodeMsg(4));
  await waitFor(() => b.inbox.length === 4, "delivery resumes after redial");
  t.same(
    b.inbox.map((r) => r.msg.seq),
    [1, 2, 3, 4],
  );
  t.ok(a.net.stats().dials >= 2, "A redialled B");
  t.equal(a.net.stats().peers[0]!.queued.consensus, 0, "nothing left queued");
});

function hasOpenChannelStream(net: P2PNetwork): boolean {
  const node = (net as unknown as { node: { getConnections(): { streams: { protocol: string; status: string; direction: string }[] }[] } }).node;
  return node.getConnections().some((c) => c.streams.some((s) => s.protocol === PROTOCOL && s.direction === "outbound" && s.status === "open"));
}

t.test("a slow consumer pushes back: the sender's queue is bounded and drops the oldest", async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen: number[] = [];
  // B's handler blocks on the first frame until released: its stream is paused meanwhile.
  const b = await startNode(B, [peerEntry(A), peerEntry(B)], {
    maxFrameBytes: 64 * 1024,
    handler: async (_from, msg) => {
      seen.push(msg.seq);
      if (seen.length === 1) await gate;
    },
  });
  const a = await startNode(A, [peerEntry(A), peerEntry(B, b.net.listenAddrs())], { maxFrameBytes: 64 * 1024 });
  t.teardown(async () => {
    release();
    await Promise.all([a.net.stop(), b.net.stop()]);
  });
  await waitFor(() => a.net.connectedPeers().length === 1, "connected");

  // 64 MiB offered; the queue limit (16 MiB) plus yamux's bounded window is all that is held.
  const total = 2048;
  for (let i = 0; i < total; i++) {
    // "<seq>:aaaa..." padded to 32 KiB: still a valid message
    const f = new Uint8Array(32 * 1024).fill(0x61);
    f.set(encodeMsg(i, ""), 0);
    a.net.send(B.peerId, "consensus", f);
  }
  await waitFor(() => a.net.stats().channels.consensus!.droppedQueueFull > 0, "queue overflow");
  const st = a.net.stats();
  const queued = st.peers.find((p) => p.peerId === B.peerId)!.queued.consensus!;
  t.ok(queued * 32 * 1024 <= 16 * 1024 * 1024, `queue stays within its byte bound (${queued} frames queued)`);
  t.ok(st.channels.consensus!.droppedQueueFull >= total - 16 * 1024 * 1024 / (32 * 1024) - 200, "the excess was dropped, not buffered");
  release();
  await waitFor(() => a.net.stats().peers.find((p) => p.peerId === B.peerId)!.queued.consensus === 0, "queue drains once B reads again");
  await waitFor(() => seen.length === a.net.stats().channels.consensus!.framesOut, "B processes what was sent");
  const inOrder = seen.every((s, i) => i === 0 || s > seen[i - 1]!);
  t.ok(inOrder, "what survives is still in order");
  t.equal(seen[seen.length - 1], total - 1, "the newest frame survived (drop-oldest)");
});

t.test("a peer that stops reading is disconnected under the 'disconnect' policy; frames sent before start() wait", async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const b = await startNode(B, [peerEntry(A), peerEntry(B)], {
    maxFrameBytes: 64 * 1024,
    handler: async () => {
      await gate;
    },
  });
  // A is built by hand: a small "disconnect" queue, a metrics sink, and frames queued before start().
  const metrics: { counters: Map<string, number>; gauges: Map<string, number> } = { counters: new Map(), gauges: new Map() };
  const key = (name: string, labels: Record<string, string>) => `${name}${JSON.stringify(labels)}`;
  const a = createP2P(
    { chainId: "test-chain", nodeKeySeed: A.seed, listen: LOOPBACK, peers: [peerEntry(A), peerEntry(B, b.net.listenAddrs())], redialBaseMs: 50, redialMaxMs: 500 },
    {
      logger: recordingLogger("val-a"),
      metrics: {
        incCounter: (name, labels, value) => void metrics.counters.set(key(name, labels), (metrics.counters.get(key(name, labels)) ?? 0) + value),
        setGauge: (name, labels, value) => void metrics.gauges.set(key(name, labels), value),
      },
      validateTx: () => "accept",
      serveBlocks: () => [],
    },
  );
  a.registerChannel<Msg>({
    name: "consensus",
    protocol: PROTOCOL,
    maxFrameBytes: 64 * 1024,
    decode: decodeMsg,
    handler: () => {},
    queue: { maxFrames: 64, overflow: "disconnect" },
  });
  t.teardown(async () => {
    release();
    await Promise.all([a.stop(), b.net.stop()]);
  });
  t.equal(a.send(B.peerId, "consensus", encodeMsg(0, "queued before start")), true);
  await a.start();
  await waitFor(() => metrics.counters.get(key("p2p_frames_sent_total", { channel: "consensus" })) === 1, "the early frame is sent once connected");
  t.equal(metrics.gauges.get(key("p2p_peers_connected", {})), 1, "peers gauge");

  // B's handler never returns: its stream pauses, yamux stops granting window, A's queue fills.
  const big = new Uint8Array(32 * 1024).fill(0x61);
  big.set(encodeMsg(1, ""), 0);
  await waitFor(() => {
    if (a.stats().slowPeerDisconnects > 0) return true;
    for (let i = 0; i < 16; i++) a.send(B.peerId, "consensus", big);
    return false;
  }, "A cuts B off");
  t.ok(a.stats().channels.consensus!.droppedQueueFull >= 64, "the whole queue was discarded");
  t.equal(metrics.counters.get(key("p2p_slow_peer_disconnects_total", { channel: "consensus" })), 1, "reported to the metrics sink");
  t.ok(
    [...metrics.counters.keys()].every((k) => P2P_METRICS.some((m) => k.startsWith(`${m.name}{`))),
    "every reported metric is declared in P2P_METRICS",
  );
  // The redialer brings B back.
  await waitFor(() => a.stats().dials >= 2 && a.connectedPeers().length === 1, "B reconnected");
});
