// A bounded pool of admitted transactions waiting to be ordered. Admission runs the checks that
// need no ordering (DESIGN §2: "every transaction that passes signature and format checks is
// ordered"): size, decode, chain id, known signer, signature (once, cached), freshness, not already
// committed. Domain rules (double financing, ...) are NOT checked here: a rejected attempt must
// still be ordered so its receipt becomes evidence.
// What a client learns is limited (docs/security.md §5): an unknown signer is answered exactly as
// a signature that does not verify (BAD_SIGNATURE, same message, a verification spent either way),
// so party ids cannot be enumerated through submissions; and each party may hold at most
// maxTxsPerParty transactions and maxBytesPerParty bytes pending among those submitted by clients
// to this node (MEMPOOL_FULL, scope "party"), so no party can fill the pool or, through it, every
// node's blocks and storage at will.
// Which of its transactions are in flight (in a proposed or accepted batch, or a block not yet
// executed) is not the pool's to know: it asks the owner of that fact, the driver's proposer.
import type { Crypto } from "../../sdk/crypto.js";
import { toHex } from "../../sdk/bytes.js";
import { CodecError, decode } from "../../sdk/codec.js";
import type { SignedTxWire } from "../../sdk/tx.js";
import { decodeTx, MAX_TX_BYTES, txSigningBytes, verifyTxSignature, type Tx } from "../../sdk/tx.js";
import type { SignatureCache } from "./sigcache.js";
import type { VerifyPool } from "./verify-pool.js";
import { NOTHING_IN_FLIGHT, type InFlightTxs } from "./proposer.js";

export type AdmissionCode =
  | "MALFORMED"
  | "WRONG_CHAIN"
  | "UNKNOWN_SIGNER"
  | "BAD_SIGNATURE"
  | "KEY_RETIRED"
  | "TX_EXPIRED"
  | "DUPLICATE_TX"
  | "MEMPOOL_FULL";

export type Admission =
  | { ok: true; tx: Tx; /** already pending: an idempotent resubmission */ alreadyPending: boolean }
  | { ok: false; code: AdmissionCode; message: string; txHash?: string; /** MEMPOOL_FULL: the whole pool, or the signer's budget */ scope?: "pool" | "party" };

/**
 * Where a transaction comes from. Per-party budgets apply to "client" submissions (this node's
 * RPC); "peer" transactions (gossip from admitted validators) were already admitted under some
 * node's budget, and refusing them here would leave backups waiting on transactions the primary
 * will not propose (a needless view change).
 */
export type AdmissionOrigin = "client" | "peer";

/** The one answer to a signer that is not registered or whose signature does not verify. */
export const SIGNATURE_REFUSAL = "signature does not verify for the claimed signer";

export interface MempoolDeps {
  crypto: Crypto;
  sigCache: SignatureCache;
  /** workers for the signature check (config mempool.verifyWorkers; verify-pool.ts); inline without */
  verifyPool?: VerifyPool;
  chainId: string;
  /** the signer's public key in committed state, or undefined if unknown */
  partyKey(partyId: string): Promise<Uint8Array | undefined> | Uint8Array | undefined;
  /** keys the signer rotated away from (docs/governance.md): a signature under one is KEY_RETIRED */
  retiredKeys?(partyId: string): readonly Uint8Array[];
  /** whether a tx hash was committed in a block already */
  isCommitted(hashHex: string): Promise<boolean> | boolean;
  /** payload format check (sdk/validate.ts); returns a message naming the bad field, or null */
  checkFormat?: (tx: Tx) => string | null;
  /** local clock for the freshness pre-check; consensus re-checks against block time */
  now?: () => number;
}

export interface MempoolOptions {
  maxTxs: number;
  maxBytes: number;
  txMaxAgeMs: number;
  txMaxFutureMs: number;
  /** pending transactions one signer may have among client submissions (default 1,000) */
  maxTxsPerParty?: number;
  /** pending bytes one signer may have among client submissions (default 4 MiB) */
  maxBytesPerParty?: number;
}

export const DEFAULT_MAX_TXS_PER_PARTY = 1_000;
export const DEFAULT_MAX_BYTES_PER_PARTY = 4 * 1024 * 1024;

interface Entry {
  tx: Tx;
  size: number;
}

interface PartyUsage {
  txs: number;
  bytes: number;
}

