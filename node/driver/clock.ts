// Time for the driver, injected (STYLE rules 1 and 16): the node runs on the system clock and
// Node's timers; the simulator (test/sim/) runs the same driver on a virtual clock, so a seed
// replays exactly. Nothing in node/driver/ calls Date.now, setTimeout or setImmediate itself.

/** A cancellable one-shot timer. */
export interface TimerHandle {
  cancel(): void;
}

export interface DriverClock {
  /** wall clock, ms since the epoch: block timestamps and the core's `tick` */
  now(): number;
  /** a monotonic clock, ms: only for measured durations (metrics) */
  monotonic(): number;
  /** runs `fn` once after `ms` milliseconds unless cancelled first */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** runs `fn` soon, after the current call stack and its pending promise callbacks */
  defer(fn: () => void): void;
}

/** The real clock. Timers do not keep the process alive (the node's lifecycle does). */
export const systemClock: DriverClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  defer: (fn) => void setImmediate(fn),
};

/** A clock whose wall time comes from `now` (tests that move time) and whose timers are real. */
export function clockWithNow(now: () => number): DriverClock {
  return { ...systemClock, now };
}
