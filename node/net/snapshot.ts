// Snapshot pages (`/tradeledger/snapshot/1`, p2p/sync.ts moves the bytes): what a node restored
// from scratch copies instead of re-executing every block since genesis (state transfer of a
// certified checkpoint snapshot, docs/consensus.md §4.5). This file is the wire format and the
// serving policy; checking what is received is node/driver/snapshot-sync.ts's.
//
//   request  = u8 version (1) | u64 height | u64 maxHeight | u32 maxBytes | u16 cursorLength | cursor
//              height 0: the newest kept snapshot that has a checkpoint certificate, at or below
//              maxHeight (0: any); the cursor is the last key received (empty: from the start);
//              the page's frames total at most maxBytes
//   frame 0  = u8 version (1) | u64 height | u8 done | CheckpointCertificateMsg of block `height`
//   frame i  = ( u16 keyLength | u32 valueLength | key | value )*   entries in key order, after the cursor
import { decodeCheckpointRecord, encodeCheckpointRecord } from "../store/blocks.js";
import type { Store } from "../store/store.js";
import type { CheckpointCertificate } from "../../sdk/certified.js";
import type { SnapshotServer } from "../../p2p/index.js";

const VERSION = 1;
const MAX_CURSOR_BYTES = 512;
const REQUEST_HEAD = 23;
export const MIN_PAGE_BYTES = 128 * 1024;
/** room in a page for frame 0 (the header and the checkpoint certificate) */
const HEADER_ROOM = 32 * 1024;
/** entries are packed into frames of about this size */
const FRAME_BYTES = 256 * 1024;

export interface SnapshotRequest {
  height: bigint;
  maxHeight: bigint;
  /** the page's frames in total, at most (at least 128 KiB) */
  maxBytes: number;
  cursor: Uint8Array | undefined;
}

export interface SnapshotPageHeader {
  height: bigint;
  done: boolean;
  certificate: CheckpointCertificate;
}

/** A snapshot request this node refuses as malformed (the requester is at fault). */
export class SnapshotRequestError extends Error {
  override readonly name = "SnapshotRequestError";
  readonly code = "BAD_SNAPSHOT_REQUEST" as const;
}

/** Malformed frames from a peer (it served garbage). */
export class SnapshotFrameError extends Error {
  override readonly name = "SnapshotFrameError";
  readonly code = "BAD_SNAPSHOT_FRAME" as const;
}

export function encodeSnapshotRequest(r: SnapshotRequest): Uint8Array {
  const cursor = r.cursor ?? new Uint8Array(0);
  if (cursor.length > MAX_CURSOR_BYTES) throw new RangeError(`a snapshot cursor is at most ${MAX_CURSOR_BYTES} bytes`);
  const out = new Uint8Array(REQUEST_HEAD + cursor.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, VERSION);
  v.setBigUint64(1, r.height);
  v.setBigUint64(9, r.maxHeight);
  v.setUint32(17, r.maxBytes);
  v.setUint16(21, cursor.length);
  out.set(cursor, REQUEST_HEAD);
  return out;
}

export function decodeSnapshotRequest(bytes: Uint8Array): SnapshotRequest {
  if (bytes.length < REQUEST_HEAD || bytes[0] !== VERSION) throw new SnapshotRequestError("not a version-1 snapshot request");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const maxBytes = v.getUint32(17);
  if (maxBytes < MIN_PAGE_BYTES) throw new SnapshotRequestError(`a snapshot page is at least ${MIN_PAGE_BYTES} bytes`);
  const length = v.getUint16(21);
  if (length > MAX_CURSOR_BYTES || bytes.length !== REQUEST_HEAD + length) throw new SnapshotRequestError("snapshot request cursor length is wrong");
  return { height: v.getBigUint64(1), maxHeight: v.getBigUint64(9), maxBytes, cursor: length === 0 ? undefined : bytes.slice(REQUEST_HEAD) };
}

function encodePageHeader(height: bigint, done: boolean, certificate: CheckpointCertificate): Uint8Array {
  const cert = encodeCheckpointRecord(certificate);
  const out = new Uint8Array(10 + cert.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, VERSION);
  v.setBigUint64(1, height);
  v.setUint8(9, done ? 1 : 0);
  out.set(cert, 10);
  return out;
}

