// Writes the seed corpus of each fuzz target (test/fuzz/corpus/<target>/): real inputs made by the
// project's own encoders - signed transactions of every family, the consensus messages, certified
// blocks and write-ahead records of a short simulated run, frames, and RPC requests. Run once when
// a format changes (`node dist/tools/fuzz/seeds.js`); the fuzzers grow the corpus from these.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeFrame } from "../../p2p/framing.js";
import { encodeCertifiedBlock, encodeConsensusMessage, encodeRecord } from "../../node/net/wire.js";
import { encodeEpochLinkFrame, encodeEpochLinksRequest } from "../../node/net/epoch-links.js";
import { Simulation } from "../../test/sim/simulator.js";
import type { ConsensusMessage } from "../../consensus/index.js";
import { toHex } from "../../sdk/bytes.js";
import { tx } from "../../sdk/builders.js";
import { signTx } from "../../sdk/tx.js";
import { encode } from "../../sdk/codec.js";
import type { TxPayload } from "../../sdk/transactions/index.js";
import { nodeCrypto } from "../../node/crypto.js";

import { CORPUS_ROOT } from "./corpus.js";

function write(target: string, inputs: Uint8Array[]): void {
  const dir = join(CORPUS_ROOT, target);
  mkdirSync(dir, { recursive: true });
  for (const data of inputs) writeFileSync(join(dir, createHash("sha1").update(data).digest("hex")), data);
  process.stdout.write(`${target}: ${inputs.length} seeds in ${dir}\n`);
}

const sim = new Simulation({ seed: 11n, replicas: 4, midStepCrash: 0 });
const messages = new Map<string, ConsensusMessage[]>();
const transmit = sim.transmit.bind(sim);
sim.transmit = (from: number, to: number, m: ConsensusMessage) => {
  const list = messages.get(m.type) ?? [];
  if (list.length < 3) messages.set(m.type, [...list, m]);
  transmit(from, to, m);
};
sim.start();
for (let i = 0; i < 12; i++) sim.schedule(50 * i, () => void sim.submit());
await sim.runUntil(1500);
// a view change: the primary goes away while work is pending
sim.crash(sim.nodes[1]!.replica!.primary);
for (let i = 0; i < 4; i++) sim.schedule(20 * i, () => void sim.submit());
await sim.runUntil(6000);
for (const n of sim.nodes) sim.restart(n.index);
await sim.runUntil(9000);

const txs = [...sim.submitted.values()].slice(0, 3).map((t) => t.bytes);
// one transaction of several families, built and checked by the SDK's builders
const seed = new Uint8Array(32).fill(9);
const h = (b: number) => new Uint8Array(32).fill(b);
const payloads: TxPayload[] = [
  tx.registerReceivable({ documentHash: h(1), fingerprint: h(2), buyerId: "BUYER-1", amount: 1_000_000n, currency: "USD", issueDate: "2026-01-05", dueDate: "2026-04-05" }),
  tx.attestShipment({ declarationFingerprint: h(3), declarationHash: h(4), exporterId: "exporter-hz-textiles", declaredValue: 1_000_000n, currency: "USD", exportDate: "2026-01-06", receivableIds: [toHex(h(5))] }),
  tx.financeReceivable({ receivableId: toHex(h(5)), amount: 600_000n, currency: "EUR" }),
  tx.anchorDocument({ documentHash: h(6), documentType: "BILL_OF_LADING", receivableId: toHex(h(5)) }),
];
for (const [i, payload] of payloads.entries()) {
  txs.push(signTx(nodeCrypto, { chainId: "tradeledger-fuzz", signer: "exporter-hz-textiles", createdAt: 1_767_225_600_000n + BigInt(i), nonce: new Uint8Array(16).fill(i), payload }, seed).bytes);
}
write("tx-decoder", txs);
const wire: Uint8Array[] = [];
for (const [, list] of messages) for (const m of list) wire.push(Uint8Array.of(0, ...encodeConsensusMessage(m)));
const node = sim.nodes.find((n) => n.chain.size > 0)!;
for (const b of [...node.chain.values()].slice(0, 3)) {
  wire.push(Uint8Array.of(2, ...encodeCertifiedBlock({ height: b.seq, time: b.timestamp, view: b.view, txs: b.txs.map((t) => t.bytes), certificate: b.certificate, headerHash: b.stateDigest })));
}
const kinds = new Set<string>();
for (const n of sim.nodes) {
  for (const r of n.records) {
    if (kinds.has(r.kind)) continue;
    kinds.add(r.kind);
    wire.push(Uint8Array.of(3, ...encodeRecord(r)));
  }
}
write("consensus-wire", wire);
process.stdout.write(`  message types: ${[...messages.keys()].join(", ")}; record kinds: ${[...kinds].join(", ")}\n`);

