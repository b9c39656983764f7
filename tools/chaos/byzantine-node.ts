#!/usr/bin/env node
// A Byzantine validator for the fault campaign, never part of the production CLI: the same
// TradeLedgerNode (same store, ledger, p2p, RPC), with its consensus traffic rewritten through
// NodeOptions.consensusTap (node/node.ts). CometBFT's byzantine_test.go overrides one step of an
// otherwise honest node in the same way. Behaviours (--modes, comma-separated):
//   equivocate  as primary, sends one batch to some replicas and another valid batch (one
//               transaction fewer, or another timestamp) for the same view and sequence number to
//               the others, both signed; as a backup, prepares and commits a wrong digest to some
//               replicas; checkpoints a wrong state digest to some replicas
//   garbage     frames of random bytes, real frames with flipped bytes or cut short, messages with
//               a zeroed signature or another replica's index
//   replay      re-sends old messages (its own and other validators', all validly signed) to random
//               peers: earlier views, sequence numbers below the water marks, stale checkpoints
// Every message it actually sends that it signed (forged or not) goes to --evidence as JSON lines
// (the format of node/driver/signed-log.ts), so the campaign can check that its conflict detector sees
// this node's equivocations (and that honest nodes have none).
//   node dist/tools/chaos/byzantine-node.js --modes equivocate,replay --seed 7 --evidence f --config node.json
import "../../p2p/polyfill.js";
import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import { batchDigest } from "../../sdk/commit.js";
import { decodeTx } from "../../sdk/tx.js";
import { signingBytes, type ConsensusMessage, type SignedMessage } from "../../consensus/index.js";
import { loadGenesis, loadKeyFile, loadNodeConfig } from "../../config/load.js";
import { nodeCrypto } from "../../node/crypto.js";
import { NodeMetrics } from "../../node/metrics.js";
import { TradeLedgerNode, type ConsensusTap } from "../../node/node.js";
import type { ConsensusTransport } from "../../node/driver/driver.js";
import { signedEntries } from "../../node/driver/signed-log.js";
import { rfc6962Root } from "../../node/store/hash.js";
import { decodeBatch, decodeConsensusMessage, encodeBatch, encodeConsensusMessage } from "../../node/net/wire.js";
import { rpcFactory } from "../../rpc/server.js";
import { prng } from "./prng.js";

export type ByzantineMode = "equivocate" | "garbage" | "replay";
export const BYZANTINE_MODES: readonly ByzantineMode[] = ["equivocate", "garbage", "replay"];

interface Options {
  modes: Set<ByzantineMode>;
  seed: number;
  evidence: string | undefined;
  config: string;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const config = get("--config");
  if (!config) throw new Error("usage: byzantine-node --modes equivocate,garbage,replay [--seed n] [--evidence file] --config node.json");
  const modes = new Set((get("--modes") ?? "equivocate,garbage,replay").split(",").filter(Boolean) as ByzantineMode[]);
  for (const m of modes) if (!BYZANTINE_MODES.includes(m)) throw new Error(`unknown mode ${m}`);
  const evidence = get("--evidence");
  return { modes, seed: Number(get("--seed") ?? 1), evidence: evidence ? resolve(evidence) : undefined, config: resolve(config) };
}

