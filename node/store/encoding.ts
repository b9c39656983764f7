// Key encodings: fixed-width big-endian integers so byte order is numeric order, and strings with
// a u16 length prefix so no id can be a prefix of another (ids inside rejected transactions are
// attacker-chosen and may contain any byte).
import { StoreError } from "./errors.js";
import type { Bucket } from "./buckets.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Builds keys in a pooled Buffer (Buffer.allocUnsafe slices Node's shared slab, so a small key
 * costs no allocation of its own). done() returns a view of the bytes written so far; writing on
 * afterwards never changes them.
 */
export class KeyWriter {
  private buf: Buffer;
  private len: number;
  constructor(bucket: Bucket, capacity = 48) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.buf[0] = bucket;
    this.len = 1;
  }
  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.len);
    this.len += 4;
    return this;
  }
  u64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.len); // throws RangeError outside [0, 2^64)
    this.len += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  /** u16 byte length || utf8. Strings over 65535 bytes cannot be keys (none can reach a block). */
  str(s: string): this {
    const n = Buffer.byteLength(s, "utf8");
    if (n > 0xffff) throw new StoreError("STORE_BAD_REQUEST", `key component of ${n} bytes is too long`);
    this.u16(n);
    this.ensure(n);
    this.len += this.buf.write(s, this.len, "utf8");
    return this;
  }
  /** utf8 without a length (only as a key's last component). */
  utf8(s: string): this {
    const n = Buffer.byteLength(s, "utf8");
    this.ensure(n);
    this.len += this.buf.write(s, this.len, "utf8");
    return this;
  }
  /** The key so far (a view; later writes never change it). */
  done(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export function key(bucket: Bucket): KeyWriter {
  return new KeyWriter(bucket);
}

/** Reads components back out of a key (after its bucket byte). */
export class KeyReader {
  private off: number;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array, offset = 1) {
    this.off = offset;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.off + n > this.buf.length) throw new RangeError("key too short");
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.off);
    this.off += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.off);
    this.off += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = Uint8Array.from(this.buf.subarray(this.off, this.off + n));
    this.off += n;
    return v;
  }
  str(): string {
    const n = this.u16();
    this.need(n);
    const v = decoder.decode(this.buf.subarray(this.off, this.off + n));
    this.off += n;
    return v;
  }
  get offset(): number {
    return this.off;
  }
  get remaining(): number {
    return this.buf.length - this.off;
  }
}

export function u64be(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

export function readU64(b: Uint8Array, offset = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset);
}

export function readU32(b: Uint8Array, offset = 0): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(offset);
}

/** The smallest key greater than every key starting with `prefix`, or undefined if none exists. */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const out = Uint8Array.from(prefix); // a copy even when prefix is a Buffer (whose slice is a view)
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}
