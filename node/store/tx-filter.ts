// A Bloom filter over the hashes of committed transactions (the txByHash bucket), so the questions
// "was this transaction committed?" that almost always get "no" - mempool admission of every new
// transaction, the DUPLICATE_TX check of every transaction in a block, a submitter's commit wait -
// are answered from memory instead of a LevelDB lookup each. "Maybe" still goes to LevelDB, so
// the answer is exact; a false positive only costs the lookup that was always made before.
//
// Filled from the bucket by a background scan at open (until it finishes every question goes to
// LevelDB) and by every block commit after that. Entries are never removed (a hash, once taken,
// stays taken). The keys are SHA-256 outputs, so the hash's own bytes serve as the k indexes.
// 2^26 bits (8 MiB) and k = 7: 0.2% false positives at 5M committed transactions, 5% at 10M; past
// that the filter degrades toward a lookup per question, never toward a wrong answer.
export class CommittedTxFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  private readonly k: number;
  private _ready = false;
  private _count = 0;

  constructor(log2Bits = 26, k = 7) {
    if (!Number.isInteger(log2Bits) || log2Bits < 10 || log2Bits > 32) throw new RangeError("log2Bits must be in [10, 32]");
    if (!Number.isInteger(k) || k < 1 || k > 8) throw new RangeError("k must be in [1, 8] (one 32-bit word of the hash each)");
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = log2Bits === 32 ? 0xffffffff : 2 ** log2Bits - 1;
    this.k = k;
  }

  /** True once every committed hash is in the filter (the scan at open finished). */
  get ready(): boolean {
    return this._ready;
  }

  markReady(): void {
    this._ready = true;
  }

  /** Bytes of the bit array. */
  get byteLength(): number {
    return this.bits.byteLength;
  }

  /** Hashes added so far. */
  get count(): number {
    return this._count;
  }

  add(hash: Uint8Array): void {
    for (let i = 0; i < this.k; i++) {
      const bit = (word(hash, i) & this.mask) >>> 0;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this._count++;
  }

  /** False only if the hash was certainly never committed; true if it may have been (or the filter is not ready). */
  mayContain(hash: Uint8Array): boolean {
    if (!this._ready || hash.length < 4 * this.k) return true;
    for (let i = 0; i < this.k; i++) {
      const bit = (word(hash, i) & this.mask) >>> 0;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

function word(b: Uint8Array, i: number): number {
  const o = 4 * i;
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
