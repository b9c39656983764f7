// The network benchmark's load generator, a process of its own (forked by bench/network.ts) so
// that its work is measured apart from the nodes'. It submits pre-signed transactions of deals
// (bench/deals.ts) to the validators' RPC with POST /v1/txs?wait=commit over keep-alive HTTP and
// times each one from submission to its receipt:
//   - closed loop: `clients` loops, each submitting its next transaction as soon as the previous
//     one has its receipt (throughput at saturation);
//   - batch (closed loop): `clients` loops, each submitting the next steps of `batchSize` deals in
//     one POST /v1/txs/batch?wait=commit (protobuf or JSON body) as soon as the previous batch is
//     answered; a transaction's latency is its batch's, since the answer comes when all are in;
//   - open loop: transactions leave at a constant `rate` whatever the answers (latency at an
//     offered load); latency counts from the scheduled send time, so a generator that falls
//     behind shows up in the figures instead of hiding them (no coordinated omission).
// Every answer is checked against the code the deal expects; deals advance only on a match.
//
// Protocol with the parent (IPC): init -> ready; prepare(phase) -> prepared; run(phase) ->
// window-start, window-end(stats), drained(stats); finish -> final(report).
import { Agent, request, type ClientRequest } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fromHex, toHex } from "../sdk/bytes.js";
import { encode } from "../sdk/codec.js";
import { createClient } from "../sdk/client.js";
import { LedgerError } from "../sdk/errors.js";
import { signerFromSeed } from "../sdk/signer.js";
import { nodeCrypto } from "../node/crypto.js";
import { DealFactory, type BenchParty, type Deal, type Step, type StepKind } from "./deals.js";
import { refusedBeforeAdmission } from "./verdict.js";

export type PhaseMode = "closed" | "open" | "batch";

export interface LoadConfig {
  urls: string[];
  chainId: string;
  parties: { id: string; role: BenchParty["role"]; seedHex: string }[];
  fraudRate: number;
  /** how long the node waits for the commit before answering 202 (ms) */
  waitMs: number;
  runTag: string;
  /** open connections per node at most */
  maxSocketsPerNode: number;
}

export interface PhaseSpec {
  name: string;
  mode: PhaseMode;
  clients: number;
  /** batch: transactions per request */
  batchSize: number;
  /** batch: the request body */
  batchBody: "protobuf" | "json";
  /** open loop: transactions per second offered */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** deals to sign before the phase starts */
  presignDeals: number;
}

export interface PhaseStats {
  name: string;
  mode: PhaseMode;
  windowMs: number;
  /** answers with a receipt (the transaction was ordered, accepted or rejected) inside the window */
  committed: number;
  /** open loop: transactions scheduled inside the window */
  offered: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number; count: number };
  /** open loop: how late the generator sent, p99 (ms) */
  sendLagP99Ms: number;
  inFlightAtEnd: number;
  byKind: Record<string, number>;
  generatorCpuSeconds: number;
  generatorEventLoopP99Ms: number;
  dealsSignedDuringRun: number;
}

export interface FinalReport {
  submitted: number;
  answered: number;
  /** receipt codes by step kind: kind -> code -> count */
  codes: Record<string, Record<string, number>>;
  /** answers whose code was not the expected one (fraud accepted, legitimate refused, ...) */
  unexpected: number;
  /** legitimate transactions that did not get OK */
  legitimateRefused: number;
  /** fraudulent attempts that did not get their rejection code */
  fraudNotRejected: number;
  /** submissions answered without a receipt (admission refusal, 202 still pending, network error), by reason */
  noReceipt: Record<string, number>;
  /** of those, found committed afterwards with the expected code */
  recoveredLater: number;
  /**
   * of those, the ones a node refused before admitting them (an HTTP error with the node's code, or
   * 408: the node never read the whole request) and that indeed never committed: load shed, which is
   * correct. Counted apart from `lost`.
   */
  shed: number;
  /**
   * the transactions that may have been admitted (202 pending, no answer, a connection reset after the
   * request went out) and were not found committed with the expected code, or whose lookup failed:
   * what the correctness verdict counts
   */
  lost: number;
  mismatches: string[];
  deals: { built: number; completed: number; dropped: number };
  /** submissions sent again after ECONNRESET on a reused connection */
  retries: number;
  generatorCpuSeconds: number;
}

