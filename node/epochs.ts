// The chain of validator sets a light client verifies (docs/governance.md §5, sdk/epochs.ts): at each
// switch, the node builds the epoch link — the old set's stable checkpoint certificate at E, header
// E, and the v/set record proven under header E's state root — checks it against the chain it holds,
// and keeps it durably (store bucket epochLink). The RPC serves the links (GET /v1/validator-sets).
//
// The proof of v/set must be taken while the state is exactly at E: the next block may change the
// set (a new decision) and the store keeps only the head's state tree. The consensus driver calls
// onEpochEnded at that moment (awaited before the next epoch's replica starts). A node that reaches a
// later height without passing through that moment (an observer, a laggard or newcomer catching up by
// block sync) learns the link from the block-sync answers of nodes that hold it (`offer`): each link
// proves itself from the genesis set, so any peer may serve it. A node restored from a snapshot past
// a switch, whose peers' block-sync answers no longer carry that link, asks its peers for the links
// it lacks (`/tradeledger/epoch-links/1`, node/net/epoch-links.ts: `catchUp`, `askPeer`,
// `takeAnswer`) until it proves the chain from genesis to the epoch in force.
import type { StableCheckpoint } from "../consensus/types.js";
import type { CheckpointCertificate, ValidatorSet, ValidatorSetChain } from "../sdk/certified.js";
import { VALIDATOR_SET_STATE_KEY, verifyValidatorSets, type EpochLink, type EpochLinkProblemCode } from "../sdk/epochs.js";
import type { Crypto } from "../sdk/crypto.js";
import { decodeValidatorSet } from "./ledger/governance.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/store.js";
import { decodeEpochLinkFrame, encodeEpochLinksRequest, EPOCH_LINKS_ANSWER_BYTES, MAX_LINKS_PER_ANSWER, type EpochLinksRequest } from "./net/epoch-links.js";

/** What the driver hands over at a switch (docs/governance.md §5): the ended epoch, the next, E's stable checkpoint. */
export interface EpochEnded {
  epoch: bigint;
  nextEpoch: bigint;
  checkpoint: StableCheckpoint;
}

/** The driver's hook (node/driver): awaited at the switch, while the node's state is exactly at E. */
export type OnEpochEnded = (e: EpochEnded) => Promise<void> | void;

export class EpochLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EpochLinkError";
  }
}

/** Why an answer of epoch links was refused (nothing of it is kept; the peer is blamed). */
export type EpochLinksAnswerCode =
  /** a frame does not decode (truncated bytes, a part missing) */
  | "LINKS_MALFORMED"
  /** more links than were asked for */
  | "LINKS_TOO_MANY"
  /** a link of an epoch not asked for (at or below `after`) or out of epoch order */
  | "LINKS_NOT_ASKED"
  /** a link that does not verify from the set before it (`problem` says how: sdk/epochs.ts) */
  | "LINKS_INVALID";

export type EpochLinksAnswer =
  | { ok: true; links: EpochLink[]; /** how many of them this node did not hold before */ kept: number }
  | { ok: false; code: EpochLinksAnswerCode; reason: string; problem?: EpochLinkProblemCode; link?: number };

/** A peer to ask for links (node.ts builds one per connected peer; snapshot sync, its snapshot's server). */
export interface EpochLinkPeer {
  name: string;
  /** one exchange on /tradeledger/epoch-links/1: the answer's raw frames; rejects (a SyncError) if none came */
  request(request: Uint8Array, opts: { maxFrames: number; maxBytes: number }): Promise<Uint8Array[]>;
  /** blames the peer for a refused answer (p2p scoring) */
  penalize(reason: string): void;
}

/** The stable checkpoint's proof as clients check it, naming the epoch whose set signed it. */
function checkpointCertificateOfEpoch(epoch: bigint, sc: StableCheckpoint): CheckpointCertificate {
  return {
    ...(epoch !== 0n ? { epoch } : {}),
    seq: sc.seq,
    timestamp: sc.timestamp,
    blockHash: sc.stateDigest,
    signatures: sc.proof.map((c) => ({ replica: c.replica, signature: c.signature })),
  };
}

/**
 * The link of epoch `nextEpoch` from the store as it is now, which must be exactly at the switch seq
 * E = checkpoint.seq. Throws EpochLinkError if the store is elsewhere or its v/set record is not the
 * one the switch starts (another version, another switchAt): the driver broke its contract.
 */
