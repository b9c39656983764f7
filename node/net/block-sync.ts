// Block sync policies: which certified blocks this node serves to a peer catching up (its stored
// blocks with their commit certificates, within the peer's byte budget), and how BlockSync reaches
// validators (by replica, penalising one that served a bad block). Checking what is received is
// BlockSync's (node/driver/state-transfer.ts); moving bytes is p2p/sync.ts's.
import type { BlockServer, P2PNetwork } from "../../p2p/index.js";
import type { Logger } from "../log.js";
import type { QueryModel } from "../query/types.js";
import { encodeCertifiedBlock, type CertifiedBlock } from "./wire.js";
import type { ValidatorPeers } from "./validators.js";

/**
 * Serves heights from..to (up to the head) as CertifiedBlock frames; stops at a block without a
 * certificate. The last frame carries the newest checkpoint certificate held at or below its height
 * (observers keep it to serve certified headers: node/driver/follower.ts).
 */
export function certifiedBlockServer(query: Pick<QueryModel, "head" | "getBlock" | "getCertificate" | "checkpointAtOrBelow">): BlockServer {
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
    const checkpoint = last && (await query.checkpointAtOrBelow(last.height));
    if (last && checkpoint) out[out.length - 1] = encodeCertifiedBlock({ ...last, checkpoint });
    return out;
  };
}

/** The validators as BlockSync addresses them (node/driver/state-transfer.ts SyncPeers). */
export function syncPeers(p2p: Pick<P2PNetwork, "requestBlocks" | "penalize">, peers: ValidatorPeers, logger: Logger) {
  return {
    requestBlocks: (peer: number, from: bigint, to: bigint) => p2p.requestBlocks(peers.peerId(peer), from, to),
    penalize: (peer: number, reason: string) => {
      logger.warn("peer penalised", { peer: peers.validators[peer]?.id, reason });
      p2p.penalize(peers.peerId(peer), "invalid_message");
    },
    name: (peer: number) => peers.name(peer),
  };
}
