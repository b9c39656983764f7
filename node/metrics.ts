// The node's Prometheus metrics: one prom-client Registry per node (never the global one, so
// several nodes in one process, as in tests, keep their figures apart). Metric names carry their
// unit (STYLE rule 10). The consensus driver reports through DriverMetrics, the RPC through
// RpcMetrics; gauges of the node's state (height, view, mempool, peers) are sampled from its
// status at each scrape, so they are right even for blocks that arrived by state transfer.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RpcMetrics } from "../rpc/server.js";
import type { NodeStatus } from "./api.js";
import type { ExecutedBlock } from "./api.js";
import type { DriverMetrics } from "./driver/driver.js";
import { P2P_METRICS, type P2PMetrics } from "../p2p/index.js";

export interface NodeMetricsOptions {
  /** labels on every metric, e.g. { node: "bank-a" } */
  labels?: Record<string, string>;
  /** process metrics (CPU, memory, event loop lag, GC); default true */
  processMetrics?: boolean;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30];

export class NodeMetrics implements DriverMetrics, RpcMetrics {
  readonly registry = new Registry();
  private status: (() => NodeStatus) | undefined;

  private readonly height: Gauge;
  private readonly view: Gauge;
  private readonly viewChanges: Counter;
  private readonly batchesCutByPace: Counter;
  private readonly batchBound: Gauge;
  private readonly commitLatency: Histogram;
  private readonly blockExecute: Histogram;
  private readonly blockTxs: Histogram;
  private readonly txsCommitted: Counter;
  private readonly rejections: Counter<"code">;
  private readonly persist: Histogram;
  private readonly persistedRecords: Counter;
  private readonly mempoolTxs: Gauge;
  private readonly mempoolBytes: Gauge;
  private readonly peers: Gauge<"kind">;
  private readonly ready: Gauge;
  private readonly rpcDuration: Histogram<"method" | "route" | "status">;
  private readonly rpcStreams: Gauge;
  private readonly submissions: Counter<"outcome">;
  private signatureCacheSource: (() => { hits: number; misses: number }) | undefined;

