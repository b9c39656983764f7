// Observers admitted on the ledger (DESIGN.md §12, docs/governance.md). Two small policies:
//
// AdmittedObservers, on every node: the p2p allow-list follows the observer set in committed state
// (m/observers) as blocks commit, so admitting or removing an observer needs no config edit and no
// restart; a removed observer is disconnected at once and refused after.
//
// ObserverAdmission, on an observer node: whether the network takes this node. An observer that no
// validator accepts, and that its own chain does not show admitted (or shows removed), is not ready:
// /readyz says why, and the log says it once with the fix - which party must admit which key, and
// the command - instead of leaving the operator to read the validators' logs.
import { equalBytes, toHex } from "../../sdk/bytes.js";
import type { ObserverRecord } from "../../sdk/types.js";
import type { LedgerObserver } from "../../p2p/index.js";
import type { CommittedBlockEvent } from "../api.js";
import type { Logger } from "../log.js";
import type { QueryModel } from "../query/types.js";

export class AdmittedObservers {
  private current: readonly ObserverRecord[] = [];
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      query: Pick<QueryModel, "observerRecords">;
      p2p: { setLedgerObservers(admitted: readonly LedgerObserver[], removed: readonly Uint8Array[]): void };
      logger: Logger;
    },
  ) {}

  /** The observer records as of the last refresh (current and removed). */
  get records(): readonly ObserverRecord[] {
    return this.current;
  }

  /** Reads the set from committed state and hands it to the allow-list. */
  refresh(): Promise<void> {
    // one at a time, in commit order; a failed read does not stop later ones
    this.refreshing = this.refreshing.catch(() => undefined).then(async () => {
      const records = await this.deps.query.observerRecords();
      this.current = records;
      const admitted = records.filter((r) => r.removedBy === "").map((r) => ({ publicKey: r.nodePublicKey, name: `observer of ${r.partyId}` }));
      const removed = records.filter((r) => r.removedBy !== "").map((r) => r.nodePublicKey);
      this.deps.p2p.setLedgerObservers(admitted, removed);
    });
    return this.refreshing.catch((err: unknown) => this.deps.logger.error("reading the admitted observers failed", { err }));
  }

  /** A committed-block listener: refreshes when the block admitted or removed an observer. */
  readonly onBlock = (b: CommittedBlockEvent): void => {
    const changed = b.executed.receipts.some((r) => r.events.some((e) => e.type === "observerAdmitted" || e.type === "observerRemoved"));
    if (changed) void this.refresh();
  };
}

export interface ObserverAdmissionDeps {
  /** this node's key and libp2p peer id */
  nodePublicKey: Uint8Array;
  peerId: string;
  observers: Pick<AdmittedObservers, "records">;
  /** validators this node is connected to now */
  connectedValidators(): number;
  /** failed dials, and connections a validator closed right after the handshake (its allow-list refused this node), so far */
  refusals(): { dialFailures: number; closedAtOnce: number };
  /** the height of this node's chain */
  height(): bigint;
  logger: Logger;
}

/** How often an observer re-checks whether the network takes it. */
export const ADMISSION_CHECK_MS = 1000;
/**
 * Clean checks in a row before a reported reason is withdrawn: a validator that refuses this node
 * still completes the handshake and closes the connection a few ms later, so one check may see it
 * "connected". (Its chain showing the node admitted withdraws the reason at once.)
 */
export const ADMISSION_CLEAR_CHECKS = 3;

export class ObserverAdmission {
  /** what was logged last: "unadmitted", "removed@<height>", or undefined (admitted, or nothing known) */
  private logged: string | undefined;
  private why: string | undefined;
  private clean = 0;
  /** connections closed at once as of the last check that saw a validator connected */
  private closedAtOnceWhenConnected = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: ObserverAdmissionDeps) {}

  /** The reason as of the last check (what /readyz reports). */
  get current(): string | undefined {
    return this.why;
  }

  /** Why the network does not take this node, with the fix; undefined when it does (or nothing says otherwise yet). */
  reason(): { state: string; text: string } | undefined {
    const d = this.deps;
    const refusals = d.refusals();
    if (d.connectedValidators() > 0) return undefined; // some validator accepts this node (admitted on the ledger or in its config)
    const key = toHex(d.nodePublicKey);
    const record = d.observers.records.find((r) => equalBytes(r.nodePublicKey, d.nodePublicKey));
    const fix = `a BANK or REGULATOR party admits it: tradeledger observer admit ${key} --operator <the party that runs it> --party <a BANK or REGULATOR party> (docs/governance.md)`;
    if (record && record.removedBy !== "") {
      return {
        state: `removed@${record.removedAt}`,
        text: `not admitted: this node (node key ${key}, peer ${d.peerId}) was removed as an observer by ${record.removedBy} at height ${record.removedAt} (${record.reason}) and validators refuse it; to admit it again, ${fix}`,
      };
    }
    if (record) {
      // Admitted as far as its chain knows. Validators closing its connections at once means they
      // refuse it: removed in a block it did not get (they disconnect it as they commit that block).
      if (refusals.closedAtOnce > this.closedAtOnceWhenConnected) {
        return {
          state: "refused",
          text: `not admitted: validators close this node's connections (node key ${key}, peer ${d.peerId}) although its chain, at height ${d.height()}, shows it admitted at height ${record.admittedAt}: a later block probably removed it (ask a BANK or REGULATOR party; \`tradeledger tx\` or the events of a validator show the removal); to admit it again, ${fix}`,
        };
      }
      return undefined; // a connectivity matter (see the peers reason)
    }
    if (refusals.dialFailures + refusals.closedAtOnce === 0) return undefined; // not tried yet
    return {
      state: "unadmitted",
      text: `not admitted: no validator accepts this node (node key ${key}, peer ${d.peerId}) and its chain holds no admission of it as of height ${d.height()}; ${fix}`,
    };
  }

  /** Re-checks; logs once each time the state changes (and once when the node is admitted after all). */
  check(): string | undefined {
    if (this.deps.connectedValidators() > 0) this.closedAtOnceWhenConnected = this.deps.refusals().closedAtOnce;
    const r = this.reason();
    if (!r && this.logged && !this.admittedOnChain()) {
      // withdrawn only after ADMISSION_CLEAR_CHECKS clean checks in a row
      if (++this.clean < ADMISSION_CLEAR_CHECKS) return this.why;
    }
    this.clean = 0;
    this.why = r?.text;
    if (r?.state !== this.logged) {
      if (r) this.deps.logger.warn("this observer is not admitted to the network", { reason: r.text, nodePublicKey: toHex(this.deps.nodePublicKey), peerId: this.deps.peerId });
      else if (this.logged) this.deps.logger.info("this observer is admitted: validators accept it", { peerId: this.deps.peerId });
      this.logged = r?.state;
    }
    return this.why;
  }

  private admittedOnChain(): boolean {
    const record = this.deps.observers.records.find((x) => equalBytes(x.nodePublicKey, this.deps.nodePublicKey));
    return record !== undefined && record.removedBy === "";
  }

  start(): void {
    this.timer ??= setInterval(() => this.check(), ADMISSION_CHECK_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
