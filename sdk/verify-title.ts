// A title's pledge history, rebuilt from the title's own history, and its offline proof (DESIGN.md
// §8, docs/titles.md): a bank asked to accept a title in pledge checks, against the validator set
// alone, every pledge the title ever had. Browser-safe and pure; verifyTitlePledges never throws.
//
// pledgesOfHistory is the one rule for how a title's history makes its pledges: the node rebuilds
// GET /v1/titles/:id's `pledges` with it (node/query/query.ts), and the verifier re-derives them from
// the title's history proven complete (sdk/verify.ts verifyObjectHistory), so a node can neither
// leave a pledge out nor misstate one's bank, amount, expiry, outcome or steps.
import type { ObjectHistoryPageJson } from "./api/routes.js";
import type { HistoryEntryJson, TitleJson } from "./api/schemas.js";
import { sameJson } from "./json.js";
import { verifyObjectHistory, type TrustedValidators, type VerificationReport } from "./verify.js";

export type PledgeOutcome = "OFFERED" | "PLEDGED" | "RELEASED" | "DECLINED" | "WITHDRAWN";

/** The fields of the pledge events a pledge is made of (native or JSON form: A is the amount's type). */
export type PledgeEventLike<A> =
  | { type: "pledgeOffered"; bankId: string; holderId: string; securedAmount: A; currency: string; expiryDate: string }
  | { type: "pledgeAccepted"; bankId: string }
  | { type: "pledgeReleased"; bankId: string; releasedBy: string; wasAccepted: boolean }
  | { type: string };

/** One pledge of a title, from its offer to its release (S: how a step is told, A: the amount's type). */
export interface PledgeOf<S, A> {
  bankId: string;
  /** the holder that offered it */
  holderId: string;
  securedAmount: A;
  currency: string;
  expiryDate: string;
  outcome: PledgeOutcome;
  offered: S;
  accepted?: S;
  released?: S;
}

/**
 * A title's pledges, oldest first, from its history's entries in chain order: each pledgeOffered
 * opens a pledge, the pledgeAccepted and pledgeReleased that follow close it; rejected attempts
 * (no event) and other events are skipped. Throws Error on a history no ledger could have made (an
 * offer while one is open, an acceptance or release of no open pledge to that bank).
 */
export function pledgesOfHistory<S, A>(entries: Iterable<{ event: PledgeEventLike<A> | undefined; step: S }>, into: PledgeOf<S, A>[] = []): PledgeOf<S, A>[] {
  let open = into.length > 0 && into[into.length - 1]!.released === undefined ? into[into.length - 1] : undefined;
  for (const { event: ev, step } of entries) {
    if (!ev) continue;
    if (ev.type === "pledgeOffered") {
      const o = ev as Extract<PledgeEventLike<A>, { type: "pledgeOffered" }>;
      if (open) throw new Error(`a pledge is offered while another is open`);
      open = { bankId: o.bankId, holderId: o.holderId, securedAmount: o.securedAmount, currency: o.currency, expiryDate: o.expiryDate, outcome: "OFFERED", offered: step };
      into.push(open);
    } else if (ev.type === "pledgeAccepted" || ev.type === "pledgeReleased") {
      const bankId = (ev as { bankId: string }).bankId;
      if (!open || open.bankId !== bankId) throw new Error(`${ev.type} follows no open pledge to ${bankId}`);
      if (ev.type === "pledgeAccepted") {
        open.accepted = step;
        open.outcome = "PLEDGED";
      } else {
        const r = ev as Extract<PledgeEventLike<A>, { type: "pledgeReleased" }>;
        open.released = step;
        open.outcome = r.wasAccepted ? "RELEASED" : r.releasedBy === r.bankId ? "DECLINED" : "WITHDRAWN";
        open = undefined;
      }
    }
  }
  return into;
}

type PledgeJson = TitleJson["pledges"][number];

/** A pledge as it stood at `height`: steps above it undone, its outcome then (as shown if nothing is undone). */
function asOfHeight(p: PledgeJson, height: bigint): PledgeJson {
  const above = (s: PledgeJson["offered"] | undefined) => s !== undefined && BigInt(s.height) > height;
  if (!above(p.released) && !above(p.accepted)) return p;
  const by = (s: PledgeJson["offered"] | undefined) => s !== undefined && !above(s);
  const { released: _released, accepted, ...rest } = p;
  return by(accepted) ? { ...rest, accepted: accepted!, outcome: "PLEDGED" } : { ...rest, outcome: "OFFERED" };
}

export interface TitlePledgesReport extends VerificationReport {
  /** the certified height up to which the pledges shown are every pledge the title had */
  pledgesCompleteThrough?: string;
  /** pledges re-derived from the proven history */
  pledgesChecked?: number;
}

/**
 * Verifies the pledge history a node shows for a title (GET /v1/titles/:id, client.getTitle) against
 * the title's history with proofs (client.getFullHistoryOf("title", id)): the history is proven
 * complete up to a certified height (verifyObjectHistory), and the pledges shown are exactly those
 * it makes (pledgesOfHistory), up to that height. A difference is PLEDGES_MISMATCH. It proves the
 * pledges, not the title record's other fields (its holder, status and quantity as of now).
 */
export function verifyTitlePledges(title: TitleJson, history: ObjectHistoryPageJson, validatorSet: TrustedValidators): TitlePledgesReport {
  const id = title?.title?.id;
  const report: TitlePledgesReport = verifyObjectHistory(history, validatorSet, { kind: "title", id: typeof id === "string" ? id : "" });
  const problem = (message: string) => {
    report.problems.push({ code: "PLEDGES_MISMATCH", message });
    report.ok = false;
  };
  if (!report.ok || report.completeThrough === undefined) return report;
  try {
    const through = BigInt(report.completeThrough);
    const covered = history.items.filter((e) => BigInt(e.height) <= through);
    const step = (e: HistoryEntryJson) => ({ height: e.height, index: e.index, time: e.time, txHash: e.txHash, signer: e.signer });
    const derived = pledgesOfHistory(covered.map((e) => ({ event: e.event as PledgeEventLike<string> | undefined, step: step(e) })));
    // the pledges shown as they stood at the proven height (the title may have been read later)
    const shown = title.pledges.filter((p) => BigInt(p.offered.height) <= through).map((p) => asOfHeight(p, through));
    if (!sameJson(shown, derived)) {
      problem(`the pledges shown differ from those the title's proven history makes up to height ${through}: ${derived.length} proven, ${shown.length} shown`);
      return report;
    }
    report.pledgesCompleteThrough = report.completeThrough;
    report.pledgesChecked = derived.length;
  } catch (err) {
    problem(`the title's history makes no pledge history: ${(err as Error).message}`);
  }
  return report;
}
