// Peer penalties and temporary bans. A peer that sends bytes failing the edge checks loses points;
// points decay exponentially so that an honest peer's rare glitch never accumulates into a ban,
// while a peer that keeps sending garbage crosses the threshold within a few frames and is
// disconnected and refused for a while (CometBFT's reactor "StopPeerForError", with a memory).
import type { PenaltyReason, ScoringOptions } from "./types.js";

export const DEFAULT_SCORING: ScoringOptions = {
  banThreshold: 100,
  decayHalfLifeMs: 60_000,
  banMs: 60_000,
  maxBanMs: 3_600_000,
};

/** Default weight per reason: five malformed frames inside a minute ban a peer. */
export const PENALTY_POINTS: Record<PenaltyReason, number> = {
  malformed_frame: 20,
  oversized_frame: 50,
  bad_sync_request: 20,
  bad_sync_response: 25,
  invalid_tx: 10,
  protocol_violation: 50,
  invalid_message: 25,
};

interface PeerScore {
  score: number;
  at: number; // when `score` was last brought up to date
  bannedUntil: number;
  bans: number;
}

export interface PenaltyOutcome {
  score: number;
  /** Set when this penalty started a ban: its length in ms. */
  bannedForMs?: number;
}

export class PeerScorer {
  private readonly peers = new Map<string, PeerScore>();

  constructor(
    private readonly opts: ScoringOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(opts.banThreshold > 0) || !(opts.decayHalfLifeMs > 0) || !(opts.banMs > 0) || !(opts.maxBanMs >= opts.banMs)) {
      throw new RangeError("scoring options must be positive, with maxBanMs >= banMs");
    }
  }

  penalize(peerId: string, points: number): PenaltyOutcome {
    if (!Number.isFinite(points) || points <= 0) throw new RangeError(`penalty points must be positive: ${points}`);
    const entry = this.entry(peerId);
    this.decay(entry);
    entry.score += points;
    if (entry.score < this.opts.banThreshold) return { score: entry.score };
    const score = entry.score;
    const bannedForMs = Math.min(this.opts.banMs * 2 ** entry.bans, this.opts.maxBanMs);
    entry.bans++;
    entry.bannedUntil = this.now() + bannedForMs;
    entry.score = 0; // the ban is the punishment; the peer comes back with a clean slate
    return { score, bannedForMs };
  }

  score(peerId: string): number {
    const entry = this.peers.get(peerId);
    if (!entry) return 0;
    this.decay(entry);
    return entry.score;
  }

  isBanned(peerId: string): boolean {
    return this.banRemainingMs(peerId) > 0;
  }

  banRemainingMs(peerId: string): number {
    const entry = this.peers.get(peerId);
    return entry ? Math.max(0, entry.bannedUntil - this.now()) : 0;
  }

  bans(peerId: string): number {
    return this.peers.get(peerId)?.bans ?? 0;
  }

  private entry(peerId: string): PeerScore {
    let entry = this.peers.get(peerId);
    if (!entry) {
      entry = { score: 0, at: this.now(), bannedUntil: 0, bans: 0 };
      this.peers.set(peerId, entry);
    }
    return entry;
  }

  private decay(entry: PeerScore): void {
    const now = this.now();
    const elapsed = now - entry.at;
    if (elapsed > 0) entry.score *= 0.5 ** (elapsed / this.opts.decayHalfLifeMs);
    if (entry.score < 1e-6) entry.score = 0;
    entry.at = now;
  }
}