export class Mempool {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** pending transactions and bytes per signer (every origin) */
  private readonly perParty = new Map<string, PartyUsage>();
  /** a valid public key no party holds: unknown signers cost the same verification as known ones */
  private readonly decoyKey: Uint8Array;
  private inFlight: InFlightTxs = NOTHING_IN_FLIGHT;
  readonly rejected: Record<AdmissionCode, number> = {
    MALFORMED: 0,
    WRONG_CHAIN: 0,
    UNKNOWN_SIGNER: 0,
    BAD_SIGNATURE: 0,
    KEY_RETIRED: 0,
    TX_EXPIRED: 0,
    DUPLICATE_TX: 0,
    MEMPOOL_FULL: 0,
  };

  constructor(
    private readonly opts: MempoolOptions,
    private readonly deps: MempoolDeps,
  ) {
    this.decoyKey = deps.crypto.publicKeyFromSeed(deps.crypto.sha256(new TextEncoder().encode("tradeledger/mempool/decoy-signer")));
  }

  /** What `partyId` has pending: transactions and bytes. */
  pendingOf(partyId: string): { txs: number; bytes: number } {
    const u = this.perParty.get(partyId);
    return { txs: u?.txs ?? 0, bytes: u?.bytes ?? 0 };
  }

  get size(): number {
    return this.entries.size;
  }
  get sizeBytes(): number {
    return this.bytes;
  }
  /** transactions not in flight */
  get available(): number {
    return this.entries.size - this.inFlight.countIn(this);
  }

  /** The owner of in-flight transactions (node/driver/proposer.ts): reap and pendingTxs skip what it holds. */
  trackInFlightWith(owner: InFlightTxs): void {
    this.inFlight = owner;
  }

  has(hashHex: string): boolean {
    return this.entries.has(hashHex);
  }

  /**
   * The pending transaction whose SignedTx bytes are exactly `bytes`, decoded at its admission, or
   * undefined. A backup meets most of a batch's transactions in its pool first: reading the
   * envelope and hashing the body (~3 us) saves decoding and re-checking the body (~25 us).
   */
  decodedCopy(bytes: Uint8Array): Tx | undefined {
    if (this.entries.size === 0) return undefined;
    let body: Uint8Array;
    try {
      body = decode<SignedTxWire>("SignedTx", bytes).body;
    } catch {
      return undefined;
    }
    const entry = this.entries.get(toHex(this.deps.crypto.sha256(body)));
    if (!entry || entry.tx.bytes.length !== bytes.length || Buffer.compare(entry.tx.bytes, bytes) !== 0) return undefined;
    return entry.tx;
  }
  get(hashHex: string): Tx | undefined {
    return this.entries.get(hashHex)?.tx;
  }

  private refuse(code: AdmissionCode, message: string, txHash?: string, scope?: "pool" | "party"): Admission {
    this.rejected[code]++;
    return { ok: false, code, message, ...(txHash ? { txHash } : {}), ...(scope ? { scope } : {}) };
  }

  /** Decodes and checks raw SignedTx bytes; on success the tx is pending. Never throws on bad input. */
  async admit(bytes: Uint8Array, origin: AdmissionOrigin = "client"): Promise<Admission> {
    if (!(bytes instanceof Uint8Array)) return this.refuse("MALFORMED", "expected transaction bytes");
    if (bytes.length > MAX_TX_BYTES) return this.refuse("MALFORMED", `transaction of ${bytes.length} bytes exceeds ${MAX_TX_BYTES}`);
    let tx: Tx;
    try {
      tx = decodeTx(this.deps.crypto, bytes);
    } catch (err) {
      if (err instanceof CodecError) return this.refuse("MALFORMED", err.message);
      throw err;
    }
    return this.admitDecoded(tx, origin);
  }

