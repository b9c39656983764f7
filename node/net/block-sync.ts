// Block sync policies (snapshot pages: snapshot.ts): which certified blocks this node serves to a peer catching up (its stored
// blocks with their commit certificates, within the peer's byte budget), and how BlockSync reaches
// validators (by replica, penalising one that served a bad block). Checking what is received is
// BlockSync's (node/driver/state-transfer.ts); moving bytes is p2p/sync.ts's.
import type { BlockServer, P2PNetwork } from "../../p2p/index.js";
import type { Logger } from "../log.js";
import type { QueryModel } from "../query/types.js";
import type { EpochLink } from "../../sdk/epochs.js";
import { decodeCertifiedBlock, encodeCertifiedBlock, type CertifiedBlock } from "./wire.js";
import type { ValidatorPeers } from "./validators.js";

/**
 * How far below a run's first height its answer still carries epoch links: a node that follows the
 * head fetched block E before the validators had built E's link (they build it at the switch, just
 * after), and gets it with its next requests.
 */
export const EPOCH_LINK_WINDOW = 256n;

/**
 * Serves heights from..to (up to the head) as CertifiedBlock frames; stops at a block without a
 * certificate. The last frame carries the newest checkpoint certificate held at or below its height
 * (observers keep it to serve certified headers: node/driver/follower.ts) and the epoch links held
 * whose switch seq is in [from - EPOCH_LINK_WINDOW, last] (node/epochs.ts), within the byte budget.
 */
export function certifiedBlockServer(
  query: Pick<QueryModel, "head" | "getBlock" | "getCertificate" | "checkpointAtOrBelow">,
  links?: { near(lo: bigint, hi: bigint): Promise<EpochLink[]> },
): BlockServer {
  return async (from, to, maxBytes) => {
    const out: Uint8Array[] = [];
    let bytes = 0;
    let last: CertifiedBlock | undefined;
    for (let h = from; h <= to && h <= query.head().height; h++) {
      const block = await query.getBlock(h);
      const certificate = await query.getCertificate(h);
      if (!block || !certificate) break;
      const b: CertifiedBlock = { height: h, time: block.header.time, view: certificate.view, txs: block.txs, certificate, headerHash: block.hash };
      const item = encodeCertifiedBlock(b);
      if (bytes + item.length > maxBytes && out.length > 0) break;
      bytes += item.length;
      out.push(item);
      last = b;
    }
    if (!last) return out;
    const checkpoint = await query.checkpointAtOrBelow(last.height);
    let epochLinks = links ? await links.near(from > EPOCH_LINK_WINDOW ? from - EPOCH_LINK_WINDOW : 0n, last.height) : [];
    const frame = () => encodeCertifiedBlock({ ...last!, ...(checkpoint ? { checkpoint } : {}), ...(epochLinks.length > 0 ? { epochLinks } : {}) });
    let final = frame();
    // the links never push an answer over its budget: they come again with the next answers
    while (epochLinks.length > 0 && bytes - out[out.length - 1]!.length + final.length > maxBytes) {
      epochLinks = epochLinks.slice(0, -1);
      final = frame();
    }
    out[out.length - 1] = final;
    return out;
  };
}

/**
 * The validators as BlockSync addresses them (node/driver/state-transfer.ts SyncPeers). The epoch
 * links an answer carries (its last frame) go to `onEpochLinks` (node/epochs.ts checks them).
 */
export function syncPeers(
  p2p: Pick<P2PNetwork, "requestBlocks" | "requestSnapshot" | "penalize">,
  peers: ValidatorPeers,
  logger: Logger,
  onEpochLinks?: (links: EpochLink[], from: string) => void,
) {
  return {
    requestBlocks: async (peer: number, from: bigint, to: bigint) => {
      const frames = await p2p.requestBlocks(peers.peerId(peer), from, to);
      if (onEpochLinks && frames.length > 0) {
        const last = decodeCertifiedBlock(frames[frames.length - 1]!);
        if (!(last instanceof Error) && last.epochLinks) onEpochLinks(last.epochLinks, peers.name(peer));
      }
      return frames;
    },
    requestSnapshot: (peer: number, request: Uint8Array, opts?: { maxBytes?: number }) => p2p.requestSnapshot(peers.peerId(peer), request, opts),
    penalize: (peer: number, reason: string) => {
      logger.warn("peer penalised", { peer: peers.validators[peer]?.id, reason });
      p2p.penalize(peers.peerId(peer), "invalid_message");
    },
    name: (peer: number) => peers.name(peer),
  };
}
