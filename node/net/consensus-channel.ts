// The consensus channel (the reactor of CometBFT's design): PBFT messages travel on their own
// libp2p protocol between validators only. Frames are decoded and checked at the edge
// (node/net/wire.ts); a frame from a peer that is not a validator penalises it; the driver sees only
// decoded messages, one at a time. Sending addresses replicas by index.
import type { ConsensusMessage } from "../../consensus/index.js";
import type { P2PNetwork, PeerRef } from "../../p2p/index.js";
import { decodeConsensusMessage } from "./wire.js";
import type { ValidatorPeers } from "./validators.js";

export const CONSENSUS_CHANNEL = "consensus";
export const CONSENSUS_PROTOCOL = "/tradeledger/consensus/1";
/** A NEW-VIEW may carry every prepared batch of the window: room for many batches per frame. */
const CONSENSUS_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Sends consensus frames to one replica or to every other one (the driver's transport). */
export function consensusTransport(p2p: Pick<P2PNetwork, "send">, peers: ValidatorPeers, self: number) {
  return {
    sendTo: (replica: number, bytes: Uint8Array) => void p2p.send(peers.peerId(replica), CONSENSUS_CHANNEL, bytes),
    broadcast: (bytes: Uint8Array) => {
      for (let i = 0; i < peers.count; i++) if (i !== self) p2p.send(peers.peerId(i), CONSENSUS_CHANNEL, bytes);
    },
  };
}

export interface ConsensusChannelHandlers {
  /** every decoded message from validator `from`, in arrival order */
  deliver(from: number, message: ConsensusMessage): void;
}

/** Registers the channel on a validator: decode at the edge, validators only, then deliver. */
export function registerConsensusChannel(p2p: Pick<P2PNetwork, "registerChannel" | "penalize">, peers: ValidatorPeers, handlers: ConsensusChannelHandlers): void {
  p2p.registerChannel({
    name: CONSENSUS_CHANNEL,
    protocol: CONSENSUS_PROTOCOL,
    maxFrameBytes: CONSENSUS_MAX_FRAME_BYTES,
    // Drop-oldest is safe for PBFT: the core's status exchange retransmits whatever is lost.
    queue: { maxFrames: 20_000, maxBytes: 2 * CONSENSUS_MAX_FRAME_BYTES, overflow: "drop-oldest" },
    decode: (bytes) => decodeConsensusMessage(bytes, peers.count),
    handler: (from: PeerRef, msg) => {
      // Consensus comes from validators only (signatures are checked by the core).
      const replica = peers.replicaOf(from.peerId);
      if (replica === undefined) {
        p2p.penalize(from.peerId, "protocol_violation");
        return;
      }
      handlers.deliver(replica, msg);
    },
  });
}