/** Frame 0 of a page; throws SnapshotFrameError if it is malformed. */
export function decodePageHeader(bytes: Uint8Array): SnapshotPageHeader {
  if (bytes.length < 11 || bytes[0] !== VERSION || (bytes[9] !== 0 && bytes[9] !== 1)) throw new SnapshotFrameError("malformed snapshot page header");
  const height = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(1);
  let certificate: CheckpointCertificate;
  try {
    certificate = decodeCheckpointRecord(bytes.subarray(10), height);
  } catch (err) {
    throw new SnapshotFrameError(`snapshot page header: ${(err as Error).message}`);
  }
  return { height, done: bytes[9] === 1, certificate };
}

export function packEntries(entries: readonly [Uint8Array, Uint8Array][]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let part: [Uint8Array, Uint8Array][] = [];
  let size = 0;
  const flush = () => {
    if (part.length === 0) return;
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    let o = 0;
    for (const [k, val] of part) {
      v.setUint16(o, k.length);
      v.setUint32(o + 2, val.length);
      out.set(k, o + 6);
      out.set(val, o + 6 + k.length);
      o += 6 + k.length + val.length;
    }
    frames.push(out);
    part = [];
    size = 0;
  };
  for (const e of entries) {
    if (size > 0 && size + 6 + e[0].length + e[1].length > FRAME_BYTES) flush();
    part.push(e);
    size += 6 + e[0].length + e[1].length;
  }
  flush();
  return frames;
}

/** The entries of one frame; throws SnapshotFrameError if it is malformed. */
export function unpackEntries(frame: Uint8Array): [Uint8Array, Uint8Array][] {
  const out: [Uint8Array, Uint8Array][] = [];
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let o = 0;
  while (o < frame.length) {
    if (o + 6 > frame.length) throw new SnapshotFrameError("truncated snapshot entry");
    const kl = v.getUint16(o);
    const vl = v.getUint32(o + 2);
    if (kl === 0 || o + 6 + kl + vl > frame.length) throw new SnapshotFrameError("snapshot entry overruns its frame");
    out.push([frame.slice(o + 6, o + 6 + kl), frame.slice(o + 6 + kl, o + 6 + kl + vl)]);
    o += 6 + kl + vl;
  }
  return out;
}

/**
 * Serves pages of the snapshots the store keeps (StoreOptions.snapshotEvery), each with the
 * checkpoint certificate of its height: a snapshot without one is never offered.
 */
export function snapshotServer(
  store: Pick<Store, "snapshotHeights" | "snapshotPage" | "blocks">,
  /**
   * Which certified snapshots may be offered (default: all). The node offers those whose
   * certificate's validator-set epoch it proves from genesis with the epoch links it holds: a store
   * restored from scratch asks this node for the links it lacks before checking the certificate
   * against the chain of sets (node/driver/snapshot-sync.ts, docs/governance.md §5).
   */
  servable: (certificate: CheckpointCertificate) => boolean | Promise<boolean> = () => true,
): SnapshotServer {
  return async (requestBytes, maxBytes) => {
    const r = decodeSnapshotRequest(requestBytes);
    const kept = store.snapshotHeights;
    let height = r.height;
    let certificate: CheckpointCertificate | undefined;
    if (height === 0n) {
      for (let i = kept.length - 1; i >= 0 && !certificate; i--) {
        const h = kept[i]!;
        if (r.maxHeight !== 0n && h > r.maxHeight) continue;
        const c = await store.blocks.checkpointFrom(h, h);
        if (c && (await servable(c))) certificate = c;
        height = h;
      }
      if (!certificate) throw new Error("no certified snapshot is kept here");
    } else {
      if (!kept.includes(height)) throw new Error(`the snapshot at ${height} is no longer kept`);
      certificate = await store.blocks.checkpointFrom(height, height);
      if (!certificate) throw new Error(`no checkpoint certificate for ${height}`);
      if (!(await servable(certificate))) throw new Error(`the snapshot at ${height} is certified by an epoch this node does not prove`);
    }
    const page = await store.snapshotPage(height, r.cursor, Math.min(r.maxBytes, maxBytes) - HEADER_ROOM);
    if (!page) throw new Error(`the snapshot at ${height} is no longer kept`);
    return [encodePageHeader(height, page.done, certificate), ...packEntries(page.entries)];
  };
}
