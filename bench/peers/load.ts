// The load shapes of the network benchmark, for any asynchronous operation: a closed loop of
// `clients` concurrent callers (throughput at saturation) and an open loop at a fixed rate (latency
// at an offered load, counted from the scheduled start so a client that falls behind shows in the
// figures: no coordinated omission). bench/peers/ drives etcd and PostgreSQL with it exactly as
// bench/loadgen.ts drives our validators, so their figures and ours are comparable.

export interface LoadSpec {
  mode: "closed" | "open";
  /** closed loop: concurrent callers */
  clients: number;
  /** open loop: operations per second offered */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** an open loop gives up waiting for answers this long after the window (ms) */
  drainMs?: number;
}

export interface LoadFigures {
  mode: "closed" | "open";
  /** closed: clients; open: offered rate */
  shape: number;
  /** operations completed (closed: inside the window) or scheduled inside the window and completed (open) */
  ops: number;
  /** operations that failed where they had to succeed (the op threw) */
  errors: number;
  windowMs: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** open loop: operations scheduled in the window, still unanswered at the end of the drain */
  unanswered: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sleepUntil = (t: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, t - performance.now())));

/**
 * Runs `op` (the i-th operation; it resolves when the system answered as it must, and throws
 * otherwise) in the given shape. `onWindow` is called when the measured window opens and closes
 * (the caller samples CPU of the servers there).
 */
export async function runLoad(spec: LoadSpec, op: (i: number) => Promise<void>, onWindow?: (edge: "open" | "close") => void): Promise<LoadFigures> {
  const start = performance.now();
  const from = start + spec.warmupMs;
  const to = from + spec.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  let stopped = false;
  const inWindow = (t: number) => t >= from && t < to;

  const timed = async (scheduledAt: number): Promise<void> => {
    const n = i++;
    try {
      await op(n);
    } catch {
      const done = performance.now();
      if (spec.mode === "closed" ? inWindow(done) : inWindow(scheduledAt)) errors++;
      return;
    }
    const done = performance.now();
    if (spec.mode === "closed" ? inWindow(done) : inWindow(scheduledAt)) latencies.push(done - scheduledAt);
  };

  const marks = (async () => {
    await sleepUntil(from);
    onWindow?.("open");
    await sleepUntil(to);
    onWindow?.("close");
    stopped = true;
  })();

  let scheduled = 0;
  let pending = 0;
  if (spec.mode === "closed") {
    await Promise.all(
      Array.from({ length: spec.clients }, async () => {
        while (!stopped) await timed(performance.now());
      }),
    );
    await marks;
  } else {
    const interval = 1000 / spec.rate;
    let next = start;
    let drainedResolve: () => void = () => undefined;
    const drained = new Promise<void>((r) => (drainedResolve = r));
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next <= now && !stopped) {
          if (inWindow(next)) scheduled++;
          pending++;
          void timed(next).finally(() => {
            if (--pending === 0 && stopped) drainedResolve();
          });
          next += interval;
        }
        if (stopped) return resolve();
        setTimeout(tick, Math.max(0, next - performance.now()));
      };
      tick();
    });
    await marks;
    if (pending > 0) await Promise.race([drained, new Promise((r) => setTimeout(r, spec.drainMs ?? 30_000))]);
  }

  const sorted = latencies.sort((a, b) => a - b);
  return {
    mode: spec.mode,
    shape: spec.mode === "closed" ? spec.clients : spec.rate,
    ops: sorted.length,
    errors,
    windowMs: spec.durationMs,
    perSecond: sorted.length / (spec.durationMs / 1000),
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN },
    unanswered: spec.mode === "open" ? Math.max(0, scheduled - sorted.length - errors) : 0,
  };
}
