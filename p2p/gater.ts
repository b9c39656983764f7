// The permissioned boundary. libp2p consults the gater at every stage of a connection; we refuse
// by peer id, which is only authentic once the noise handshake has proven the remote holds the
// key (so inbound checks happen at the "encrypted" stage, before any stream can be opened).
import type { ConnectionGater, PeerId } from "@libp2p/interface";

export type RefusalDirection = "inbound" | "outbound";

export interface GaterPolicy {
  /** Allow-listed and not ourselves. */
  isAllowed(peerId: string): boolean;
  isBanned(peerId: string): boolean;
  onRefused(peerId: string, direction: RefusalDirection, why: "unknown" | "banned"): void;
}

export function createConnectionGater(policy: GaterPolicy): ConnectionGater {
  const deny = (peer: PeerId, direction: RefusalDirection): boolean => {
    const id = peer.toString();
    if (!policy.isAllowed(id)) {
      policy.onRefused(id, direction, "unknown");
      return true;
    }
    if (policy.isBanned(id)) {
      policy.onRefused(id, direction, "banned");
      return true;
    }
    return false;
  };
  return {
    // Outbound: refuse before dialling, and again once the remote has proven its key (a listed
    // address may be answered by a different, unlisted key).
    denyDialPeer: (peer) => deny(peer, "outbound"),
    denyOutboundEncryptedConnection: (peer) => deny(peer, "outbound"),
    // Inbound: the first point at which the remote's identity is authenticated.
    denyInboundEncryptedConnection: (peer) => deny(peer, "inbound"),
    // Relays are never used in a permissioned deployment.
    denyInboundRelayReservation: () => true,
    denyOutboundRelayedConnection: () => true,
    denyInboundRelayedConnection: () => true,
  };
}
