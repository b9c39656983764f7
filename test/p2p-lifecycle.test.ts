// stop() releases everything: a child process runs three nodes through channels, gossip and
// sync, stops them, and must then exit on its own (no process.exit): any leaked socket, timer or
// stream would keep it alive. The watchdog only turns a hang into a readable failure.
import t from "tap";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { createP2P, type P2PNetwork, type PeerEntry } from "../p2p/index.js";
import { peerEntry, recordingLogger, testIdentity, waitFor, type TestIdentity } from "../tools/p2p-testing.js";

const CHILD_ENV = "TRADELEDGER_P2P_LIFECYCLE_CHILD";

if (process.env[CHILD_ENV] === "1") {
  await child();
} else {
  t.test("after stop() the process exits by itself and the ports are closed", async (t) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, [CHILD_ENV]: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on("exit", (c) => resolve(c)));
    t.equal(code, 0, `child exited cleanly\n${out}\n${err}`);
    t.match(out, /exchanged frames, gossip and blocks/);
    t.match(out, /all stopped/);
    t.match(out, /ports closed/);
  });
}

async function child(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.log("still alive 20 s after stop; active resources:", process.getActiveResourcesInfo());
    process.exit(3);
  }, 60_000);
  watchdog.unref();

  const ids = ["life-a", "life-b", "life-c"].map(testIdentity);
  const nets: P2PNetwork[] = [];
  const got: string[] = [];
  const start = async (id: TestIdentity, peers: PeerEntry[]) => {
    const net = createP2P(
      { chainId: "life", nodeKeySeed: id.seed, listen: ["/ip4/127.0.0.1/tcp/0"], peers },
      { logger: recordingLogger(id.name), validateTx: () => "accept", serveBlocks: (from) => [new Uint8Array([Number(from)])] },
    );
    net.registerChannel<string>({
      name: "consensus",
      protocol: "/tradeledger/life/1",
      maxFrameBytes: 100,
      decode: (b) => Buffer.from(b).toString(),
      handler: (_from, msg) => void got.push(msg),
    });
    net.onTx((_from, tx) => void got.push(Buffer.from(tx).toString()));
    await net.start();
    nets.push(net);
    return net;
  };
  const [A, B, C] = ids as [TestIdentity, TestIdentity, TestIdentity];
  const c = await start(C, [peerEntry(A), peerEntry(B), peerEntry(C)]);
  const b = await start(B, [peerEntry(A), peerEntry(B), peerEntry(C, c.listenAddrs())]);
  const a = await start(A, [peerEntry(A), peerEntry(B, b.listenAddrs()), peerEntry(C, c.listenAddrs())]);
  await waitFor(() => nets.every((n) => n.connectedPeers().length === 2), "mesh");
  a.broadcast("consensus", new TextEncoder().encode("frame"));
  await waitFor(() => got.filter((g) => g === "frame").length === 2, "frames");
  let i = 0;
  await waitFor(() => {
    if (got.some((g) => g.startsWith("tx"))) return true;
    void a.publishTx(new TextEncoder().encode(`tx${i++}`));
    return false;
  }, "gossip");
  const blocks = await a.requestBlocks(B.peerId, 5, 5);
  if (blocks.length !== 1 || blocks[0]![0] !== 5) throw new Error("sync failed");
  console.log("exchanged frames, gossip and blocks");

  const ports = nets.flatMap((n) => n.listenAddrs()).map((addr) => Number(/\/tcp\/(\d+)/.exec(addr)![1]));
  // Leave a frame queued for a peer and a sync request in flight while stopping.
  a.send(B.peerId, "consensus", new TextEncoder().encode("late"));
  const inflight = a.requestBlocks(C.peerId, 1, 1).catch(() => undefined);
  await Promise.all(nets.map((n) => n.stop()));
  await inflight;
  await Promise.all(nets.map((n) => n.stop())); // idempotent
  console.log("all stopped");
  for (const port of ports) {
    const refused = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: "127.0.0.1", port });
      sock.on("connect", () => {
        sock.destroy();
        resolve(false);
      });
      sock.on("error", () => resolve(true));
    });
    if (!refused) throw new Error(`port ${port} still accepts connections`);
  }
  console.log("ports closed");
}
