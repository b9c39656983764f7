// Measurement script (not a test): frames/s and round-trip latency over one long-lived channel
// stream between two local nodes, plus gossip throughput.
//   npm run build && node dist/bench/p2p-channel.js [frames] [roundTrips]
import "../p2p/polyfill.js";
import { performance } from "node:perf_hooks";
import { createP2P } from "../p2p/network.js";
import { peerEntry, testIdentity, waitFor } from "../tools/p2p-testing.js";
import type { P2PNetwork, PeerRef } from "../p2p/types.js";

const FRAMES = Number(process.argv[2] ?? 200_000);
const ROUND_TRIPS = Number(process.argv[3] ?? 5_000);

interface Bench {
  a: P2PNetwork;
  b: P2PNetwork;
  received: { n: number; bytes: number };
  echoes: (() => void)[];
  txs: { n: number };
}

async function setup(): Promise<Bench> {
  const A = testIdentity("bench-a");
  const B = testIdentity("bench-b");
  const received = { n: 0, bytes: 0 };
  const echoes: (() => void)[] = [];
  const txs = { n: 0 };
  const make = (id: typeof A, peers: ReturnType<typeof peerEntry>[], role: "a" | "b"): P2PNetwork => {
    let self!: P2PNetwork;
    const net = createP2P(
      { chainId: "bench", nodeKeySeed: id.seed, listen: ["/ip4/127.0.0.1/tcp/0"], peers, gossip: { maxTxBytes: 64 * 1024 } },
      { validateTx: () => "accept", serveBlocks: () => [] },
    );
    self = net;
    net.registerChannel<Uint8Array>({
      name: "bulk",
      protocol: "/tradeledger/bench-bulk/1",
      maxFrameBytes: 1024 * 1024,
      decode: (b) => b,
      handler: (_from, msg) => {
        received.n++;
        received.bytes += msg.length;
      },
      queue: { maxFrames: 1_000_000, maxBytes: 512 * 1024 * 1024 },
    });
    net.registerChannel<Uint8Array>({
      name: "ping",
      protocol: "/tradeledger/bench-ping/1",
      maxFrameBytes: 64 * 1024,
      decode: (b) => b,
      // B echoes, A resolves the waiting round trip.
      handler: (from: PeerRef, msg) => {
        if (role === "b") self.send(from.peerId, "ping", msg);
        else echoes.shift()?.();
      },
    });
    net.onTx(() => void txs.n++);
    return net;
  };
  const b = make(B, [peerEntry(A), peerEntry(B)], "b");
  await b.start();
  const a = make(A, [peerEntry(A), peerEntry(B, b.listenAddrs())], "a");
  await a.start();
  await waitFor(() => a.connectedPeers().length === 1 && b.connectedPeers().length === 1, "connected");
  return { a, b, received, echoes, txs };
}

async function throughput(bench: Bench, size: number, frames: number): Promise<void> {
  const { a, received } = bench;
  const peer = a.connectedPeers()[0]!.peerId;
  const payload = new Uint8Array(size).fill(0x5a);
  const start0 = received.n;
  const t0 = performance.now();
  let sent = 0;
  // Offer frames as fast as the queue drains (keep at most ~8 MiB queued; nothing is dropped).
  const maxQueued = Math.max(64, Math.floor((8 * 1024 * 1024) / size));
  while (sent < frames) {
    const queued = a.stats().peers[0]!.queued.bulk ?? 0;
    const burst = Math.min(frames - sent, maxQueued - queued);
    for (let i = 0; i < burst; i++) a.send(peer, "bulk", payload);
    sent += Math.max(0, burst);
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => received.n - start0 === frames, "all frames received", 600_000);
  const secs = (performance.now() - t0) / 1000;
  const dropped = a.stats().channels.bulk!.droppedQueueFull;
  console.log(
    `one stream, ${String(size).padStart(6)} B frames: ${Math.round(frames / secs).toLocaleString("en")} frames/s, ${((frames * size) / secs / 1024 / 1024).toFixed(1)} MiB/s payload (${frames} frames in ${secs.toFixed(2)} s, dropped ${dropped})`,
  );
}

async function latency(bench: Bench, size: number, n: number): Promise<void> {
  const { a, echoes } = bench;
  const peer = a.connectedPeers()[0]!.peerId;
  const payload = new Uint8Array(size).fill(1);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      echoes.push(resolve);
      if (!a.send(peer, "ping", payload)) reject(new Error("ping refused"));
    });
    samples.push(performance.now() - t0);
  }
  samples.sort((x, y) => x - y);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(3);
  const mean = (samples.reduce((s, x) => s + x, 0) / samples.length).toFixed(3);
  console.log(`round trip, ${size} B frame, ${n} sequential pings: mean ${mean} ms, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`);
}

async function gossip(bench: Bench, n: number, size: number): Promise<void> {
  const { a, txs } = bench;
  const base = txs.n;
  const t0 = performance.now();
  // Publish in bursts of 100 (as RPC admission would), yielding to the event loop in between.
  for (let i = 0; i < n; i += 100) {
    for (let j = i; j < Math.min(n, i + 100); j++) {
      const tx = new Uint8Array(size);
      new DataView(tx.buffer).setUint32(0, j); // distinct content: ids are sha256(data)
      a.publishTx(tx);
    }
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => txs.n - base === n, "all txs gossiped", 600_000);
  const secs = (performance.now() - t0) / 1000;
  console.log(`gossip, ${size} B txs: ${Math.round(n / secs).toLocaleString("en")} tx/s delivered (${n} in ${secs.toFixed(2)} s)`);
}

const only = process.env.P2P_MEASURE_ONLY;
const bench = await setup();
if (only === "gossip") {
  await gossip(bench, 20_000, 512);
  await bench.a.stop();
  await bench.b.stop();
  process.exit(0);
}
console.log(`node ${process.version}, libp2p 3 (TCP + noise + yamux), 127.0.0.1, one process`);
await latency(bench, 64, 500); // warm-up
await latency(bench, 256, ROUND_TRIPS);
await latency(bench, 4096, ROUND_TRIPS);
for (const size of [128, 1024, 16 * 1024]) await throughput(bench, size, size >= 16 * 1024 ? Math.floor(FRAMES / 8) : FRAMES);
await gossip(bench, 20_000, 512);
await bench.a.stop();
await bench.b.stop();