export async function buildEpochLink(store: Store, e: EpochEnded): Promise<EpochLink> {
  const at = e.checkpoint.seq;
  const header = await store.blocks.headerBytes(at);
  await store.whenIdle();
  // Synchronous from here: no commit can interleave, so the height, value and proof agree.
  const height = store.meta?.height;
  if (height !== at) throw new EpochLinkError(`epoch ${e.epoch} ended at ${at} but the store is at ${String(height)}: the set at the switch can no longer be proven`);
  const { value, proof } = store.state.proveSync(VALIDATOR_SET_STATE_KEY);
  if (!header) throw new EpochLinkError(`no header of block ${at}, where epoch ${e.epoch} ended`);
  if (!value) throw new EpochLinkError(`no validator set in state at ${at}, where epoch ${e.epoch} ended`);
  const set = decodeValidatorSet(value);
  if (set.version !== e.nextEpoch || set.switchAt !== at) {
    throw new EpochLinkError(`the set in state at ${at} is version ${set.version} switching at ${set.switchAt}, not epoch ${e.nextEpoch} switching at ${at}`);
  }
  return { epoch: e.nextEpoch, checkpoint: checkpointCertificateOfEpoch(e.epoch, e.checkpoint), header, setRecord: value, proof };
}

export interface EpochLinksDeps {
  store: Store;
  /** the genesis validator set (the chain id and the genesis validators' node keys) */
  genesis: ValidatorSet;
  crypto: Crypto;
  logger: Logger;
}

/**
 * Builds, checks and keeps the epoch links of this node (one owner of the fact "which switches this
 * node can prove"). `onEpochEnded` is the driver's hook.
 */
export class EpochLinks {
  /** the links held, ascending by epoch (loaded once; this object is the store's only writer of them) */
  private held: Promise<EpochLink[]> | undefined;
  /** offers and switches, one at a time */
  private queue: Promise<unknown> = Promise.resolve();
  /** links offered by peers that did not verify, and answers refused (counted; never stored) */
  refused = 0;
  /** the prefix of the held links that verifies from genesis, and the chain it proves (recomputed after a keep) */
  private provenCache: Promise<{ links: EpochLink[]; chain: ValidatorSetChain }> | undefined;

  constructor(private readonly deps: EpochLinksDeps) {}

  /**
   * At a switch: builds the link of the next epoch, verifies it with the sets this node already
   * proves (genesis and the links it holds, as a client would), and stores it (fsync). Idempotent:
   * a link already held (a restart between the hook and the new replica) is kept as it is. Throws
   * EpochLinkError if the link cannot be built or does not verify: a broken invariant, never a link
   * served that a client would refuse.
   */
  readonly onEpochEnded: OnEpochEnded = (e) => this.serially(() => this.atSwitch(e));

  private async atSwitch(e: EpochEnded): Promise<void> {
    const held = await this.links();
    if (held.some((l) => l.epoch === e.nextEpoch)) return;
    const link = await buildEpochLink(this.deps.store, e);
    const before = held.filter((l) => l.epoch < e.nextEpoch);
    const last = before.length === 0 ? 0n : before[before.length - 1]!.epoch;
    if (last !== e.epoch) {
      // an earlier switch passed while this node was elsewhere (a snapshot past it): its link is
      // missing, so this one cannot be checked from genesis here; kept all the same, clients check the chain
      this.deps.logger.warn("epoch link kept unverified: the link of an earlier epoch is missing here", { epoch: e.nextEpoch.toString(), newestHeld: last.toString() });
      await this.keep(link);
      return;
    }
    const check = this.verify([...before, link]);
    if (!check.ok) {
      const p = check.problems[0]!;
      throw new EpochLinkError(`the link of epoch ${e.nextEpoch} does not verify with the sets this node holds: ${p.code} ${p.message}`);
    }
    await this.keep(link);
    this.deps.logger.info("epoch link kept", { epoch: e.nextEpoch.toString(), switchAt: e.checkpoint.seq.toString(), validators: check.chain.epochs[check.chain.epochs.length - 1]!.validators.length });
  }

  /**
   * Links a peer sent with a block-sync answer (node/net/block-sync.ts): each one this node lacks
   * and that verifies from the genesis set through the links it holds is kept; others are dropped
   * (a forged one is counted). How a node that followed, caught up or joined learns the switches it
   * passed without running the old epoch's replica. Never throws.
   */
  offer(links: readonly EpochLink[], from: string): Promise<void> {
    return this.serially(async () => {
      for (const link of [...links].sort((a, b) => (a.epoch < b.epoch ? -1 : a.epoch > b.epoch ? 1 : 0))) {
        const held = await this.links();
        if (held.some((l) => l.epoch === link.epoch)) continue;
        const before = held.filter((l) => l.epoch < link.epoch);
        const check = this.verify([...before, link]);
        if (!check.ok) {
          // a link after a gap (one this node lacks) cannot be checked yet: no fault of the peer's
          const p = check.problems[0]!;
          const gap = p.link < before.length || (p.link === before.length && p.code === "WRONG_EPOCH");
          if (!gap) {
            this.refused++;
            this.deps.logger.warn("epoch link refused", { from, epoch: String(link.epoch), reason: `${p.code} ${p.message}` });
          }
          continue;
        }
        await this.keep(link);
        this.deps.logger.info("epoch link learnt from a peer", { from, epoch: link.epoch.toString(), switchAt: link.checkpoint.seq.toString() });
      }
    }).catch((err: unknown) => this.deps.logger.error("epoch links offered could not be kept", { from, err }));
  }

