// Public surface of the network boundary. Import "./polyfill.js" (done here first) before libp2p.
import "./polyfill.js";

export { createP2P, DEFAULT_DIAL_TIMEOUT_MS, DEFAULT_REDIAL_BASE_MS, DEFAULT_REDIAL_MAX_MS } from "./network.js";
export { peerIdFromNodePublicKey, privateKeyFromNodeSeed } from "./identity.js";
export { DEFAULT_CHANNEL_QUEUE } from "./channels.js";
export { DEFAULT_SCORING, PENALTY_POINTS } from "./scoring.js";
export { DEFAULT_SYNC, EPOCH_LINKS_PROTOCOL, MAX_EPOCH_LINK_FRAMES, SNAPSHOT_PROTOCOL, SYNC_PROTOCOL, SyncError, type SyncErrorCode } from "./sync.js";
export { DEFAULT_GOSSIP, TX_CHANNEL, txProtocol } from "./gossip.js";
export { P2P_METRICS, type MetricDefinition } from "./metrics.js";
export { encodeFrame, encodeVarint, FrameDecoder, FrameError } from "./framing.js";
export type * from "./types.js";
