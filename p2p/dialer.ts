// Keeps a connection to every configured peer: dial at start, redial with exponential backoff
// and jitter whenever the last connection to a peer drops or a dial fails, wait out bans. A
// connection the peer closes right after the handshake counts as a failure, not a success: that
// is what a peer whose allow-list does not hold this node does, and redialling it at the base
// interval would hammer it (an unadmitted observer once redialled 200 times in 24 s).
import type { Logger } from "./types.js";
import type { Counters } from "./metrics.js";

export interface DialerComponents {
  dial(peerId: string, signal: AbortSignal): Promise<void>;
  isConnected(peerId: string): boolean;
  banRemainingMs(peerId: string): number;
  counters: Counters;
  logger: Logger;
  random?: () => number;
  /** wall clock, ms (tests) */
  now?: () => number;
}

/** A connection that lasts this long is a real one: the backoff starts over when it drops. */
export const STABLE_CONNECTION_MS = 2000;

export interface DialerOptions {
  baseMs: number;
  maxMs: number;
  timeoutMs: number;
}

interface Target {
  peerId: string;
  validatorId?: string;
  backoffMs: number;
  failures: number;
  timer: ReturnType<typeof setTimeout> | null;
  dialing: boolean;
  /** when the current connection opened */
  connectedAt: number | undefined;
}

export class Dialer {
  private readonly targets = new Map<string, Target>();
  private readonly abort = new AbortController();
  private running = false;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly c: DialerComponents,
    peers: readonly { peerId: string; validatorId?: string }[],
    private readonly opts: DialerOptions,
  ) {
    if (!(opts.baseMs > 0) || !(opts.maxMs >= opts.baseMs) || !(opts.timeoutMs > 0)) throw new RangeError("redial options: need 0 < redialBaseMs <= redialMaxMs and dialTimeoutMs > 0");
    this.random = c.random ?? Math.random;
    this.now = c.now ?? Date.now;
    for (const p of peers) {
      const target: Target = { peerId: p.peerId, backoffMs: opts.baseMs, failures: 0, timer: null, dialing: false, connectedAt: undefined };
      if (p.validatorId !== undefined) target.validatorId = p.validatorId;
      this.targets.set(p.peerId, target);
    }
  }

  /** A peer to keep connected from now on (a validator's rotated node key, dialled at its validator's address); no-op if known. */
  add(peer: { peerId: string; validatorId?: string }): void {
    if (this.targets.has(peer.peerId)) return;
    const target: Target = { peerId: peer.peerId, backoffMs: this.opts.baseMs, failures: 0, timer: null, dialing: false, connectedAt: undefined };
    if (peer.validatorId !== undefined) target.validatorId = peer.validatorId;
    this.targets.set(peer.peerId, target);
    if (this.running) this.schedule(target, 0);
  }

  /** Whether `peerId` is kept connected. */
  has(peerId: string): boolean {
    return this.targets.has(peerId);
  }

  start(): void {
    this.running = true;
    for (const t of this.targets.values()) this.schedule(t, 0);
  }

  stop(): void {
    this.running = false;
    this.abort.abort(new Error("p2p stopping"));
    for (const t of this.targets.values()) {
      if (t.timer) clearTimeout(t.timer);
      t.timer = null;
    }
  }

  onConnected(peerId: string): void {
    const t = this.targets.get(peerId);
    if (!t) return;
    // the backoff starts over once the connection proves stable (onDisconnected)
    t.connectedAt ??= this.now();
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
  }

  onDisconnected(peerId: string): void {
    const t = this.targets.get(peerId);
    if (!t) return;
    const lived = t.connectedAt === undefined ? 0 : this.now() - t.connectedAt;
    t.connectedAt = undefined;
    if (lived >= STABLE_CONNECTION_MS) {
      t.backoffMs = this.opts.baseMs;
      t.failures = 0;
    } else {
      this.c.counters.closedAtOnce();
      t.failures++;
      const log = t.failures === 1 || t.failures % 20 === 0 ? this.c.logger.info : this.c.logger.debug;
      log.call(this.c.logger, "p2p peer closed the connection at once (does its allow-list hold this node?)", { peerId: t.peerId, validatorId: t.validatorId, failures: t.failures, livedMs: lived });
      t.backoffMs = Math.min(t.backoffMs * 2, this.opts.maxMs);
    }
    this.schedule(t, this.jitter(t.backoffMs));
  }

  onBanned(peerId: string, banMs: number): void {
    const t = this.targets.get(peerId);
    if (!t) return;
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    this.schedule(t, banMs + this.jitter(this.opts.baseMs));
  }

  private schedule(t: Target, delayMs: number): void {
    if (!this.running || t.timer || t.dialing) return;
    t.timer = setTimeout(() => {
      t.timer = null;
      this.attempt(t).catch((err: unknown) => {
        t.dialing = false;
        this.c.logger.error("p2p redial failed unexpectedly", { peerId: t.peerId, error: (err as Error)?.message ?? String(err) });
      });
    }, delayMs);
  }

  private async attempt(t: Target): Promise<void> {
    if (!this.running || t.dialing || this.c.isConnected(t.peerId)) return;
    const banned = this.c.banRemainingMs(t.peerId);
    if (banned > 0) {
      this.schedule(t, banned + this.jitter(this.opts.baseMs));
      return;
    }
    t.dialing = true;
    try {
      await this.c.dial(t.peerId, AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]));
      this.c.counters.dial(true);
      this.onConnected(t.peerId);
    } catch (err) {
      if (!this.running) return;
      this.c.counters.dial(false);
      t.failures++;
      const retryInMs = this.jitter(t.backoffMs);
      // First failure at info, then quieter: a validator that is down for hours must not flood the log.
      const log = t.failures === 1 || t.failures % 20 === 0 ? this.c.logger.info : this.c.logger.debug;
      log.call(this.c.logger, "p2p dial failed", { peerId: t.peerId, validatorId: t.validatorId, failures: t.failures, retryInMs, error: (err as Error)?.message ?? String(err) });
      t.backoffMs = Math.min(t.backoffMs * 2, this.opts.maxMs);
      t.dialing = false;
      this.schedule(t, retryInMs);
      return;
    } finally {
      t.dialing = false;
    }
    // Connected, but the connection may already have dropped again before we got here.
    if (!this.c.isConnected(t.peerId)) {
      t.connectedAt = undefined;
      this.schedule(t, this.jitter(t.backoffMs));
    }
  }

  /** ±20% so that validators restarted together do not redial in lockstep. */
  private jitter(ms: number): number {
    return Math.round(ms * (0.8 + 0.4 * this.random()));
  }
}