  /** The links held, ascending by epoch (what GET /v1/validator-sets serves). */
  links(): Promise<EpochLink[]> {
    return (this.held ??= this.deps.store.blocks.epochLinks());
  }

  /**
   * The links held that verify from the genesis set without a gap, ascending, and the chain of sets
   * they prove: what this node serves on request (node/net/epoch-links.ts) and what snapshot sync
   * checks a later epoch's snapshot with. A link held after a gap is not in it.
   */
  proven(): Promise<{ links: EpochLink[]; chain: ValidatorSetChain }> {
    return (this.provenCache ??= this.links().then((held) => {
      const r = this.verify(held);
      return { links: held.slice(0, r.chain.epochs.length - 1), chain: r.chain };
    }));
  }

  /** The last epoch proven from genesis (0: none but the genesis set). */
  async provenThrough(): Promise<bigint> {
    const { chain } = await this.proven();
    return chain.epochs[chain.epochs.length - 1]!.epoch;
  }

  /**
   * Whether this node lacks links: it proves fewer epochs than `inForce` (the epoch of its head's
   * state), or holds a link after a gap (GET /v1/validator-sets would serve a chain that stops).
   */
  async lacks(inForce: bigint): Promise<boolean> {
    const held = await this.links();
    const newest = held.length === 0 ? 0n : held[held.length - 1]!.epoch;
    const through = await this.provenThrough();
    return through < (inForce > newest ? inForce : newest);
  }

  /**
   * Checks an answer to `asked` and keeps its links (fsync'd) if every one verifies from the sets
   * this node proves through `asked.after`; otherwise keeps nothing, counts it and returns the typed
   * reason (the caller blames the peer). Never throws for what a peer sent.
   */
  takeAnswer(frames: readonly Uint8Array[], asked: EpochLinksRequest, from: string): Promise<EpochLinksAnswer> {
    return this.serially(async () => {
      const r = this.checkAnswer(frames, asked, (await this.proven()).links.filter((l) => l.epoch <= asked.after));
      if (!r.ok) {
        this.refused++;
        this.deps.logger.warn("epoch links answer refused", { from, code: r.code, ...(r.problem ? { problem: r.problem } : {}), reason: r.reason });
        return r;
      }
      const held = await this.links();
      let kept = 0;
      for (const link of r.links) {
        if (held.some((l) => l.epoch === link.epoch)) continue;
        await this.keep(link);
        kept++;
        this.deps.logger.info("epoch link received on request", { from, epoch: link.epoch.toString(), switchAt: link.checkpoint.seq.toString() });
      }
      return { ...r, kept };
    });
  }

  private checkAnswer(frames: readonly Uint8Array[], asked: EpochLinksRequest, before: EpochLink[]): EpochLinksAnswer {
    if (!Array.isArray(frames)) return { ok: false, code: "LINKS_MALFORMED", reason: "the answer is not a list of frames" };
    if (frames.length > asked.maxLinks) return { ok: false, code: "LINKS_TOO_MANY", reason: `${frames.length} links, at most ${asked.maxLinks} asked for` };
    const links: EpochLink[] = [];
    for (const [i, frame] of frames.entries()) {
      const l = frame instanceof Uint8Array ? decodeEpochLinkFrame(frame) : new Error("not bytes");
      if (l instanceof Error) return { ok: false, code: "LINKS_MALFORMED", reason: `link ${i} does not decode: ${l.message}`, link: i };
      const floor = i === 0 ? asked.after : links[i - 1]!.epoch;
      if (l.epoch <= floor) return { ok: false, code: "LINKS_NOT_ASKED", reason: `link ${i} is of epoch ${l.epoch}, not after ${floor}${i === 0 ? " (asked for the links after it)" : " (the link before it)"}`, link: i };
      links.push(l);
    }
    if (links.length === 0) return { ok: true, links, kept: 0 };
    const check = this.verify([...before, ...links]);
    if (!check.ok) {
      const p = check.problems[0]!;
      const at = p.link - before.length;
      return { ok: false, code: "LINKS_INVALID", problem: p.code, reason: `link ${at} (epoch ${String(links[at]?.epoch)}): ${p.code} ${p.message}`, link: at };
    }
    return { ok: true, links, kept: 0 };
  }

