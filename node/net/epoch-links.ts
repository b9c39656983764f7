// Epoch links on request (`/tradeledger/epoch-links/1`, p2p/sync.ts moves the bytes): how a node
// that lacks the proofs of some validator-set switches (restored from a snapshot past them, or
// holding a link after a gap) gets them from any peer (docs/governance.md §5 "Where the links come
// from"). This file is the wire format and the serving policy; checking an answer is
// node/epochs.ts's (EpochLinks.takeAnswer): each link proves itself from the set before it.
//
//   request = EpochLinksRequest (proto/consensus.proto): after (the last epoch the asker proves from
//             genesis), max_links (1..64)
//   frame i = EpochLinkMsg of epoch after < e_1 < e_2 < ..., the links the server proves from genesis
import { decode, encode } from "../../sdk/codec.js";
import { withoutZeroEpoch } from "../../sdk/commit.js";
import type { CheckpointCertificate } from "../../sdk/certified.js";
import type { EpochLink } from "../../sdk/epochs.js";
import type { EpochLinksServer } from "../../p2p/index.js";

/** Most links in one answer (p2p's MAX_EPOCH_LINK_FRAMES). */
export const MAX_LINKS_PER_ANSWER = 64;
/** Bytes an asker accepts in one answer: a link is a few KiB (a header, 2f + 1 signatures, a state proof). */
export const EPOCH_LINKS_ANSWER_BYTES = 2 * 1024 * 1024;

export interface EpochLinksRequest {
  /** the links of the epochs after this one */
  after: bigint;
  /** at most this many (1..64) */
  maxLinks: number;
}

/** A request this node refuses as malformed (the asker is at fault: p2p blames it). */
export class EpochLinksRequestError extends Error {
  override readonly name = "EpochLinksRequestError";
  readonly code = "BAD_EPOCH_LINKS_REQUEST" as const;
}

export function encodeEpochLinksRequest(r: EpochLinksRequest): Uint8Array {
  if (!Number.isInteger(r.maxLinks) || r.maxLinks < 1 || r.maxLinks > MAX_LINKS_PER_ANSWER) throw new RangeError(`an epoch-links request asks for 1..${MAX_LINKS_PER_ANSWER} links`);
  return encode("EpochLinksRequest", { after: r.after, maxLinks: r.maxLinks });
}

export function decodeEpochLinksRequest(bytes: Uint8Array): EpochLinksRequest {
  let r: { after: bigint; maxLinks: number };
  try {
    r = decode<{ after: bigint; maxLinks: number }>("EpochLinksRequest", bytes);
  } catch (err) {
    throw new EpochLinksRequestError(`epoch-links request does not decode: ${(err as Error).message}`);
  }
  if (!(r.maxLinks >= 1 && r.maxLinks <= MAX_LINKS_PER_ANSWER)) throw new EpochLinksRequestError(`an epoch-links request asks for 1..${MAX_LINKS_PER_ANSWER} links, not ${r.maxLinks}`);
  return { after: r.after, maxLinks: r.maxLinks };
}

export function encodeEpochLinkFrame(l: EpochLink): Uint8Array {
  return encode("EpochLinkMsg", l);
}

/** One frame of an answer; returns an Error for anything malformed (truncated, a part missing). */
export function decodeEpochLinkFrame(bytes: Uint8Array): EpochLink | Error {
  try {
    const l = decode<Partial<EpochLink>>("EpochLinkMsg", bytes);
    if (!l.checkpoint || !l.proof) return new Error("an epoch link without its checkpoint certificate or state proof");
    withoutZeroEpoch(l.checkpoint as CheckpointCertificate & { epoch?: bigint });
    return l as EpochLink;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Serves the links this node proves from genesis without a gap (never one it could not check
 * itself), those after `after`, in epoch order, at most maxLinks within the byte budget.
 */
export function epochLinksServer(links: { proven(): Promise<{ links: readonly EpochLink[] }> }): EpochLinksServer {
  return async (requestBytes, maxBytes) => {
    const r = decodeEpochLinksRequest(requestBytes);
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const l of (await links.proven()).links) {
      if (l.epoch <= r.after) continue;
      if (out.length >= r.maxLinks) break;
      const frame = encodeEpochLinkFrame(l);
      if (bytes + frame.length > maxBytes) break;
      out.push(frame);
      bytes += frame.length;
    }
    return out;
  };
}
