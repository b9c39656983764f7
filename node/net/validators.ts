// The validators as p2p peers: replica index <-> libp2p peer id, derived from their node keys.
// Consensus, block sync and transaction forwarding all address validators by replica. The set is
// the epoch's in force here (docs/governance.md §5): the genesis set, then whatever set the epoch
// runner switches to (`use`); replica i is always validators[i] of that set.
import type { Validator } from "../../sdk/commit.js";
import { peerIdFromNodePublicKey } from "../../p2p/index.js";

export class ValidatorPeers {
  private _validators: readonly Validator[] = [];
  /** peer id of replica i */
  private _peerIds: readonly string[] = [];
  private replicas: ReadonlyMap<string, number> = new Map();

  constructor(validators: readonly Validator[]) {
    this.use(validators);
  }

  /** Points replica indexes at another set (an epoch switch). */
  use(validators: readonly Validator[]): void {
    this._validators = validators;
    this._peerIds = validators.map((v) => peerIdFromNodePublicKey(v.publicKey));
    this.replicas = new Map(this._peerIds.map((id, i) => [id, i]));
  }

  get validators(): readonly Validator[] {
    return this._validators;
  }

  get peerIds(): readonly string[] {
    return this._peerIds;
  }

  get count(): number {
    return this._peerIds.length;
  }

  peerId(replica: number): string {
    return this._peerIds[replica]!;
  }

  /** the replica index of a peer, or undefined when it is no validator */
  replicaOf(peerId: string): number | undefined {
    return this.replicas.get(peerId);
  }

  name(replica: number): string {
    return this._validators[replica]?.id ?? `replica-${replica}`;
  }
}

/** A member of the set in ledger state (node/ledger/governance.ts ValidatorMember). */
interface StateMember {
  partyId: string;
  nodePublicKey: Uint8Array;
}

/**
 * The validators this node talks to, from the ledger (docs/governance.md §5): replica indexes
 * (ValidatorPeers) follow the epoch in force here, and the p2p allow-list admits the node keys of
 * the set in state - the epoch in force and a decided set whose switch is pending - so an added
 * validator is accepted from the block that decides it (it dials in) and a removed one is
 * disconnected and refused once its switch is past. The same mechanism as the observers admitted on
 * the ledger (node/net/observers.ts), one allow-list.
 */
export class LedgerValidators {
  private inForce: readonly Validator[];
  private inState: readonly StateMember[] | undefined;

  constructor(
    private readonly deps: {
      peers: ValidatorPeers;
      p2p: { setLedgerValidators(validators: readonly { publicKey: Uint8Array; validatorId: string }[]): void };
      /** the set in the head's state (undefined: a genesis with no set in state, nothing to follow) */
      setInState(): readonly StateMember[] | undefined;
    },
  ) {
    this.inForce = deps.peers.validators;
  }

  /** The epoch in force here changed (at start and at each switch). */
  epochStarted(validators: readonly Validator[]): void {
    this.inForce = validators;
    this.deps.peers.use(validators);
    this.push();
  }

  /** The set in state may have changed (a block with a validatorSetChanged event, a state transfer, a start). */
  refresh(): void {
    this.inState = this.deps.setInState();
    this.push();
  }

  private push(): void {
    if (this.inState === undefined) return; // a chain without a set in state keeps the genesis validators
    const all = new Map<string, { publicKey: Uint8Array; validatorId: string }>();
    for (const v of this.inForce) all.set(peerIdFromNodePublicKey(v.publicKey), { publicKey: v.publicKey, validatorId: v.id });
    for (const m of this.inState) all.set(peerIdFromNodePublicKey(m.nodePublicKey), { publicKey: m.nodePublicKey, validatorId: m.partyId });
    this.deps.p2p.setLedgerValidators([...all.values()]);
  }
}
