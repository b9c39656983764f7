// Remembers transaction signatures this node has already verified, so each signature is checked
// once per node (at admission or on first sight in a proposed batch), never once per phase.
//
// Keyed by tx hash AND signature bytes: the tx hash covers only the body, so a copy of a valid
// transaction carrying a different (forged) signature has the same hash. Matching on the hash alone
// would let this node accept bytes that other nodes reject: a fork in execution. And by the public
// key it verified under: after a party rotates its key (docs/governance.md), a signature verified under the
// retired key must not pass as verified under the new one.
import { equalBytes } from "../../sdk/bytes.js";
import type { Crypto } from "../../sdk/crypto.js";
import { txSigningBytes, verifyTxSignature, type Tx } from "../../sdk/tx.js";
import type { VerifyPool } from "./verify-pool.js";

export class SignatureCache {
  private readonly verified = new Map<string, { signature: Uint8Array; publicKey: Uint8Array }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly crypto: Crypto,
    // entries of ~300 bytes (hex hash, copied signature, the map's slot): ~20 MiB; a transaction
    // needs its entry from admission to execution, seconds at most
    private readonly capacity = 65_536,
  ) {}

  /** Verifies tx's signature under publicKey, consulting and filling the cache. */
  verify(tx: Pick<Tx, "hashHex" | "bodyBytes" | "signature">, publicKey: Uint8Array): boolean {
    if (this.known(tx, publicKey)) return true;
    if (!verifyTxSignature(this.crypto, publicKey, tx)) return false;
    this.remember(tx, publicKey);
    return true;
  }

  /**
   * verify, with a miss checked on `pool`'s workers (verify-pool.ts: the same verdict) while the
   * event loop goes on; inline without a pool.
   */
  async verifyOff(tx: Pick<Tx, "hashHex" | "bodyBytes" | "signature">, publicKey: Uint8Array, pool: VerifyPool | undefined): Promise<boolean> {
    if (!pool) return this.verify(tx, publicKey);
    if (this.known(tx, publicKey)) return true;
    if (!(await pool.verify(publicKey, txSigningBytes(tx.bodyBytes), tx.signature))) return false;
    this.remember(tx, publicKey);
    return true;
  }

  private known(tx: Pick<Tx, "hashHex" | "signature">, publicKey: Uint8Array): boolean {
    const known = this.verified.get(tx.hashHex);
    if (known && equalBytes(known.signature, tx.signature) && equalBytes(known.publicKey, publicKey)) {
      this.hits++;
      return true;
    }
    this.misses++;
    return false;
  }

  private remember(tx: Pick<Tx, "hashHex" | "signature">, publicKey: Uint8Array): void {
    if (this.verified.size >= this.capacity) {
      // Drop the oldest entry (Map iterates in insertion order): a miss only costs a re-verify.
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    // A copy of the 64 bytes: the decoded signature is a view into the bytes it came in (a request
    // body, a p2p frame of many messages), which the cache would otherwise keep alive whole.
    this.verified.set(tx.hashHex, { signature: tx.signature.slice(), publicKey });
  }

  forget(hashHex: string): void {
    this.verified.delete(hashHex);
  }

  get size(): number {
    return this.verified.size;
  }
}
