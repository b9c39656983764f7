// The genesis validators as p2p peers: replica index <-> libp2p peer id, derived once from their
// node keys. Consensus, block sync and transaction forwarding all address validators by replica.
import type { Validator } from "../../sdk/commit.js";
import { peerIdFromNodePublicKey } from "../../p2p/index.js";

export class ValidatorPeers {
  /** peer id of replica i */
  readonly peerIds: readonly string[];
  private readonly replicas: ReadonlyMap<string, number>;

  constructor(readonly validators: readonly Validator[]) {
    this.peerIds = validators.map((v) => peerIdFromNodePublicKey(v.publicKey));
    this.replicas = new Map(this.peerIds.map((id, i) => [id, i]));
  }

  get count(): number {
    return this.peerIds.length;
  }

  peerId(replica: number): string {
    return this.peerIds[replica]!;
  }

  /** the replica index of a peer, or undefined when it is no validator */
  replicaOf(peerId: string): number | undefined {
    return this.replicas.get(peerId);
  }

  name(replica: number): string {
    return this.validators[replica]?.id ?? `replica-${replica}`;
  }
}