type Msg =
  | { type: "init"; config: LoadConfig }
  | { type: "prepare"; phase: PhaseSpec }
  | { type: "run"; phase: PhaseSpec }
  | { type: "finish" };

const send = (m: unknown) => process.send!(m);
/** the error a request withdrawn before it was written out is destroyed with */
const NEVER_SENT = new Error("never sent");

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Answer {
  /** receipt code, or undefined when there was no receipt */
  code?: string;
  /** why there is no receipt: HTTP status + error code, "pending", "network" */
  reason?: string;
}

class Generator {
  private readonly agents: Agent[];
  private readonly hosts: { hostname: string; port: number }[];
  private readonly factory: DealFactory;
  private readonly pool: Deal[] = [];
  private readonly ready: Deal[] = [];
  private readonly lag = monitorEventLoopDelay({ resolution: 5 });
  private inFlight = 0;
  private submitted = 0;
  private retries = 0;
  private answered = 0;
  private signedDuringRun = 0;
  private readonly codes: Record<string, Record<string, number>> = {};
  private unexpected = 0;
  private legitimateRefused = 0;
  private fraudNotRejected = 0;
  private readonly noReceipt: Record<string, number> = {};
  /** steps answered without a receipt, with the answer's reason; looked up at finish */
  private readonly unresolved: { step: Step; reason: string }[] = [];
  private readonly pending = new Set<Step>();
  /** steps whose request was written out to a node (not still queued in the agent for a free socket) */
  private readonly written = new WeakSet<Step>();
  /** requests not yet written out (queued in an agent for a socket): withdrawn when the run ends */
  private readonly unsent = new Set<ClientRequest>();
  private readonly mismatches: string[] = [];
  /** the lookups of unresolved transactions that found nothing, by why */
  private readonly notFound: Record<string, number> = {};
  private readonly deals = { built: 0, completed: 0, dropped: 0 };
  private readonly cpu0 = process.cpuUsage();
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly config: LoadConfig) {
    // Bounded connections per node: past it requests queue in the agent (and their latency, counted
    // from the scheduled send time, shows it) instead of opening thousands of sockets the server's
    // accept queue cannot take.
    this.agents = config.urls.map(() => new Agent({ keepAlive: true, maxSockets: config.maxSocketsPerNode, keepAliveMsecs: 10_000 }));
    this.hosts = config.urls.map((u) => {
      const url = new URL(u);
      return { hostname: url.hostname, port: Number(url.port) };
    });
    const parties: BenchParty[] = config.parties.map((p) => ({ id: p.id, role: p.role, seed: fromHex(p.seedHex) }));
    this.factory = new DealFactory({ crypto: nodeCrypto, chainId: config.chainId, parties, fraudRate: config.fraudRate, runTag: config.runTag });
  }

  prepare(deals: number): { deals: number; ms: number } {
    const t0 = performance.now();
    for (let i = 0; i < deals; i++) this.pool.push(this.factory.build());
    this.deals.built += deals;
    return { deals: this.pool.length, ms: performance.now() - t0 };
  }

  private nextStep(): { deal: Deal; step: Step } {
    let deal = this.ready.shift();
    if (!deal) {
      deal = this.pool.shift();
      if (!deal) {
        deal = this.factory.build();
        this.deals.built++;
        this.signedDuringRun++;
      }
    }
    return { deal, step: deal.steps[deal.next]! };
  }

  /**
   * POST with up to three retries when a kept-alive connection was closed by the server just as the request
   * went out (ECONNRESET on a reused socket): resubmitting is safe, the node answers a copy of a
   * pending or committed transaction like the original.
   */
  private async post(node: number, body: Buffer, onWritten: () => void): Promise<Answer> {
    let answer = await this.postOnce(node, body, onWritten);
    // The retry may meet another idle socket the server is closing, hence a few tries.
    for (let tries = 0; tries < 3 && answer.reason === "network ECONNRESET"; tries++) {
      this.retries++;
      answer = await this.postOnce(node, body, onWritten);
    }
    return answer;
  }

  private postOnce(node: number, body: Buffer, onWritten: () => void): Promise<Answer> {
    const { hostname, port } = this.hosts[node]!;
    return new Promise((resolve) => {
      const req = request(
        {
          hostname,
          port,
          path: `/v1/txs?wait=commit&timeoutMs=${this.config.waitMs}`,
          method: "POST",
          agent: this.agents[node],
          headers: { "content-type": "application/json", "content-length": body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            let json: { receipt?: { code: string }; status?: string; error?: { code: string; receipt?: { code: string } } } = {};
            try {
              json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
              /* not JSON */
            }
            if (status === 200 && json.receipt) resolve({ code: json.receipt.code });
            else if (status === 202) resolve({ reason: "pending" });
            else if (json.error?.receipt) resolve({ code: json.error.receipt.code });
            else resolve({ reason: `${status} ${json.error?.code ?? ""}`.trim() });
          });
          res.on("error", (err: NodeJS.ErrnoException) => resolve({ reason: `network ${err.code ?? err.message}` }));
        },
      );
      this.track(req, onWritten);
      req.on("error", (err: NodeJS.ErrnoException) => resolve({ reason: err === NEVER_SENT ? "never sent" : `network ${err.code ?? err.message}` }));
      req.end(body);
    });
  }

  /** Keeps `req` among the unsent until its bytes are written out. */
  private track(req: ClientRequest, onWritten: () => void): void {
    this.unsent.add(req);
    req.on("finish", () => {
      this.unsent.delete(req);
      onWritten();
    });
    req.on("close", () => this.unsent.delete(req));
  }

  /** One POST /v1/txs/batch?wait=commit of `steps`: an answer per step (a refusal of the request is each one's). */
  private async postBatch(node: number, steps: Step[], form: "protobuf" | "json"): Promise<Answer[]> {
    const body = form === "protobuf" ? Buffer.from(encode("TxSubmission", { txs: steps.map((s) => s.tx) })) : Buffer.from(JSON.stringify({ txs: steps.map((s) => toHex(s.tx)) }));
    const contentType = form === "protobuf" ? "application/x-protobuf" : "application/json";
    const onWritten = () => steps.forEach((s) => this.written.add(s));
    let answer = await this.requestOnce(node, `/v1/txs/batch?wait=commit&timeoutMs=${this.config.waitMs}`, contentType, body, onWritten);
    for (let tries = 0; tries < 3 && answer.network === "ECONNRESET"; tries++) {
      this.retries++;
      answer = await this.requestOnce(node, `/v1/txs/batch?wait=commit&timeoutMs=${this.config.waitMs}`, contentType, body, onWritten);
    }
    const json = answer.json as { results?: { status: string; receipt?: { code: string }; error?: { code: string } }[]; error?: { code: string } } | undefined;
    if (answer.status === 200 && json?.results?.length === steps.length) {
      return json.results.map((r) => (r.status === "committed" && r.receipt ? { code: r.receipt.code } : r.status === "pending" ? { reason: "pending" } : { reason: `refused ${r.error?.code ?? "?"}` }));
    }
    const reason = answer.network === "never sent" ? "never sent" : answer.network ? `network ${answer.network}` : `${answer.status} ${json?.error?.code ?? ""}`.trim();
    return steps.map(() => ({ reason }));
  }

  private requestOnce(node: number, path: string, contentType: string, body: Buffer, onWritten: () => void): Promise<{ status: number; json?: unknown; network?: string }> {
    const { hostname, port } = this.hosts[node]!;
    return new Promise((resolve) => {
      const req = request({ hostname, port, path, method: "POST", agent: this.agents[node], headers: { "content-type": contentType, "content-length": body.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let json: unknown;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on("error", (err: NodeJS.ErrnoException) => resolve({ status: 0, network: err.code ?? err.message }));
      });
      this.track(req, onWritten);
      req.on("error", (err: NodeJS.ErrnoException) => resolve({ status: 0, network: err === NEVER_SENT ? "never sent" : (err.code ?? err.message) }));
      req.end(body);
    });
  }

  /** Submits the next step of `size` deals in one batch; each is timed from the request to the batch's answer. */
  private async submitBatch(node: number, size: number, form: "protobuf" | "json", window: Window): Promise<void> {
    const picks = Array.from({ length: size }, () => this.nextStep());
    this.inFlight += size;
    this.submitted += size;
    for (const p of picks) this.pending.add(p.step);
    const startedAt = performance.now();
    const answers = await this.postBatch(node, picks.map((p) => p.step), form);
    const done = performance.now();
    picks.forEach(({ deal, step }, i) => {
      this.pending.delete(step);
      this.inFlight--;
      this.answered++;
      this.record(deal, step, answers[i]!);
      window.observe(startedAt, done, answers[i]!.code !== undefined, step.kind);
    });
    if (this.inFlight === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Submits the next step of some deal; resolves with its latency (ms from `scheduledAt`) once answered. */
  private async submitOne(node: number, scheduledAt: number, window: Window): Promise<void> {
    const { deal, step } = this.nextStep();
    this.inFlight++;
    this.submitted++;
    this.pending.add(step);
    const answer = await this.post(node, step.body, () => this.written.add(step));
    const done = performance.now();
    this.pending.delete(step);
    this.inFlight--;
    this.answered++;
    this.record(deal, step, answer);
    window.observe(scheduledAt, done, answer.code !== undefined, step.kind);
    if (this.inFlight === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  private record(deal: Deal, step: Step, answer: Answer): void {
    const fraud = step.kind.startsWith("fraud");
    if (answer.code === undefined) {
      const reason = answer.reason ?? "unknown";
      this.noReceipt[reason] = (this.noReceipt[reason] ?? 0) + 1;
      // withdrawn at the end of the run before a node saw it: load not offered, nothing to look up
      if (reason !== "never sent") this.unresolved.push({ step, reason });
      this.deals.dropped++; // its state is unknown now: later steps would not mean what they expect
      return;
    }
    const byCode = (this.codes[step.kind] ??= {});
    byCode[answer.code] = (byCode[answer.code] ?? 0) + 1;
    if (answer.code !== step.expect) {
      this.unexpected++;
      if (fraud) this.fraudNotRejected++;
      else this.legitimateRefused++;
      if (this.mismatches.length < 20) this.mismatches.push(`deal ${deal.no} ${step.kind} ${step.hashHex}: expected ${step.expect}, got ${answer.code}`);
      this.deals.dropped++;
      return;
    }
    deal.next++;
    if (deal.next < deal.steps.length) this.ready.push(deal);
    else this.deals.completed++;
  }

  /** Resolves when every submission has its answer, or after `maxMs` (the rest are looked up at finish). */
  private drained(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async run(phase: PhaseSpec): Promise<void> {
    const window = new Window(phase);
    this.signedDuringRun = 0;
    const start = performance.now();
    const windowStart = start + phase.warmupMs;
    const windowEnd = windowStart + phase.durationMs;
    let stopped = false;
    const marks = (async () => {
      await sleepUntil(windowStart);
      window.open(performance.now());
      this.lag.reset();
      this.lag.enable();
      const cpu = process.cpuUsage();
      send({ type: "window-start" });
      await sleepUntil(windowEnd);
      window.close(performance.now());
      this.lag.disable();
      const used = process.cpuUsage(cpu);
      stopped = true;
      send({ type: "window-end", stats: window.stats(this.inFlight, (used.user + used.system) / 1e6, this.lag.percentile(99) / 1e6, this.signedDuringRun) });
    })();

    const n = this.config.urls.length;
    if (phase.mode === "batch") {
      const loops: Promise<void>[] = [];
      for (let c = 0; c < phase.clients; c++) {
        loops.push(
          (async () => {
            while (!stopped) await this.submitBatch(c % n, phase.batchSize, phase.batchBody, window);
          })(),
        );
      }
      await marks;
      await Promise.all(loops);
    } else if (phase.mode === "closed") {
      const loops: Promise<void>[] = [];
      for (let c = 0; c < phase.clients; c++) {
        loops.push(
          (async () => {
            while (!stopped) await this.submitOne(c % n, performance.now(), window);
          })(),
        );
      }
      await marks;
      await Promise.all(loops);
    } else {
      const interval = 1000 / phase.rate;
      let next = start;
      let i = 0;
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          while (next <= now && !stopped) {
            window.sent(next, now);
            void this.submitOne(i++ % n, next, window);
            next += interval;
          }
          if (stopped) return resolve();
          setTimeout(tick, Math.max(0, next - performance.now()));
        };
        tick();
      });
      await marks;
    }
    await this.drained(this.config.waitMs + 5_000);
    send({ type: "drained", stats: window.stats(this.inFlight, 0, 0, this.signedDuringRun) });
  }

  /** Looks up every transaction answered without a receipt: committed after all, with the right code? */
  async finish(): Promise<FinalReport> {
    let recovered = 0;
    let shed = 0;
    let lost = 0;
    const auditor = this.config.parties.find((p) => p.role === "AUDITOR");
    // An overloaded open loop leaves requests waiting on the nodes and a backlog in the pools. Let
    // both settle first (at most 3 minutes): a request still waiting gets its answer (a receipt, 202
    // pending or a refusal) and is recorded as it comes, so the lookups below are of settled
    // transactions only, and a pool still holding work is said.
    // First withdraw what was never sent (queued in the agents for a socket): no node saw it, and
    // sending it now would keep loading the network the settling below waits on.
    const withdrawn = this.unsent.size;
    for (const req of [...this.unsent]) req.destroy(NEVER_SENT);
    const settleStart = performance.now();
    const settleDeadline = settleStart + 180_000;
    let sizes: number[] = [];
    let writtenAtStart = 0;
    for (const step of this.pending) if (this.written.has(step)) writtenAtStart++;
    const pendingAtStart = this.pending.size;
    const nodes = this.config.urls.map((url) => createClient({ url, timeoutMs: 5_000 }));
    while (performance.now() < settleDeadline) {
      sizes = await Promise.all(nodes.map((c) => c.status().then((s) => s.mempool.txs, () => -1)));
      if (this.pending.size === 0 && sizes.every((n) => n === 0)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const settled = `${((performance.now() - settleStart) / 1000).toFixed(1)} s after the run`;
    if (pendingAtStart > 0)
      this.mismatches.push(
        `(${pendingAtStart} transactions were still waiting when the run ended, ${writtenAtStart} of them sent; ${withdrawn} requests never sent were withdrawn; ${this.pending.size === 0 ? `all answered ${settled}` : `${this.pending.size} still unanswered ${settled}`})`,
      );
    if (this.unresolved.length > 0 || this.pending.size > 0)
      this.mismatches.push(sizes.every((n) => n === 0) ? `(the pools were empty ${settled}: lookups follow)` : `(the pools still held ${sizes.join("/")} transactions ${settled} (-1: no answer): lookups follow anyway)`);
    // Still no answer: a request never sent (queued in the agent for a socket) is load never offered;
    // one sent is looked up like any other.
    for (const step of this.pending) {
      const why = this.written.has(step) ? "unanswered" : "never sent";
      this.noReceipt[why] = (this.noReceipt[why] ?? 0) + 1;
      if (why === "unanswered") this.unresolved.push({ step, reason: why });
    }
    if (this.unresolved.length > 0 && auditor) {
      const client = createClient({ url: this.config.urls[0]!, signer: signerFromSeed(auditor.id, fromHex(auditor.seedHex), nodeCrypto), timeoutMs: 5_000 });
      const deadline = performance.now() + 120_000;
      let next = 0;
      const worker = async () => {
        while (next < this.unresolved.length) {
          const { step, reason } = this.unresolved[next++]!;
          if (performance.now() > deadline) {
            lost++;
            this.notFound["not looked up (120 s)"] = (this.notFound["not looked up (120 s)"] ?? 0) + 1;
            continue;
          }
          try {
            const got = await client.getTx(step.hashHex);
            if (got.receipt.code === step.expect) recovered++;
            else {
              lost++;
              if (this.mismatches.length < 20) this.mismatches.push(`${step.kind} ${step.hashHex} (answered ${reason}): committed later with ${got.receipt.code}, expected ${step.expect}`);
            }
          } catch (err) {
            // NOT_FOUND: no node committed it. Anything else (a timeout, a 503): the lookup failed.
            const notCommitted = err instanceof LedgerError && err.code === "NOT_FOUND";
            if (notCommitted && refusedBeforeAdmission(reason)) {
              shed++;
              continue;
            }
            lost++;
            const why = notCommitted ? `not committed (answered ${reason})` : `lookup failed (${err instanceof LedgerError ? err.code : String(err)})`;
            this.notFound[why] = (this.notFound[why] ?? 0) + 1;
            if (this.mismatches.length < 20) this.mismatches.push(`${step.kind} ${step.hashHex} (answered ${reason}): ${why}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      if (shed > 0) this.mismatches.push(`(${shed} transactions refused before admission, none committed: load shed)`);
      if (Object.keys(this.notFound).length > 0) this.mismatches.push(`lookups that found no receipt, by why: ${JSON.stringify(this.notFound)}`);
    } else if (this.unresolved.length > 0) lost += this.unresolved.length;
    const cpu = process.cpuUsage(this.cpu0);
    for (const a of this.agents) a.destroy();
    return {
      submitted: this.submitted,
      answered: this.answered,
      codes: this.codes,
      unexpected: this.unexpected,
      legitimateRefused: this.legitimateRefused,
      fraudNotRejected: this.fraudNotRejected,
      noReceipt: this.noReceipt,
      recoveredLater: recovered,
      shed,
      lost,
      mismatches: this.mismatches,
      deals: this.deals,
      retries: this.retries,
      generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  }
}

/** What one phase's measurement window saw. */
class Window {
  private from = Infinity;
  private to = Infinity;
  private committed = 0;
  private offered = 0;
  private readonly latencies: number[] = [];
  private readonly sendLags: number[] = [];
  private readonly byKind: Record<string, number> = {};

  constructor(private readonly phase: PhaseSpec) {}

  open(at: number): void {
    this.from = at;
  }
  close(at: number): void {
    this.to = at;
  }

  sent(scheduledAt: number, actualAt: number): void {
    if (scheduledAt >= this.from && scheduledAt < this.to) {
      this.offered++;
      this.sendLags.push(actualAt - scheduledAt);
    }
  }

  observe(startedAt: number, doneAt: number, withReceipt: boolean, kind: StepKind): void {
    // Closed loop: what completed inside the window. Open loop: what was scheduled inside it.
    const inWindow = this.phase.mode !== "open" ? doneAt >= this.from && doneAt < this.to : startedAt >= this.from && startedAt < this.to;
    if (!inWindow || !withReceipt) return;
    this.committed++;
    this.latencies.push(doneAt - startedAt);
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }

  stats(inFlight: number, cpuSeconds: number, loopP99Ms: number, signedDuringRun: number): PhaseStats {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const lags = [...this.sendLags].sort((a, b) => a - b);
    const windowMs = (Number.isFinite(this.to) ? this.to : performance.now()) - this.from;
    return {
      name: this.phase.name,
      mode: this.phase.mode,
      windowMs,
      committed: this.committed,
      offered: this.offered,
      latencyMs: {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? 0,
        mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
        count: sorted.length,
      },
      sendLagP99Ms: percentile(lags, 99),
      inFlightAtEnd: inFlight,
      byKind: this.byKind,
      generatorCpuSeconds: cpuSeconds,
      generatorEventLoopP99Ms: loopP99Ms,
      dealsSignedDuringRun: signedDuringRun,
    };
  }
}

function sleepUntil(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
}

// The bench process went away: nothing left to measure for.
process.on("disconnect", () => process.exit(0));

let gen: Generator | undefined;
process.on("message", (m: Msg) => {
  void (async () => {
    try {
      switch (m.type) {
        case "init":
          gen = new Generator(m.config);
          send({ type: "ready" });
          break;
        case "prepare":
          send({ type: "prepared", ...gen!.prepare(m.phase.presignDeals) });
          break;
        case "run":
          await gen!.run(m.phase);
          break;
        case "finish":
          send({ type: "final", report: await gen!.finish() });
          process.disconnect();
          break;
      }
    } catch (err) {
      send({ type: "error", message: (err as Error).stack ?? String(err) });
    }
  })();
});
