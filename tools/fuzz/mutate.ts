// libFuzzer-style mutations of byte strings: each new input is a corpus entry changed by one to
// four of: flip a bit, set a byte to a random or an interesting value, add to a byte, insert or erase a run,
// copy a run within the input, overwrite or insert a dictionary token, splice with another entry,
// and rewrite an unsigned LEB128 varint (protobuf lengths and tags) to a boundary value.
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x40, 0x20, 0x10, 0x08, 0x3f, 0x7e, 0xfe];
const VARINTS = [0, 1, 127, 128, 255, 16_383, 16_384, 65_535, 65_536, 2 ** 21, 2 ** 28 - 1, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];

/** A small seeded generator (mulberry32): the same seed gives the same mutations. */
export class Rand {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

export class Mutator {
  private readonly rand: Rand;
  constructor(
    seed: number,
    private readonly maxLen: number,
    private readonly dictionary: readonly Uint8Array[],
  ) {
    this.rand = new Rand(seed);
  }

  mutate(corpus: readonly Uint8Array[]): Uint8Array {
    const r = this.rand;
    let data = Array.from(corpus.length > 0 ? r.pick(corpus) : new Uint8Array(0));
    const steps = 1 + r.int(4);
    for (let s = 0; s < steps; s++) data = this.once(data, corpus);
    if (data.length > this.maxLen) data.length = this.maxLen;
    return Uint8Array.from(data);
  }

  private once(d: number[], corpus: readonly Uint8Array[]): number[] {
    const r = this.rand;
    const at = () => r.int(d.length + 1);
    switch (r.int(12)) {
      case 11: // a random byte
        if (d.length > 0) d[r.int(d.length)] = r.int(256);
        return d;
      case 0: // flip a bit
        if (d.length > 0) {
          const i = r.int(d.length);
          d[i] = d[i]! ^ (1 << r.int(8));
        }
        return d;
      case 1: // interesting byte
        if (d.length > 0) d[r.int(d.length)] = r.pick(INTERESTING);
        return d;
      case 2: // add to a byte
        if (d.length > 0) {
          const i = r.int(d.length);
          d[i] = (d[i]! + r.int(70) - 35) & 0xff;
        }
        return d;
      case 3: {
        // insert random bytes
        const n = 1 + r.int(8);
        d.splice(at(), 0, ...Array.from({ length: n }, () => r.int(256)));
        return d;
      }
      case 4: // erase a run
        if (d.length > 0) {
          const i = r.int(d.length);
          d.splice(i, 1 + r.int(Math.min(16, d.length - i)));
        }
        return d;
      case 5: {
        // copy a run elsewhere (repeated fields, nested messages)
        if (d.length === 0) return d;
        const i = r.int(d.length);
        const run = d.slice(i, i + 1 + r.int(Math.min(64, d.length - i)));
        d.splice(at(), 0, ...run);
        return d;
      }
      case 6:
      case 7: {
        // dictionary token: insert or overwrite
        if (this.dictionary.length === 0) return this.once(d, corpus);
        const token = Array.from(r.pick(this.dictionary));
        const i = at();
        if (r.int(2) === 0) d.splice(i, 0, ...token);
        else d.splice(i, token.length, ...token);
        return d;
      }
      case 8: {
        // splice with another corpus entry
        if (corpus.length === 0) return d;
        const other = r.pick(corpus);
        const cut = r.int(d.length + 1);
        const from = r.int(other.length + 1);
        return d.slice(0, cut).concat(Array.from(other.subarray(from)));
      }
      case 9: {
        // rewrite a varint (a protobuf tag or length) to a boundary value
        if (d.length === 0) return d;
        let i = r.int(d.length);
        while (i > 0 && d[i - 1]! & 0x80) i--;
        let j = i;
        while (j < d.length && d[j]! & 0x80) j++;
        d.splice(i, j - i + 1, ...varint(r.pick(VARINTS) + (r.int(3) - 1 > 0 ? 1 : 0)));
        return d;
      }
      default: {
        // ASCII digit or character change (JSON numbers, hex strings)
        if (d.length === 0) return d;
        d[r.int(d.length)] = r.pick([0x30, 0x31, 0x39, 0x2d, 0x2e, 0x65, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x61, 0x66, 0x00]);
        return d;
      }
    }
  }
}
