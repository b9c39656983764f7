// Length-prefixed framing of channel streams: each frame is an unsigned LEB128 varint length
// (the multiformats unsigned-varint used by every libp2p length-prefixed protocol) followed by
// that many payload bytes. We decode incrementally ourselves, rather than through lpStream's
// reader, to dispatch each frame synchronously as bytes arrive, to stop at a frame boundary
// when the consumer is slow, and to reject an oversized length before buffering any payload.
// A frame's buffer grows with the bytes that actually arrived (doubling, from FIRST_FRAME_CHUNK,
// capped at the announced length), never to the announced length up front: a peer that announces
// the channel's maximum and sends ten bytes makes the receiver hold about ten bytes, not 64 MiB.

/** Longest varint we ever read: 5 bytes cover every length below 2^35, far above any limit. */
const MAX_VARINT_BYTES = 5;
/** First allocation for a frame's payload (or the whole frame, if shorter): 16 KiB. */
export const FIRST_FRAME_CHUNK = 16 * 1024;

export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
  const out = new Uint8Array(varintLength(value));
  let i = 0;
  while (value >= 0x80) {
    out[i++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[i] = value;
  return out;
}

/** The prefix and payload of one frame, ready for a single stream write. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const prefix = encodeVarint(payload.length);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}

const EMPTY = new Uint8Array(0);

export type FrameErrorKind = "oversized" | "bad_length";

/** A framing violation: the stream cannot be resynchronised and must be reset. */
export class FrameError extends Error {
  override readonly name = "FrameError";
  constructor(
    readonly kind: FrameErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Something `push` accepts: a Uint8Array or libp2p's Uint8ArrayList (anything with subarray()). */
export type Chunk = Uint8Array | { byteLength: number; subarray(): Uint8Array };

/**
 * Pull-based incremental decoder. push() appends received bytes, next() returns the next complete
 * frame (a fresh copy the caller may keep) or null when more bytes are needed, and throws
 * FrameError on a length above maxFrameBytes or a non-minimal / overlong varint.
 */
export class FrameDecoder {
  private readonly chunks: Uint8Array[] = [];
  private offset = 0; // read position in chunks[0]
  private pending = 0; // unread bytes across chunks
  private lengthValue = 0;
  private lengthBytes = 0;
  /** the announced length of the frame being read, or -1 between frames */
  private frameLength = -1;
  /** the frame's bytes so far; grows as they arrive, up to frameLength */
  private frame: Uint8Array = EMPTY;
  private filled = 0;

  constructor(private readonly maxFrameBytes: number) {
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 0) throw new RangeError("maxFrameBytes must be a non-negative integer");
  }

  /** Bytes received but not yet returned as frames (including a partly filled frame). */
  get bufferedBytes(): number {
    return this.pending + this.filled;
  }

  /**
   * Memory the decoder holds for the peer: received chunks not yet copied plus the capacity of the
   * partial frame's buffer. At most about twice the bytes received (plus FIRST_FRAME_CHUNK), and
   * never more than maxFrameBytes plus what is pending, whatever length the peer announced.
   */
  get heldBytes(): number {
    return this.pending + this.frame.length;
  }

  push(chunk: Chunk): void {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.pending += bytes.length;
  }

  next(): Uint8Array | null {
    if (this.frameLength < 0) {
      if (!this.readLength()) return null;
    }
    const length = this.frameLength;
    while (this.filled < length && this.pending > 0) {
      const head = this.chunks[0]!;
      const n = Math.min(length - this.filled, head.length - this.offset);
      this.reserve(this.filled + n);
      this.frame.set(head.subarray(this.offset, this.offset + n), this.filled);
      this.filled += n;
      this.consume(n);
    }
    if (this.filled < length) return null;
    // reserve() never grows past the announced length, so a complete frame fills its buffer exactly.
    const frame = length === 0 ? new Uint8Array(0) : this.frame;
    this.frame = EMPTY;
    this.filled = 0;
    this.frameLength = -1;
    return frame;
  }

  /** Grows the frame's buffer to hold `needed` bytes: doubling, capped at the announced length. */
  private reserve(needed: number): void {
    if (needed <= this.frame.length) return;
    let capacity = Math.max(this.frame.length * 2, Math.min(FIRST_FRAME_CHUNK, this.frameLength));
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(Math.min(capacity, this.frameLength));
    grown.set(this.frame.subarray(0, this.filled));
    this.frame = grown;
  }

  private readLength(): boolean {
    while (this.pending > 0) {
      const byte = this.chunks[0]![this.offset]!;
      this.consume(1);
      this.lengthValue += (byte & 0x7f) * 2 ** (7 * this.lengthBytes);
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes >= MAX_VARINT_BYTES) throw new FrameError("bad_length", "length prefix longer than 5 bytes");
        if (this.lengthValue > this.maxFrameBytes) throw new FrameError("oversized", `frame longer than ${this.maxFrameBytes} bytes`);
        continue;
      }
      // Minimal encoding only: a trailing zero byte (e.g. 0x80 0x00) has a shorter form.
      if (byte === 0 && this.lengthBytes > 1) throw new FrameError("bad_length", "non-minimal length prefix");
      const length = this.lengthValue;
      this.lengthValue = 0;
      this.lengthBytes = 0;
      if (length > this.maxFrameBytes) throw new FrameError("oversized", `frame of ${length} bytes exceeds ${this.maxFrameBytes}`);
      // Nothing is allocated yet: the buffer grows as payload bytes arrive (reserve).
      this.frameLength = length;
      this.frame = EMPTY;
      this.filled = 0;
      return true;
    }
    return false;
  }

  private consume(n: number): void {
    this.offset += n;
    this.pending -= n;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
