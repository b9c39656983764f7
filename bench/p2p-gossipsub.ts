// Measurement script (not a test, not used by the node): @libp2p/gossipsub transaction
// throughput between two local nodes, for comparison with the channel flood that p2p uses
// (docs/p2p.md, "Transaction gossip").
//   npm run build && node dist/bench/p2p-gossipsub.js [txs] [bytes]
import "../p2p/polyfill.js";
import { performance } from "node:perf_hooks";
import { createLibp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { gossipsub } from "@libp2p/gossipsub";
import { serviceCapabilities, type Connection, type Libp2pEvents, type PeerStore, type TypedEventTarget } from "@libp2p/interface";
import { privateKeyFromNodeSeed } from "../p2p/identity.js";
import { testIdentity, waitFor } from "../tools/p2p-testing.js";

const TXS = Number(process.argv[2] ?? 20_000);
const SIZE = Number(process.argv[3] ?? 512);
const TOPIC = "/tradeledger/tx/1/bench";

// gossipsub only learns of peers from 'peer:identify' events and requires a service with the
// '@libp2p/identify' capability; @libp2p/identify is not installed, so this stand-in announces
// that every connected peer speaks our protocols.
class StaticIdentify {
  readonly [serviceCapabilities] = ["@libp2p/identify"];
  constructor(private readonly c: { events: TypedEventTarget<Libp2pEvents>; peerStore: PeerStore; registrar: { getProtocols(): string[] } }) {}
  start(): void {
    this.c.events.addEventListener("connection:open", this.onOpen);
  }
  stop(): void {
    this.c.events.removeEventListener("connection:open", this.onOpen);
  }
  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const connection = evt.detail;
    const protocols = this.c.registrar.getProtocols();
    void this.c.peerStore.merge(connection.remotePeer, { protocols }).then(() => {
      this.c.events.safeDispatchEvent("peer:identify", { detail: { peerId: connection.remotePeer, protocols, listenAddrs: [], connection } });
    });
  };
}

async function node(name: string) {
  return createLibp2p({
    privateKey: await privateKeyFromNodeSeed(testIdentity(name).seed),
    addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: (c: ConstructorParameters<typeof StaticIdentify>[0]) => new StaticIdentify(c),
      pubsub: gossipsub({ globalSignaturePolicy: "StrictNoSign", allowPublishToZeroTopicPeers: true, floodPublish: true, emitSelf: false, scoreParams: { IPColocationFactorWeight: 0 } }),
    },
  });
}

const a = await node("gs-a");
const b = await node("gs-b");
let received = 0;
b.services.pubsub.addEventListener("message", () => void received++);
a.services.pubsub.subscribe(TOPIC);
b.services.pubsub.subscribe(TOPIC);
await a.dial(b.getMultiaddrs()[0]!);
let probe = 0;
await waitFor(() => {
  if (received > 0) return true;
  void a.services.pubsub.publish(TOPIC, new TextEncoder().encode(`probe-${probe++}`));
  return false;
}, "gossipsub mesh");
const base = received;
const t0 = performance.now();
for (let i = 0; i < TXS; i += 100) {
  const batch: Promise<unknown>[] = [];
  for (let j = i; j < Math.min(TXS, i + 100); j++) {
    const tx = new Uint8Array(SIZE);
    new DataView(tx.buffer).setUint32(0, j);
    batch.push(a.services.pubsub.publish(TOPIC, tx));
  }
  await Promise.all(batch);
}
await waitFor(() => received - base === TXS, "all delivered", 600_000);
const secs = (performance.now() - t0) / 1000;
console.log(`gossipsub, ${SIZE} B txs: ${Math.round(TXS / secs).toLocaleString("en")} tx/s delivered (${TXS} in ${secs.toFixed(2)} s)`);
await a.stop();
await b.stop();
