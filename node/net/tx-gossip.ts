// Transaction gossip policy: what a node does with a transaction a peer relays (admit it to the
// mempool, tell consensus, judge the relaying peer), where it forwards it, and what it hands a new
// primary. The p2p layer (p2p/gossip.ts) carries the bytes; the decisions live here.
import { TX_CHANNEL, type P2PNetwork, type TxVerdict } from "../../p2p/index.js";
import type { Logger } from "../log.js";
import type { Mempool } from "../driver/mempool.js";
import type { ValidatorPeers } from "./validators.js";

export class TxGossip {
  /** the current primary's peer id ("" when it is this node); undefined while views change */
  private primaryPeer: () => string | undefined = () => undefined;
  private admitted: () => void = () => undefined;

  constructor(private readonly mempool: Pick<Mempool, "admit">) {}

  /**
   * On a validator: forward gossiped transactions to the current primary only. Their publisher sent
   * them to every validator, and this forward is what still gets a transaction to the primary if the
   * publisher left it out (a flood would cost every node n-2 extra copies of every transaction).
   * While views change, and on observers, the flood stays.
   */
  followPrimary(primaryPeer: () => string | undefined): void {
    this.primaryPeer = primaryPeer;
  }

  /** Called for each newly admitted transaction (wakes the driver). */
  onAdmitted(fn: () => void): void {
    this.admitted = fn;
  }

  readonly relayTxTo = (): readonly string[] | undefined => {
    const peer = this.primaryPeer();
    return peer === undefined ? undefined : peer === "" ? [] : [peer];
  };

  readonly validateTx = async (bytes: Uint8Array): Promise<TxVerdict> => {
    const admission = await this.mempool.admit(bytes, "peer"); // per-party budgets are for client submissions
    if (admission.ok) {
      if (!admission.alreadyPending) this.admitted();
      return "accept";
    }
    // Only state-independent faults mark the relaying peer as bad.
    return admission.code === "MALFORMED" || admission.code === "WRONG_CHAIN" ? "reject" : "ignore";
  };
}

/**
 * When a view is installed: the new primary may lack transactions only this node holds (their
 * publisher left it out and the old primary was the one they were forwarded to), so hand it every
 * pending one.
 */
export function handPendingToPrimary(
  deps: { mempool: Pick<Mempool, "pendingTxs">; p2p: Pick<P2PNetwork, "send">; peers: ValidatorPeers; self: number; logger: Logger },
): (view: bigint, primary: number) => void {
  return (view, primary) => {
    if (primary === deps.self) return;
    let n = 0;
    for (const tx of deps.mempool.pendingTxs()) if (deps.p2p.send(deps.peers.peerId(primary), TX_CHANNEL, tx.bytes)) n++;
    if (n > 0) deps.logger.info("pending transactions handed to the new primary", { view, primary: deps.peers.name(primary), txs: n });
  };
}