/** Rewrites one validator's consensus traffic; `counts` says what it did. */
export class ByzantineTap implements ConsensusTap {
  readonly counts = { equivocatedPrePrepares: 0, conflictingVotes: 0, lyingCheckpoints: 0, garbageFrames: 0, replayedFrames: 0 };
  private readonly rand: () => number;
  private readonly history: Uint8Array[] = [];
  private inner?: ConsensusTransport;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly opts: { modes: Set<ByzantineMode>; seed: number; chainId: string; n: number; self: number; nodeSeed: Uint8Array; evidence?: string; log: (msg: string, fields: Record<string, unknown>) => void },
  ) {
    this.rand = prng(opts.seed);
  }

  outbound(inner: ConsensusTransport): ConsensusTransport {
    this.inner = inner;
    if (this.opts.modes.has("garbage")) this.every(250, () => this.sendGarbage());
    if (this.opts.modes.has("replay")) this.every(200, () => this.replay());
    return {
      sendTo: (replica, bytes) => this.send([replica], bytes),
      broadcast: (bytes) => this.send(this.others(), bytes),
    };
  }

  inbound(_from: number, message: ConsensusMessage): boolean {
    if (this.opts.modes.has("replay") && message.type !== "status") this.remember(encodeConsensusMessage(message));
    return true;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  // ---- outbound rewriting -------------------------------------------------------------------

  private send(to: number[], bytes: Uint8Array): void {
    const inner = this.inner!;
    const m = this.opts.modes.has("equivocate") || this.opts.modes.has("replay") ? decodeConsensusMessage(bytes, this.opts.n) : undefined;
    if (m && !(m instanceof Error)) {
      if (m.type !== "status") this.remember(bytes);
      if (this.opts.modes.has("equivocate") && to.length >= 2) {
        const forged = this.forge(m);
        if (forged) {
          // Split the recipients: at least one gets each version.
          const shuffled = [...to].sort(() => this.rand() - 0.5);
          const cut = 1 + Math.floor(this.rand() * (shuffled.length - 1));
          this.evidence(m);
          this.evidence(forged);
          const forgedBytes = encodeConsensusMessage(forged);
          shuffled.forEach((r, k) => inner.sendTo(r, k < cut ? bytes : forgedBytes));
          return;
        }
      }
      this.evidence(m);
    }
    for (const r of to) inner.sendTo(r, bytes);
  }

  /** A conflicting, validly signed version of one of our own messages, or undefined. */
  private forge(m: ConsensusMessage): SignedMessage | undefined {
    const { self, chainId } = this.opts;
    switch (m.type) {
      case "pre-prepare": {
        if (m.replica !== self || m.payload.length === 0) return undefined;
        let raw: Uint8Array[];
        try {
          raw = decodeBatch(m.payload);
        } catch {
          return undefined;
        }
        // Another valid batch: one transaction fewer, or the same ones a millisecond later.
        const txs = raw.length >= 2 ? raw.slice(0, raw.length - 1) : raw;
        const timestamp = raw.length >= 2 ? m.timestamp : m.timestamp + 1n;
        const payload = encodeBatch(txs);
        const txsRoot = rfc6962Root(txs.map((b) => decodeTx(nodeCrypto, b).hash));
        const digest = batchDigest(nodeCrypto.sha256, { chainId, height: m.seq, time: timestamp, txsRoot });
        this.counts.equivocatedPrePrepares++;
        return this.sign({ ...m, timestamp, digest, payload });
      }
      case "prepare":
      case "commit": {
        if (m.replica !== self || this.rand() < 0.5) return undefined;
        this.counts.conflictingVotes++;
        return this.sign({ ...m, digest: nodeCrypto.sha256(m.digest) });
      }
      case "checkpoint": {
        if (m.replica !== self) return undefined;
        this.counts.lyingCheckpoints++;
        return this.sign({ ...m, stateDigest: nodeCrypto.sha256(m.stateDigest) });
      }
      default:
        return undefined;
    }
  }

  private sign<M extends SignedMessage>(m: M): M {
    const signature = nodeCrypto.sign(this.opts.nodeSeed, signingBytes(this.opts.chainId, nodeCrypto.sha256, m));
    return { ...m, signature };
  }

  private evidence(m: ConsensusMessage): void {
    if (!this.opts.evidence) return;
    const lines = signedEntries(this.opts.chainId, this.opts.self, m).map((e) => `{"t":${Date.now()},"pid":${process.pid},"k":"${e.k}","d":"${e.d}"}\n`);
    if (lines.length) appendFileSync(this.opts.evidence, lines.join(""));
  }

  // ---- garbage and replays ------------------------------------------------------------------

  private sendGarbage(): void {
    const to = this.others()[Math.floor(this.rand() * (this.opts.n - 1))]!;
    const kind = Math.floor(this.rand() * 5);
    let bytes: Uint8Array;
    const sample = this.history.length > 0 ? this.history[Math.floor(this.rand() * this.history.length)]! : undefined;
    if (kind === 0 || !sample) {
      bytes = this.randomBytes(1 + Math.floor(this.rand() * 2000));
    } else if (kind === 1) {
      bytes = Uint8Array.from(sample);
      for (let k = 0; k < 1 + Math.floor(this.rand() * 4); k++) bytes[Math.floor(this.rand() * bytes.length)]! ^= 1 + Math.floor(this.rand() * 255);
    } else if (kind === 2) {
      bytes = sample.subarray(0, Math.floor(this.rand() * sample.length));
    } else {
      const m = decodeConsensusMessage(sample, this.opts.n);
      if (m instanceof Error || m.type === "committed" || m.type === "new-view") {
        bytes = this.randomBytes(64);
      } else if (kind === 3) {
        bytes = encodeConsensusMessage({ ...m, signature: new Uint8Array(64) } as ConsensusMessage);
      } else {
        // a message claiming to come from another replica (its signature is ours, so it fails)
        bytes = encodeConsensusMessage({ ...m, replica: (m.replica + 1) % this.opts.n } as ConsensusMessage);
      }
    }
    this.counts.garbageFrames++;
    this.inner!.sendTo(to, bytes);
  }

  private replay(): void {
    if (this.history.length === 0) return;
    const k = 1 + Math.floor(this.rand() * 8);
    for (let j = 0; j < k; j++) {
      const frame = this.history[Math.floor(this.rand() * this.history.length)]!;
      const to = this.others()[Math.floor(this.rand() * (this.opts.n - 1))]!;
      this.counts.replayedFrames++;
      this.inner!.sendTo(to, frame);
    }
  }

  private remember(bytes: Uint8Array): void {
    if (bytes.length > 1 << 20) return;
    if (this.history.length < 4000) this.history.push(bytes);
    else this.history[Math.floor(this.rand() * this.history.length)] = bytes;
  }

  private randomBytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let k = 0; k < n; k++) b[k] = Math.floor(this.rand() * 256);
    return b;
  }

  private others(): number[] {
    return Array.from({ length: this.opts.n }, (_, i) => i).filter((i) => i !== this.opts.self);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(() => {
      try {
        fn();
      } catch (err) {
        this.opts.log("byzantine action failed", { err: (err as Error).message });
      }
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const config = loadNodeConfig(opts.config);
  const genesis = loadGenesis(config.genesisFile);
  const key = loadKeyFile(config.nodeKeyFile!);
  const self = genesis.validators.findIndex((v) => v.id === config.validatorId);
  if (self < 0) throw new Error(`${config.validatorId} is not a genesis validator`);
  const log = (msg: string, fields: Record<string, unknown>) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), node: config.validatorId, byzantine: true, msg, ...fields }) + "\n");
  const tap = new ByzantineTap({
    modes: opts.modes,
    seed: opts.seed,
    chainId: genesis.chainId,
    n: genesis.validators.length,
    self,
    nodeSeed: key.seed,
    ...(opts.evidence ? { evidence: opts.evidence } : {}),
    log,
  });
  log("byzantine build starting", { modes: [...opts.modes], seed: opts.seed, evidence: opts.evidence });
  const metrics = new NodeMetrics();
  const node = await TradeLedgerNode.fromConfigFile(opts.config, { rpc: rpcFactory({ metrics }), metrics, consensusTap: tap });
  const report = setInterval(() => log("byzantine counts", { ...tap.counts }), 2000);
  report.unref();
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    tap.stop();
    log("byzantine counts", { ...tap.counts, final: true });
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1]?.endsWith("byzantine-node.js")) {
  main().catch((err) => {
    const e = err as Error & { code?: string };
    process.stderr.write(`error: ${e.code ? `[${e.code}] ` : ""}${e.message}\n`);
    process.exit(1);
  });
}