  /**
   * Asks one peer for the links after the last epoch this node proves, again while its answers are
   * full, until it proves `through` (or it has no more). A refused answer blames the peer and ends
   * the asking; a peer that cannot answer (not connected, an older node) is no fault. Returns the
   * number of links kept. Never throws.
   */
  async askPeer(peer: EpochLinkPeer, through?: bigint): Promise<number> {
    let kept = 0;
    for (let round = 0; round < 1024; round++) {
      const after = await this.provenThrough();
      if (through !== undefined && after >= through) break;
      const asked = { after, maxLinks: MAX_LINKS_PER_ANSWER };
      let frames: Uint8Array[];
      try {
        frames = await peer.request(encodeEpochLinksRequest(asked), { maxFrames: asked.maxLinks, maxBytes: EPOCH_LINKS_ANSWER_BYTES });
      } catch (err) {
        this.deps.logger.debug("epoch links not fetched from peer", { peer: peer.name, err });
        break;
      }
      let r: EpochLinksAnswer;
      try {
        r = await this.takeAnswer(frames, asked, peer.name);
      } catch (err) {
        // our own store failed (closing): no fault of the peer's
        this.deps.logger.warn("epoch links received could not be kept", { peer: peer.name, err });
        break;
      }
      if (!r.ok) {
        peer.penalize(`epoch links: ${r.code} ${r.reason}`);
        break;
      }
      kept += r.kept;
      // a short answer is all the peer proves; a full one may have more behind it
      if (r.links.length < asked.maxLinks) break;
    }
    return kept;
  }

  /**
   * Asks `peers` in turn until this node proves the chain from genesis to `inForce` with no link
   * held after a gap. Returns whether it does. Never throws.
   */
  async catchUp(inForce: bigint, peers: readonly EpochLinkPeer[]): Promise<boolean> {
    for (const peer of peers) {
      if (!(await this.lacks(inForce))) return true;
      await this.askPeer(peer);
    }
    return !(await this.lacks(inForce));
  }

  /**
   * While this node lacks links (after a snapshot restore, or a link held after a gap), asks its
   * connected peers, checking every `everyMs` (default 3 s; nothing is sent while it lacks none).
   * After a round of asking that left it lacking (no peer holds the link yet, or none answered),
   * the next round waits twice as long, up to `maxEveryMs` (default 60 s). Returns the function that stops it.
   */
  keepProving(deps: { inForce: () => bigint; peers: () => EpochLinkPeer[]; everyMs?: number; maxEveryMs?: number }): () => void {
    const every = deps.everyMs ?? 3_000;
    const maxEvery = Math.max(every, deps.maxEveryMs ?? 60_000);
    let wait = every;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const inForce = deps.inForce();
        const peers = (await this.lacks(inForce)) ? deps.peers() : [];
        if (peers.length === 0) wait = every; // lacking none, or no peer connected yet: look again soon
        else if (await this.catchUp(inForce, peers)) {
          wait = every;
          this.deps.logger.info("epoch links complete from genesis", { through: (await this.provenThrough()).toString() });
        } else wait = Math.min(wait * 2, maxEvery);
      } catch (err) {
        this.deps.logger.error("asking peers for epoch links failed", { err });
      }
      if (!stopped) {
        timer = setTimeout(() => void tick(), wait);
        timer.unref?.();
      }
    };
    timer = setTimeout(() => void tick(), 0);
    timer.unref?.();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }

  /** The links whose switch seq is in [lo, hi] (what a block-sync answer carries). */
  async near(lo: bigint, hi: bigint): Promise<EpochLink[]> {
    return (await this.links()).filter((l) => l.checkpoint.seq >= lo && l.checkpoint.seq <= hi);
  }

  private verify(links: EpochLink[]) {
    return verifyValidatorSets(this.deps.genesis, links, { hash: this.deps.crypto.sha256, verify: (k, m, s) => this.deps.crypto.verify(k, m, s) });
  }

  private async keep(link: EpochLink): Promise<void> {
    await this.deps.store.putEpochLink(link);
    const held = await this.links();
    this.held = Promise.resolve([...held.filter((l) => l.epoch !== link.epoch), link].sort((a, b) => (a.epoch < b.epoch ? -1 : 1)));
    this.provenCache = undefined;
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The driver's onEpochEnded hook for a node's store: builds, verifies and keeps each switch's link. */
export function epochLinkHook(deps: EpochLinksDeps): OnEpochEnded {
  return new EpochLinks(deps).onEpochEnded;
}