  /** Admission of an already-decoded transaction (e.g. from gossip, decoded at the p2p edge). */
  async admitDecoded(tx: Tx, origin: AdmissionOrigin = "client"): Promise<Admission> {
    const hash = tx.hashHex;
    const existing = this.entries.get(hash);
    if (existing) {
      // Same body: accept only the identical envelope (a different signature is another tx's bytes).
      if (existing.tx.bytes.length === tx.bytes.length && Buffer.compare(existing.tx.bytes, tx.bytes) === 0) {
        return { ok: true, tx: existing.tx, alreadyPending: true };
      }
      return this.refuse("DUPLICATE_TX", "a transaction with this body is already pending", hash);
    }
    const body = tx.body;
    if (body.chainId !== this.deps.chainId) {
      return this.refuse("WRONG_CHAIN", `transaction is for chain ${JSON.stringify(body.chainId)}, this is ${this.deps.chainId}`, hash);
    }
    const formatError = this.deps.checkFormat?.(tx);
    if (formatError) return this.refuse("MALFORMED", formatError, hash);
    const now = BigInt((this.deps.now ?? Date.now)());
    if (body.createdAt < now - BigInt(this.opts.txMaxAgeMs) || body.createdAt > now + BigInt(this.opts.txMaxFutureMs)) {
      return this.refuse("TX_EXPIRED", `createdAt ${body.createdAt} is outside [now - ${this.opts.txMaxAgeMs} ms, now + ${this.opts.txMaxFutureMs} ms]`, hash);
    }
    const key = await this.deps.partyKey(body.signer);
    if (!key) {
      // Indistinguishable from a bad signature, in code, message and work done: spend the same
      // verification on a key nobody holds (it cannot verify), then answer as below.
      if (this.deps.verifyPool) await this.deps.verifyPool.verify(this.decoyKey, txSigningBytes(tx.bodyBytes), tx.signature);
      else verifyTxSignature(this.deps.crypto, this.decoyKey, tx);
      this.rejected.UNKNOWN_SIGNER++;
      return { ok: false, code: "BAD_SIGNATURE", message: SIGNATURE_REFUSAL, txHash: hash };
    }
    if (!(await this.deps.sigCache.verifyOff(tx, key, this.deps.verifyPool))) {
      // A stale key is told apart (only its holder can produce such a signature): the client learns to re-sign.
      if (this.deps.retiredKeys?.(body.signer).some((k) => verifyTxSignature(this.deps.crypto, k, tx))) {
        return this.refuse("KEY_RETIRED", `signed with a retired key of ${body.signer}: it rotated its key; sign with the current one`, hash);
      }
      return this.refuse("BAD_SIGNATURE", SIGNATURE_REFUSAL, hash);
    }
    if (await this.deps.isCommitted(hash)) return this.refuse("DUPLICATE_TX", "transaction already committed", hash);
    if (this.entries.has(hash)) return { ok: true, tx: this.entries.get(hash)!.tx, alreadyPending: true }; // raced with itself
    const size = tx.bytes.length;
    if (origin === "client") {
      const used = this.pendingOf(body.signer);
      const maxTxs = this.opts.maxTxsPerParty ?? DEFAULT_MAX_TXS_PER_PARTY;
      const maxBytes = this.opts.maxBytesPerParty ?? DEFAULT_MAX_BYTES_PER_PARTY;
      if (used.txs + 1 > maxTxs || used.bytes + size > maxBytes) {
        return this.refuse(
          "MEMPOOL_FULL",
          `${body.signer} has ${used.txs} transactions (${used.bytes} bytes) pending, its budget is ${maxTxs} (${maxBytes} bytes): retry once some are committed`,
          hash,
          "party",
        );
      }
    }
    if (this.entries.size >= this.opts.maxTxs || this.bytes + size > this.opts.maxBytes) {
      return this.refuse("MEMPOOL_FULL", `mempool full (${this.entries.size} txs, ${this.bytes} bytes)`, hash, "pool");
    }
    this.entries.set(hash, { tx, size });
    this.bytes += size;
    const u = this.perParty.get(body.signer);
    if (u) {
      u.txs++;
      u.bytes += size;
    } else this.perParty.set(body.signer, { txs: 1, bytes: size });
    return { ok: true, tx, alreadyPending: false };
  }

  /**
   * Up to maxTxs / maxBytes transactions not in flight, oldest first. They stay in the pool until
   * committed; the proposer that cuts a batch of them holds them in flight meanwhile.
   */
  reap(maxTxs: number, maxBytes: number): Tx[] {
    const out: Tx[] = [];
    let bytes = 0;
    for (const entry of this.entries.values()) {
      if (out.length >= maxTxs) break;
      if (this.inFlight.has(entry.tx.hashHex)) continue;
      if (bytes + entry.size > maxBytes) {
        if (out.length === 0) continue; // never block the pool behind one tx bigger than a batch
        break;
      }
      bytes += entry.size;
      out.push(entry.tx);
    }
    return out;
  }

  /** Pending transactions not in flight, oldest first. */
  *pendingTxs(): Generator<Tx> {
    for (const e of this.entries.values()) if (!this.inFlight.has(e.tx.hashHex)) yield e.tx;
  }

  /** Drops transactions that a committed block carried (whoever proposed them). */
  removeCommitted(hashes: Iterable<string>): void {
    for (const h of hashes) {
      const e = this.entries.get(h);
      if (!e) continue;
      this.bytes -= e.size;
      this.entries.delete(h);
      const signer = e.tx.body.signer;
      const u = this.perParty.get(signer);
      if (u) {
        u.txs--;
        u.bytes -= e.size;
        if (u.txs <= 0) this.perParty.delete(signer);
      }
      this.deps.sigCache.forget(h);
    }
  }
}