  constructor(opts: NodeMetricsOptions = {}) {
    const r = this.registry;
    if (opts.labels) r.setDefaultLabels(opts.labels);
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: r });
    const self = this;
    const sample = (fn: (s: NodeStatus) => void) => () => {
      if (self.status) fn(self.status());
    };

    this.height = new Gauge({
      name: "tradeledger_block_height",
      help: "Height of the last executed and stored block",
      registers: [r],
      collect: sample((s) => this.height.set(Number(s.height))),
    });
    this.view = new Gauge({
      name: "tradeledger_pbft_view",
      help: "Current PBFT view",
      registers: [r],
      collect: sample((s) => s.view !== undefined && this.view.set(Number(s.view))),
    });
    this.viewChanges = new Counter({ name: "tradeledger_view_changes_total", help: "PBFT view changes this node went through", registers: [r] });
    this.batchesCutByPace = new Counter({
      name: "tradeledger_batches_cut_by_pace_total",
      help: "Batches this node cut as primary at its execution pace, below maxBatchTxs, so that a block executes within a quarter of the request timeout",
      registers: [r],
    });
    this.batchBound = new Gauge({ name: "tradeledger_batch_txs_bound", help: "The most transactions this node put in its last batch cut: maxBatchTxs, or fewer at its execution pace", registers: [r] });
    this.commitLatency = new Histogram({
      name: "tradeledger_commit_latency_seconds",
      help: "From this node proposing a batch (as primary) to the block being executed and stored",
      buckets: LATENCY_BUCKETS,
      registers: [r],
    });
    this.blockExecute = new Histogram({
      name: "tradeledger_block_execution_seconds",
      help: "Executing and atomically storing one committed block",
      buckets: LATENCY_BUCKETS,
      registers: [r],
    });
    this.blockTxs = new Histogram({ name: "tradeledger_block_transactions", help: "Transactions per committed block", buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: [r] });
    this.txsCommitted = new Counter({ name: "tradeledger_transactions_committed_total", help: "Transactions ordered in committed blocks (accepted or rejected)", registers: [r] });
    this.rejections = new Counter({
      name: "tradeledger_tx_rejections_total",
      help: "Committed transactions the ledger rejected, by receipt code",
      labelNames: ["code"],
      registers: [r],
    });
    this.persist = new Histogram({
      name: "tradeledger_consensus_persist_seconds",
      help: "fsync'd writes of consensus records before messages leave (persist-before-send)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [r],
    });
    this.persistedRecords = new Counter({ name: "tradeledger_consensus_records_persisted_total", help: "Consensus records written", registers: [r] });
    this.mempoolTxs = new Gauge({
      name: "tradeledger_mempool_transactions",
      help: "Transactions waiting in the mempool",
      registers: [r],
      collect: sample((s) => this.mempoolTxs.set(s.mempool.txs)),
    });
    this.mempoolBytes = new Gauge({
      name: "tradeledger_mempool_bytes",
      help: "Bytes of transactions waiting in the mempool",
      registers: [r],
      collect: sample((s) => this.mempoolBytes.set(s.mempool.bytes)),
    });
    this.peers = new Gauge({
      name: "tradeledger_peers",
      help: "Connected peers, by kind",
      labelNames: ["kind"],
      registers: [r],
      collect: sample((s) => {
        const validators = s.peers.filter((p) => p.validator).length;
        this.peers.set({ kind: "validator" }, validators);
        this.peers.set({ kind: "observer" }, s.peers.length - validators);
      }),
    });
    this.ready = new Gauge({
      name: "tradeledger_ready",
      help: "1 when the node accepts transactions (store open, consensus running, not halted)",
      registers: [r],
      collect: sample((s) => this.ready.set(s.ready ? 1 : 0)),
    });
    this.rpcDuration = new Histogram({
      name: "tradeledger_rpc_request_duration_seconds",
      help: "RPC requests by method, route and status (event streams: until the stream opened)",
      labelNames: ["method", "route", "status"],
      buckets: RPC_BUCKETS,
      registers: [r],
    });
    this.rpcStreams = new Gauge({ name: "tradeledger_rpc_event_streams", help: "Open server-sent event streams", registers: [r] });
    // Each signature should be checked once per node (admission or first sight in a batch); hits
    // are the checks a cache answered (batch validation, execution, gossip copies).
    const cacheSeen = { hits: 0, misses: 0 };
    const cacheCounter = (name: "hits" | "misses", help: string) => {
      const c: Counter = new Counter({
        name: `tradeledger_signature_cache_${name}_total`,
        help,
        registers: [r],
        collect: () => {
          const now = self.signatureCacheSource?.()[name];
          if (now !== undefined && now > cacheSeen[name]) {
            c.inc(now - cacheSeen[name]);
            cacheSeen[name] = now;
          }
        },
      });
      return c;
    };
    cacheCounter("hits", "Transaction signature checks answered by the node's cache of verified signatures");
    cacheCounter("misses", "Transaction signature checks that ran ed25519 verification");
    this.submissions = new Counter({
      name: "tradeledger_rpc_tx_submissions_total",
      help: "POST /v1/txs outcomes: admitted, committed, rejected, pending (wait timed out), refused:<admission code>",
      labelNames: ["outcome"],
      registers: [r],
    });
  }

  // ---- DriverMetrics ----------------------------------------------------------------------------

  blockCommitted(executed: ExecutedBlock, latencySeconds: number | undefined): void {
    this.height.set(Number(executed.header.height));
    if (latencySeconds !== undefined) this.commitLatency.observe(latencySeconds);
    const t = executed.timings;
    this.blockExecute.observe((t.prefetchMs + t.executeMs + t.stateRootMs + t.indexMs + t.writeMs) / 1000);
    this.blockTxs.observe(executed.receipts.length);
    this.txsCommitted.inc(executed.receipts.length);
    for (const r of executed.receipts) if (r.code !== "OK") this.rejections.inc({ code: r.code });
  }

  viewChanged(view: bigint): void {
    this.viewChanges.inc();
    this.view.set(Number(view));
  }

  batchCut(_txs: number, bound: number, byPace: boolean): void {
    this.batchBound.set(bound);
    if (byPace) this.batchesCutByPace.inc();
  }

  persisted(records: number, seconds: number): void {
    this.persist.observe(seconds);
    this.persistedRecords.inc(records);
  }

  // ---- RpcMetrics -------------------------------------------------------------------------------

  rpcRequest(method: string, route: string, status: number, seconds: number): void {
    this.rpcDuration.observe({ method, route, status: String(status) }, seconds);
  }

  eventStreams(count: number): void {
    this.rpcStreams.set(count);
  }

  txSubmitted(outcome: string): void {
    this.submissions.inc({ outcome });
  }

  sampleStatus(source: () => NodeStatus): void {
    this.status = source;
  }

  /** Hit and miss counts of the node's SignatureCache, read at each scrape. */
  sampleSignatureCache(source: () => { hits: number; misses: number }): void {
    this.signatureCacheSource = source;
  }

  private p2pSink: P2PMetrics | undefined;

  /** The sink p2p/ reports to: its metric definitions registered here, prefixed tradeledger_. */
  p2p(): P2PMetrics {
    if (this.p2pSink) return this.p2pSink;
    const counters = new Map<string, Counter<string>>();
    const gauges = new Map<string, Gauge<string>>();
    for (const def of P2P_METRICS) {
      const name = `tradeledger_${def.name}`;
      if (def.type === "counter") counters.set(def.name, new Counter({ name, help: def.help, labelNames: def.labelNames, registers: [this.registry] }));
      else gauges.set(def.name, new Gauge({ name, help: def.help, labelNames: def.labelNames, registers: [this.registry] }));
    }
    this.p2pSink = {
      incCounter: (name, labels, value) => counters.get(name)?.inc(labels, value),
      setGauge: (name, labels, value) => gauges.get(name)?.set(labels, value),
    };
    return this.p2pSink;
  }

  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
