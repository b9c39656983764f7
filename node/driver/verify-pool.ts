// Transaction signature checks on worker threads (config `mempool.verifyWorkers`, docs/performance.md
// "Lever: verification off the event loop"). Admission verifies every transaction a node is sent or
// relayed; inline, each ed25519 check (~0.1 ms) holds the event loop that also runs consensus, RPC
// and p2p. With workers, the checks of one turn of the loop travel to a worker as one message and the
// loop goes on. The verdicts are node/crypto.ts's (the worker runs the very same function), so a
// signature a worker accepts is exactly one the inline path accepts: what the signature cache then
// holds, and what a batch is validated against in consensus, does not depend on where it was checked.
//
// A worker that fails (an exception, an exit, a hung reply) is replaced; what it held is verified
// inline instead, so a job is never lost and a node never stops for it.
import { Worker } from "node:worker_threads";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from "../../sdk/crypto.js";

/**
 * Jobs per message: small enough that the main thread and the workers overlap (admission goes on
 * decoding the next transactions while a worker verifies the last 32; at 256 a message the main
 * thread waited on each whole batch and admission flat out halved, `npm run bench:verify`), large
 * enough that the messages' own cost stays small.
 */
const MAX_JOBS_PER_MESSAGE = 32;
/** A worker that has not answered a message in this time is replaced (its jobs verified inline). */
const WORKER_REPLY_TIMEOUT_MS = 10_000;

export type InlineVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

interface Job {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  resolve: (ok: boolean) => void;
}

interface Slot {
  worker: Worker;
  /** messages sent and not answered, by id */
  inFlight: Map<number, { jobs: Job[]; timer: NodeJS.Timeout }>;
  jobs: number;
}

export interface VerifyPoolStats {
  workers: number;
  /** jobs verified by workers */
  offloaded: number;
  /** jobs verified inline after a worker failed */
  inline: number;
  /** workers replaced after a failure */
  restarts: number;
  /** messages sent to workers */
  messages: number;
}

export class VerifyPool {
  private readonly slots: Slot[] = [];
  private queue: Job[] = [];
  private flushScheduled = false;
  private nextId = 1;
  private closed = false;
  readonly stats: VerifyPoolStats;

  /**
   * `workers` threads (at least 1); `inline` is the node's own check (node/crypto.ts), used for the
   * jobs of a failed worker and once the pool is closed.
   */
  constructor(
    workers: number,
    private readonly inline: InlineVerify,
    private readonly onWorkerFailure: (reason: string) => void = () => {},
  ) {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`a verify pool needs at least one worker (got ${workers})`);
    this.stats = { workers, offloaded: 0, inline: 0, restarts: 0, messages: 0 };
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  /** Whether `signature` is `publicKey`'s over `message`: node/crypto.ts's verdict, on a worker. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (this.closed || publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) {
      this.stats.inline++;
      return Promise.resolve(this.inline(publicKey, message, signature));
    }
    return new Promise((resolve) => {
      this.queue.push({ publicKey, message, signature, resolve });
      if (this.queue.length >= MAX_JOBS_PER_MESSAGE * this.slots.length) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Stops the workers; jobs still out are verified inline. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    const slots = this.slots.splice(0);
    for (const slot of slots) this.abandon(slot);
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => 0)));
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const jobs = this.queue;
    this.queue = [];
    if (this.closed) {
      for (const job of jobs) this.runInline(job);
      return;
    }
    for (let i = 0; i < jobs.length; i += MAX_JOBS_PER_MESSAGE) {
      const part = jobs.slice(i, i + MAX_JOBS_PER_MESSAGE);
      // the least loaded worker
      let slot = this.slots[0]!;
      for (const s of this.slots) if (s.jobs < slot.jobs) slot = s;
      this.send(slot, part);
    }
  }

  private send(slot: Slot, jobs: Job[]): void {
    // One buffer per message, moved to the worker: [key 32][signature 64][length u32][message] per job.
    let size = 0;
    for (const j of jobs) size += PUBLIC_KEY_BYTES + SIGNATURE_BYTES + 4 + j.message.length;
    const buf = new Uint8Array(size);
    const view = new DataView(buf.buffer);
    let at = 0;
    for (const j of jobs) {
      buf.set(j.publicKey, at);
      buf.set(j.signature, at + PUBLIC_KEY_BYTES);
      view.setUint32(at + PUBLIC_KEY_BYTES + SIGNATURE_BYTES, j.message.length);
      buf.set(j.message, at + PUBLIC_KEY_BYTES + SIGNATURE_BYTES + 4);
      at += PUBLIC_KEY_BYTES + SIGNATURE_BYTES + 4 + j.message.length;
    }
    const id = this.nextId++;
    const timer = setTimeout(() => this.fail(slot, `no answer in ${WORKER_REPLY_TIMEOUT_MS} ms`), WORKER_REPLY_TIMEOUT_MS);
    timer.unref();
    slot.inFlight.set(id, { jobs, timer });
    slot.jobs += jobs.length;
    this.stats.messages++;
    slot.worker.postMessage({ id, count: jobs.length, buf }, [buf.buffer]);
  }

  private spawn(): Slot {
    const worker = new Worker(new URL("./verify-worker.js", import.meta.url));
    worker.unref(); // a pool never keeps a process alive: the node closes it on stop
    const slot: Slot = { worker, inFlight: new Map(), jobs: 0 };
    worker.on("message", (m: { id: number; ok: Uint8Array }) => {
      const sent = slot.inFlight.get(m?.id);
      if (!sent || !(m.ok instanceof Uint8Array) || m.ok.length !== sent.jobs.length) return this.fail(slot, "a malformed answer");
      clearTimeout(sent.timer);
      slot.inFlight.delete(m.id);
      slot.jobs -= sent.jobs.length;
      this.stats.offloaded += sent.jobs.length;
      sent.jobs.forEach((job, i) => job.resolve(m.ok[i] === 1));
    });
    worker.on("error", (err) => this.fail(slot, err instanceof Error ? err.message : String(err)));
    worker.on("exit", (code) => {
      if (!this.closed) this.fail(slot, `exited with code ${code}`);
    });
    return slot;
  }

  /** A worker failed: its jobs are verified inline, and a new worker takes its place. */
  private fail(slot: Slot, reason: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // already replaced
    this.abandon(slot);
    void slot.worker.terminate().catch(() => 0);
    if (this.closed) return;
    this.stats.restarts++;
    this.onWorkerFailure(reason);
    this.slots[index] = this.spawn();
  }

  private abandon(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0 && this.closed) this.slots.splice(index, 1);
    for (const { jobs, timer } of slot.inFlight.values()) {
      clearTimeout(timer);
      for (const job of jobs) this.runInline(job);
    }
    slot.inFlight.clear();
    slot.jobs = 0;
  }

  private runInline(job: Job): void {
    this.stats.inline++;
    let ok = false;
    try {
      ok = this.inline(job.publicKey, job.message, job.signature);
    } catch {
      ok = false;
    }
    job.resolve(ok);
  }
}