const frames = (control: number, payloads: Uint8Array[]) => Uint8Array.of(control, ...payloads.flatMap((p) => [...encodeFrame(p)]));
write("frame-reader", [
  frames(0, [new Uint8Array(0), Uint8Array.of(1, 2, 3)]),
  frames(1, [new Uint8Array(300).fill(7), new Uint8Array(0)]),
  frames(6, [encodeConsensusMessage(messages.get("prepare")![0]!)]),
  Uint8Array.of(1, 0xff, 0xff, 0xff, 0x1f, 1, 2, 3),
  Uint8Array.of(0, 0x80, 0x00),
]);

const enc = (mode: number, pick: number, s: string) => Uint8Array.of(mode, pick, ...new TextEncoder().encode(s));
write("rpc-edge", [
  enc(0, 0, JSON.stringify({ tx: toHex(txs[0]!) })),
  enc(0, 0, '{"tx":"00"}'),
  enc(1, 0, "limit=10&cursor=abc"),
  enc(1, 1, "exporter=exporter-hz-textiles&limit=5"),
  enc(1, 2, "wait=commit"),
  enc(2, 0, "18446744073709551616"),
  enc(2, 1, "a".repeat(64)),
  enc(2, 3, "12/abc"),
]);

const batch = (form: "json" | "protobuf", list: Uint8Array[]) =>
  form === "json" ? Uint8Array.of(0, ...new TextEncoder().encode(JSON.stringify({ txs: list.map(toHex) }))) : Uint8Array.of(1, ...encode("TxSubmission", { txs: list }));
write("rpc-batch", [
  batch("json", txs.slice(0, 3)),
  batch("protobuf", txs.slice(0, 3)),
  batch("protobuf", [txs[0]!, Uint8Array.of(0x0a, 0x01), txs[0]!]),
  batch("json", [txs[1]!, new Uint8Array(0)]),
  Uint8Array.of(1),
  Uint8Array.of(0, ...new TextEncoder().encode('{"txs":[]}')),
]);

// epoch links on request: requests (kind 0) and link frames (kind 1) of the shapes a node sends
const kind = (k: number, bytes: Uint8Array) => Uint8Array.of(k, ...bytes);
const signature = new Uint8Array(64).fill(3);
write("epoch-links-wire", [
  kind(0, encodeEpochLinksRequest({ after: 0n, maxLinks: 64 })),
  kind(0, encodeEpochLinksRequest({ after: 7n, maxLinks: 1 })),
  kind(1, encodeEpochLinkFrame({
    epoch: 2n,
    checkpoint: { epoch: 1n, seq: 40n, timestamp: 1_700_000_000_000n, blockHash: new Uint8Array(32).fill(1), signatures: [{ replica: 0, signature }, { replica: 2, signature }] },
    header: new Uint8Array(90).fill(5),
    setRecord: new Uint8Array(40).fill(6),
    proof: { depth: 3, entries: new Uint8Array(64).fill(7), siblings: new Uint8Array(96).fill(8) },
  })),
  kind(1, encodeEpochLinkFrame({ epoch: 1n, checkpoint: { seq: 15n, timestamp: 1n, blockHash: new Uint8Array(32), signatures: [] }, header: new Uint8Array(0), setRecord: new Uint8Array(0), proof: { depth: 0, entries: new Uint8Array(0), siblings: new Uint8Array(0) } })),
]);
