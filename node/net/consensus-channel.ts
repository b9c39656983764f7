// The consensus channel (the reactor of CometBFT's design): PBFT messages travel on their own
// libp2p protocol between validators only. Frames are decoded and checked at the edge
// (node/net/wire.ts); each carries its validator-set epoch (docs/governance.md §5), and the
// structural checks use that epoch's set. A frame of an epoch this node has not reached, or keeps
// nothing of, is dropped without blame (a typed refusal, counted); a malformed frame, or one from a
// peer that is no member of the epoch it claims, penalises the peer. The node routes each message
// to its epoch (node/driver/epoch-runner.ts). Sending addresses replicas of one epoch by index.
import type { ConsensusMessage } from "../../consensus/index.js";
import type { P2PNetwork, PeerRef } from "../../p2p/index.js";
import { decodeConsensusFrame, type ConsensusFrame, type EpochRefusal } from "./wire.js";

export const CONSENSUS_CHANNEL = "consensus";
export const CONSENSUS_PROTOCOL = "/tradeledger/consensus/1";
/** A NEW-VIEW may carry every prepared batch of the window: room for many batches per frame. */
const CONSENSUS_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Sends consensus frames to one replica of a set or to every other one (the driver's transport, one per epoch). */
export function consensusTransport(p2p: Pick<P2PNetwork, "send">, peerIds: readonly string[], self: number) {
  return {
    sendTo: (replica: number, bytes: Uint8Array) => {
      const to = peerIds[replica];
      if (to !== undefined) void p2p.send(to, CONSENSUS_CHANNEL, bytes);
    },
    broadcast: (bytes: Uint8Array) => {
      for (let i = 0; i < peerIds.length; i++) if (i !== self) p2p.send(peerIds[i]!, CONSENSUS_CHANNEL, bytes);
    },
  };
}

export interface ConsensusChannelHandlers {
  /** the size of an epoch's set where this node can check its messages, "future" if not reached, else undefined */
  validatorsIn(epoch: bigint): number | undefined | "future";
  /** every decoded message, in arrival order; "not-member": the sender is no validator of that epoch (penalised) */
  deliver(from: PeerRef, epoch: bigint, message: ConsensusMessage): string;
  /** a frame refused for its epoch (not reached, or unknown here): dropped, no penalty */
  refused?(from: PeerRef, refusal: EpochRefusal): void;
}

/** Registers the channel on a validator: decode at the edge with the epoch's set, members only, then deliver. */
export function registerConsensusChannel(p2p: Pick<P2PNetwork, "registerChannel" | "penalize">, handlers: ConsensusChannelHandlers): void {
  p2p.registerChannel<ConsensusFrame | EpochRefusal>({
    name: CONSENSUS_CHANNEL,
    protocol: CONSENSUS_PROTOCOL,
    maxFrameBytes: CONSENSUS_MAX_FRAME_BYTES,
    // Drop-oldest is safe for PBFT: the core's status exchange retransmits whatever is lost.
    queue: { maxFrames: 20_000, maxBytes: 2 * CONSENSUS_MAX_FRAME_BYTES, overflow: "drop-oldest" },
    decode: (bytes) => decodeConsensusFrame(bytes, (epoch) => handlers.validatorsIn(epoch)),
    handler: (from: PeerRef, frame) => {
      if ("refused" in frame) {
        handlers.refused?.(from, frame);
        return;
      }
      // Consensus comes from the epoch's validators only (signatures are checked by the core).
      if (handlers.deliver(from, frame.epoch, frame.message) === "not-member") p2p.penalize(from.peerId, "protocol_violation");
    },
  });
}
