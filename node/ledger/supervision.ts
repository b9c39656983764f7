// Supervision in consensus (DESIGN.md §11, docs/supervision.md): after a transaction's own rule has
// run (on its scratch overlay, not yet committed), the active supervision rules look at what it
// changed and at small running tallies kept in state, never at history:
//
//   v/h/<pieceId>                      parties that held the piece or an ancestor before its holder (CYCLE)
//   v/s/<billOfLadingFpHex>            receivables anchored as shipped under a bill of lading  (PLEDGE_CONFLICT)
//   v/l/<receivableId>                 bills of lading a receivable was shipped under          (PLEDGE_CONFLICT)
//   v/r/<ruleId>/<setHeight>/<signer>  a REJECTION_BURST rule's recent rejections of one signer
//
// A bank's book in a currency and its live financing to one exporter (CONCENTRATION, LARGE_EXPOSURE)
// are not kept here: they are the lending aggregates' records gb/<bank>/<currency> and
// ge/<bank>/<currency>/<exporter> (node/ledger/aggregates.ts, their one owner), which putReceivable
// has already brought up to date on the scratch overlay when the rules look.
//
// The first three are kept always, from genesis, by observing the transaction's writes (a receivable's
// live financing per bank before and after, a piece created or passed on, a bill of lading anchored
// for a receivable), so a rule set later sees the whole book. A REJECTION_BURST tally belongs to its
// rule (from the height it was set) and is written for rejected transactions too: the one exception to
// "a rejected transaction writes nothing", since counting rejections is its whole point.
//
// Everything is integer arithmetic on state and the block time: deterministic on every validator.
// An ALERT rule's hit becomes an Alert in the receipt; a BLOCK rule's hit rejects the transaction
// (BLOCKED_BY_RULE, the scratch discarded) with the Alert saying why.
import { concatBytes, fromUtf8, toHex, utf8 } from "../../sdk/bytes.js";
import type { Crypto } from "../../sdk/crypto.js";
import { daysPastDue, liveFinanced, liveFinancedBy, pieceLiveFinanced } from "../../sdk/domain.js";
import type { Tx } from "../../sdk/tx.js";
import type { TxPayload } from "../../sdk/transactions/index.js";
import type { Alert, Party, Piece, Receivable, RuleKind, SupervisionRule, Title } from "../../sdk/types.js";
import { decodeDeclaration, decodePiece, decodeReceivable, decodeRuleSet, decodeTally, decodeTitle, encodeTally, type TallyRecord } from "./records.js";
import { KEY, type Overlay, type StateReader, type StateWriter } from "./state.js";
import { invariant } from "./tx/rule.js";
import { bookOutstanding, exposureTo } from "./aggregates.js";

export const SUPERVISION_KEY = {
  rules: "z/rules",
  holders: (pieceId: string) => `v/h/${pieceId}`,
  shipped: (blFpHex: string) => `v/s/${blFpHex}`,
  billsOf: (receivableId: string) => `v/l/${receivableId}`,
  rejections: (ruleId: string, setHeight: bigint, signer: string) => `v/r/${ruleId}/${setHeight}/${signer}`,
} as const;

/** Most active rules at once (setting one more: INVALID_STATE). */
export const MAX_ACTIVE_RULES = 64;
/** Receivables a bill of lading's tally (and bills a receivable's) keeps; beyond, further links are not watched. */
export const MAX_LINKS = 256;

const ALERT_TAG = utf8("tradeledger/alert/v1\u0000");
const EMPTY_TALLY: TallyRecord = { amount: 0n, parties: [], entries: [], amounts: [] };

// ---- the active rules --------------------------------------------------------------------------

// Decoded once per distinct stored bytes: the rule set is read by every transaction, and the
// store's record cache hands out the same bytes object until the set changes.
const decodedRules = new WeakMap<Uint8Array, readonly SupervisionRule[]>();

export function activeRules(state: StateReader): readonly SupervisionRule[] {
  const bytes = state.get(SUPERVISION_KEY.rules);
  if (!bytes) return [];
  let rules = decodedRules.get(bytes);
  if (!rules) {
    rules = decodeRuleSet(bytes).rules;
    decodedRules.set(bytes, rules);
  }
  return rules;
}

// ---- tallies ---------------------------------------------------------------------------------------

export function getTally(s: StateReader, key: string): TallyRecord {
  const b = s.get(key);
  return b ? decodeTally(b) : EMPTY_TALLY;
}

function putTally(s: StateWriter, key: string, t: TallyRecord): void {
  if (t.amount === 0n && t.parties.length === 0 && t.entries.length === 0) s.del(key);
  else s.put(key, encodeTally(t));
}

function addParty(s: StateWriter, key: string, party: string): void {
  const t = getTally(s, key);
  if (t.parties.includes(party) || t.parties.length >= MAX_LINKS) return;
  putTally(s, key, { ...t, parties: [...t.parties, party] });
}

// ---- what a transaction changed ------------------------------------------------------------------

interface ExposureChange {
  bank: string;
  currency: string;
  exporter: string;
  delta: bigint;
  /** the bank's live financing to the exporter, and its book, after the transaction */
  exposure: bigint;
  book: bigint;
}

interface PieceStep {
  pieceId: string;
  /** the party now holding it */
  holder: string;
  /** who passed it on (the parent's holder, or the piece's previous holder) */
  from: string;
  /** parties that held it or an ancestor before `from` */
  earlier: readonly string[];
}

interface Observed {
  exposures: ExposureChange[];
  /** receivables the transaction changed: [before, after] */
  receivables: [Receivable | undefined, Receivable][];
  /** receivables whose live financing by a bank rose: [receivable after, bank] */
  financed: [Receivable, string][];
  pieces: PieceStep[];
  /** titles that became pledged (accepted) to a bank */
  pledged: Title[];
}

/**
 * Updates the always-kept tallies from a successful transaction's writes (in `scratch`, over
 * `base`), writing them into `scratch`, and returns what rules look at.
 */
function observe(base: StateReader, scratch: Overlay, payload: TxPayload): Observed {
  const out: Observed = { exposures: [], receivables: [], financed: [], pieces: [], pledged: [] };
  // Keys in the order they were first written: deterministic, like the rule that wrote them.
  for (const [key, value] of [...scratch.writes]) {
    if (value === null) continue;
    if (key.startsWith("r/")) {
      const beforeBytes = base.get(key);
      const before = beforeBytes ? decodeReceivable(beforeBytes) : undefined;
      const after = decodeReceivable(value);
      out.receivables.push([before, after]);
      const banks = new Set<string>();
      for (const f of before?.financings ?? []) banks.add(f.bankId);
      for (const f of after.financings) banks.add(f.bankId);
      for (const bank of [...banks].sort()) {
        const delta = liveFinancedBy(after, bank) - (before ? liveFinancedBy(before, bank) : 0n);
        if (delta === 0n) continue;
        const exposure = exposureTo(scratch, bank, after.currency, after.exporterId);
        const book = bookOutstanding(scratch, bank, after.currency);
        out.exposures.push({ bank, currency: after.currency, exporter: after.exporterId, delta, exposure, book });
        if (delta > 0n) out.financed.push([after, bank]);
      }
    } else if (key.startsWith("t/")) {
      const after = decodeTitle(value);
      if (after.status !== "PLEDGED" || !after.pledge) continue;
      const beforeBytes = base.get(key);
      const before = beforeBytes ? decodeTitle(beforeBytes) : undefined;
      if (before?.status === "PLEDGED" && before.pledge?.bankId === after.pledge.bankId) continue;
      out.pledged.push(after);
    } else if (key.startsWith("q/")) {
      const beforeBytes = base.get(key);
      const after = decodePiece(value);
      // A FINANCED piece is in its holder bank's book (aggregates.ts), "exporter" = whom the bank
      // bought it from: CONCENTRATION and LARGE_EXPOSURE see a bank buying pieces as lending to the seller.
      const before = beforeBytes ? decodePiece(beforeBytes) : undefined;
      for (const [bank, delta] of pieceBookDeltas(before, after)) {
        const exposure = exposureTo(scratch, bank, after.currency, after.soldBy);
        const book = bookOutstanding(scratch, bank, after.currency);
        out.exposures.push({ bank, currency: after.currency, exporter: after.soldBy, delta, exposure, book });
      }
      if (!beforeBytes) {
        if (after.parentId === "") continue; // a warrant's first piece: nobody held it before
        const parent = pieceIn(scratch, after.parentId);
        const parentEarlier = getTally(scratch, SUPERVISION_KEY.holders(parent.id)).parties;
        if (after.holderId === parent.holderId) {
          // the remainder stays with the sender: same earlier holders as the spent piece
          if (parentEarlier.length > 0) putTally(scratch, SUPERVISION_KEY.holders(after.id), { ...EMPTY_TALLY, parties: [...parentEarlier] });
          continue;
        }
        out.pieces.push({ pieceId: after.id, holder: after.holderId, from: parent.holderId, earlier: parentEarlier });
        const earlier = parentEarlier.includes(parent.holderId) ? parentEarlier : [...parentEarlier, parent.holderId];
        putTally(scratch, SUPERVISION_KEY.holders(after.id), { ...EMPTY_TALLY, parties: earlier.slice(0, MAX_LINKS) });
      } else if (before) {
        if (before.holderId === after.holderId) continue;
        // passed on in place (a bank buying the piece)
        const prior = getTally(scratch, SUPERVISION_KEY.holders(after.id)).parties;
        out.pieces.push({ pieceId: after.id, holder: after.holderId, from: before.holderId, earlier: prior });
        addParty(scratch, SUPERVISION_KEY.holders(after.id), before.holderId);
      }
    }
  }
  // A bill of lading anchored for a receivable (the payload names both): the goods shipped under it.
  const link = shipmentLink(payload);
  if (link) {
    addParty(scratch, SUPERVISION_KEY.shipped(link.fp), link.receivableId);
    addParty(scratch, SUPERVISION_KEY.billsOf(link.receivableId), link.fp);
  }
  return out;
}

/** How a piece's change moves its holder banks' live books: [bank, delta] for each bank whose book moved. */
function pieceBookDeltas(before: Piece | undefined, after: Piece): [string, bigint][] {
  const m = new Map<string, bigint>();
  if (before) m.set(before.holderId, -pieceLiveFinanced(before));
  m.set(after.holderId, (m.get(after.holderId) ?? 0n) + pieceLiveFinanced(after));
  return [...m].filter(([, d]) => d !== 0n);
}

/** The bill of lading fingerprint and receivable a payload links, when it names both. */
function shipmentLink(payload: unknown): { fp: string; receivableId: string } | undefined {
  const p = payload as { billOfLadingFingerprint?: unknown; receivableId?: unknown };
  if (!(p.billOfLadingFingerprint instanceof Uint8Array) || p.billOfLadingFingerprint.length === 0) return undefined;
  if (typeof p.receivableId !== "string" || p.receivableId === "") return undefined;
  return { fp: toHex(p.billOfLadingFingerprint), receivableId: p.receivableId };
}

function pieceIn(s: StateReader, id: string): Piece {
  const b = s.get(KEY.piece(id));
  invariant(b, `piece ${id} is the parent of a new piece but is not in state`);
  return decodePiece(b);
}

// ---- the rules ------------------------------------------------------------------------------------

interface Hit {
  parties: string[];
  evidence: Uint8Array[];
  detail: string;
}

interface EvalContext {
  state: StateReader;
  tx: Tx;
  payload: TxPayload;
  signer: Party;
  time: bigint;
  seen: Observed;
  /** facts several rules of one transaction ask for, computed once (a declaration, days past due) */
  memo<T>(key: string, compute: () => T): T;
}

const pct = (bp: bigint) => `${bp / 100n}.${(bp % 100n).toString().padStart(2, "0")}%`;
const idBytes = (hex: string) => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
};

/** What each kind finds in a successful transaction (REJECTION_BURST looks at rejections instead). */
const EVALUATE: { readonly [K in RuleKind]: (rule: SupervisionRule, c: EvalContext) => Hit[] } = {
  CONCENTRATION(rule, c) {
    const bp = BigInt(rule.params.basisPoints);
    return c.seen.exposures
      .filter((e) => e.delta > 0n && e.currency === rule.params.currency && e.book >= rule.params.amount && e.exposure * 10_000n > bp * e.book)
      .map((e) => ({
        parties: [e.bank, e.exporter],
        evidence: [c.tx.hash],
        detail: `${e.bank}'s live financing to ${e.exporter} is ${e.exposure} of its ${e.book} ${e.currency} book (${pct((e.exposure * 10_000n) / e.book)} > ${pct(bp)})`,
      }));
  },
  LARGE_EXPOSURE(rule, c) {
    return c.seen.exposures
      .filter((e) => e.delta > 0n && e.currency === rule.params.currency && e.exposure > rule.params.amount)
      .map((e) => ({
        parties: [e.bank, e.exporter],
        evidence: [c.tx.hash],
        detail: `${e.bank}'s live financing to ${e.exporter} is ${e.exposure} ${e.currency}, above ${rule.params.amount}`,
      }));
  },
  VELOCITY(rule, c) {
    const limitMs = BigInt(rule.params.hours) * 3_600_000n;
    return c.seen.financed
      .filter(([r]) => c.time - r.registeredAt < limitMs)
      .map(([r, bank]) => ({
        parties: [bank, r.exporterId],
        evidence: [idBytes(r.id), c.tx.hash],
        detail: `receivable ${r.id} financed ${(c.time - r.registeredAt) / 60_000n} min after its registration (under ${rule.params.hours} h)`,
      }));
  },
  CYCLE(_rule, c) {
    return c.seen.pieces
      .filter((p) => p.earlier.includes(p.holder))
      .map((p) => ({ parties: [p.from, p.holder], evidence: [c.tx.hash], detail: `piece ${p.pieceId} passed from ${p.from} back to ${p.holder}, an earlier holder of its ancestry` }));
  },
  VALUE_MISMATCH(rule, c) {
    const hits: Hit[] = [];
    const bp = BigInt(rule.params.basisPoints);
    for (const [r, bank] of c.seen.financed) {
      if (r.declarationFingerprint.length === 0) continue; // domestic trade: no declaration to compare
      const d = c.memo(`x/${r.id}`, () => {
        const b = c.state.get(KEY.declaration(toHex(r.declarationFingerprint)));
        return b ? decodeDeclaration(b) : undefined;
      });
      if (!d) continue;
      const diff = d.declaredValue > d.attestedTotal ? d.declaredValue - d.attestedTotal : d.attestedTotal - d.declaredValue;
      if (d.declaredValue === 0n || diff * 10_000n <= bp * d.declaredValue) continue;
      hits.push({
        parties: [bank, r.exporterId],
        evidence: [idBytes(r.id), c.tx.hash],
        detail: `declaration value ${d.declaredValue} ${d.currency} and its invoices' ${d.attestedTotal} differ by ${pct((diff * 10_000n) / d.declaredValue)} (> ${pct(bp)})`,
      });
    }
    return hits;
  },
  REJECTION_BURST() {
    return [];
  },
  OVERDUE_AGE(rule, c) {
    const hits: Hit[] = [];
    for (const [before, after] of c.seen.receivables) {
      if (liveFinanced(after) === 0n && (!before || liveFinanced(before) === 0n)) continue;
      const days = c.memo(`due/${after.dueDate}`, () => daysPastDue(after.dueDate, c.time));
      if (days <= BigInt(rule.params.days)) continue;
      const banks = [...new Set([...(before?.financings ?? []), ...after.financings].map((f) => f.bankId))];
      hits.push({ parties: [after.exporterId, ...banks], evidence: [idBytes(after.id), c.tx.hash], detail: `financed receivable ${after.id} is ${days} days past due (more than ${rule.params.days})` });
    }
    return hits;
  },
  PLEDGE_CONFLICT(_rule, c) {
    const hits: Hit[] = [];
    // a bill of lading pledged (accepted) to a bank while a receivable shipped under it is financed by another
    for (const title of c.seen.pledged) {
      if (title.kind !== "BILL_OF_LADING") continue;
      const pledgee = title.pledge!.bankId;
      for (const rid of getTally(c.state, SUPERVISION_KEY.shipped(toHex(title.fingerprint))).parties) {
        const rb = c.state.get(KEY.receivable(rid));
        if (!rb) continue;
        const r = decodeReceivable(rb);
        const others = [...new Set(r.financings.map((f) => f.bankId))].filter((b) => b !== pledgee && liveFinancedBy(r, b) > 0n);
        if (others.length === 0) continue;
        hits.push({ parties: [pledgee, ...others, title.holderId, r.exporterId], evidence: [idBytes(rid), c.tx.hash], detail: `bill of lading ${title.id} pledged to ${pledgee} while receivable ${rid} shipped under it is financed by ${others.join(", ")}` });
      }
    }
    // a receivable financed by a bank while a bill of lading it shipped under is pledged to another
    for (const [r, bank] of c.seen.financed) {
      for (const fp of c.memo(`bills/${r.id}`, () => getTally(c.state, SUPERVISION_KEY.billsOf(r.id)).parties)) {
        const titleId = c.state.get(KEY.titleFingerprint(fp));
        if (!titleId) continue;
        const title = titleIn(c.state, fromUtf8(titleId));
        if (!title || title.kind !== "BILL_OF_LADING" || title.status !== "PLEDGED" || !title.pledge || title.pledge.bankId === bank) continue;
        hits.push({ parties: [bank, title.pledge.bankId, title.holderId], evidence: [idBytes(r.id), c.tx.hash], detail: `receivable ${r.id} financed by ${bank} while bill of lading ${title.id} it shipped under is pledged to ${title.pledge.bankId}` });
      }
    }
    return hits;
  },
};

function titleIn(s: StateReader, id: string) {
  const b = s.get(KEY.title(id));
  return b ? decodeTitle(b) : undefined;
}

function alertOf(crypto: Crypto, tx: Tx, rule: SupervisionRule, hit: Hit): Alert {
  const alertId = toHex(crypto.sha256(concatBytes(ALERT_TAG, tx.hash, utf8(rule.ruleId))));
  const parties = [...new Set(hit.parties.filter((p) => p !== ""))].sort();
  return { alertId, ruleId: rule.ruleId, kind: rule.kind, severity: rule.severity, parties, evidence: hit.evidence, detail: hit.detail };
}

/** Several hits of one rule in one transaction make one alert: their parties and evidence merged. */
function merge(hits: Hit[]): Hit {
  if (hits.length === 1) return hits[0]!;
  const evidence = new Map<string, Uint8Array>();
  for (const h of hits) for (const e of h.evidence) if (!evidence.has(toHex(e))) evidence.set(toHex(e), e);
  return { parties: hits.flatMap((h) => h.parties), evidence: [...evidence.values()], detail: hits.map((h) => h.detail).join("; ") };
}

export interface SupervisionOutcome {
  alerts: Alert[];
  /** the first BLOCK rule that hit: the transaction is to be rejected BLOCKED_BY_RULE */
  blockedBy?: Alert;
}

/**
 * Runs after a transaction's rule succeeded on `scratch` (over `base`): keeps the tallies and applies
 * every active rule, in rule-id order. With a BLOCK hit, only the BLOCK rules' alerts are returned
 * (the transaction does not happen; what ALERT rules saw in it did not happen either).
 */
export function superviseSuccess(crypto: Crypto, base: StateReader, scratch: Overlay, tx: Tx, payload: TxPayload, signer: Party, time: bigint): SupervisionOutcome {
  const seen = observe(base, scratch, payload);
  const rules = activeRules(scratch);
  if (rules.length === 0) return { alerts: [] };
  const memos = new Map<string, unknown>();
  const memo = <T>(key: string, compute: () => T): T => {
    if (!memos.has(key)) memos.set(key, compute());
    return memos.get(key) as T;
  };
  const c: EvalContext = { state: scratch, tx, payload, signer, time, seen, memo };
  const alerts: Alert[] = [];
  const blocks: Alert[] = [];
  for (const rule of rules) {
    const hits = EVALUATE[rule.kind](rule, c);
    if (hits.length === 0) continue;
    const alert = alertOf(crypto, tx, rule, merge(hits));
    (rule.severity === "BLOCK" ? blocks : alerts).push(alert);
  }
  return blocks.length > 0 ? { alerts: blocks, blockedBy: blocks[0]! } : { alerts };
}

/**
 * Runs for a transaction rejected after it took its hash (MALFORMED, UNAUTHORIZED, a domain code,
 * BLOCKED_BY_RULE): each REJECTION_BURST rule counts it for its signer, writing its tally to `state`
 * (the block's state, not the discarded scratch), and alerts when `count` fell within its window.
 */
export function superviseRejection(crypto: Crypto, state: StateWriter, tx: Tx, signer: string, time: bigint): Alert[] {
  const alerts: Alert[] = [];
  for (const rule of activeRules(state)) {
    if (rule.kind !== "REJECTION_BURST") continue;
    const key = SUPERVISION_KEY.rejections(rule.ruleId, rule.setHeight, signer);
    const windowMs = BigInt(rule.params.windowMinutes) * 60_000n;
    const entries = getTally(state, key).entries.filter((e) => e.time > time - windowMs);
    entries.push({ time, txHash: tx.hash });
    if (entries.length >= rule.params.count) {
      alerts.push(
        alertOf(crypto, tx, rule, {
          parties: [signer],
          evidence: entries.map((e) => e.txHash),
          detail: `${signer} signed ${entries.length} rejected transactions within ${rule.params.windowMinutes} min`,
        }),
      );
      state.del(key); // counting starts again: the next alert needs `count` new rejections
    } else {
      putTally(state, key, { ...EMPTY_TALLY, entries });
    }
  }
  return alerts;
}

/**
 * State keys supervision may read for `tx` (added to the prefetch by accessKeys): the rule set, the
 * tallies of the receivables, pieces, titles and bills of lading the transaction's rule touches, and
 * (once loaded) the records those name. Misses are read synchronously later: this only saves time.
 */
export function supervisionKeys(tx: Tx, ruleKeys: readonly string[], loaded?: (key: string) => Uint8Array | undefined): string[] {
  const keys: string[] = [SUPERVISION_KEY.rules];
  const signer = tx.body.signer;
  const p = tx.body.payload;
  if (!loaded) {
    for (const k of ruleKeys) if (k.startsWith("q/")) keys.push(SUPERVISION_KEY.holders(k.slice(2)));
    return keys;
  }
  const rulesBytes = loaded(SUPERVISION_KEY.rules);
  if (rulesBytes) {
    if (!decodedRules.has(rulesBytes)) decodedRules.set(rulesBytes, decodeRuleSet(rulesBytes).rules);
    for (const rule of decodedRules.get(rulesBytes)!) if (rule.kind === "REJECTION_BURST") keys.push(SUPERVISION_KEY.rejections(rule.ruleId, rule.setHeight, signer));
  }
  // A worklist: keys found in loaded records are followed too (a receivable's bills of lading, their
  // titles), one level further per round of the prefetch.
  const work = [...ruleKeys];
  const follow = (...more: string[]) => {
    keys.push(...more);
    if (work.length < 1024) work.push(...more);
  };
  for (let i = 0; i < work.length; i++) {
    const k = work[i]!;
    // A piece's earlier holders are written when it is created: named before it exists.
    if (k.startsWith("q/")) keys.push(SUPERVISION_KEY.holders(k.slice(2)));
    const b = loaded(k);
    if (!b) continue;
    if (k.startsWith("r/")) {
      const r = decodeReceivable(b);
      if (r.declarationFingerprint.length > 0) keys.push(KEY.declaration(toHex(r.declarationFingerprint)));
      follow(SUPERVISION_KEY.billsOf(r.id));
    } else if (k.startsWith("v/l/")) {
      for (const fp of decodeTally(b).parties) follow(KEY.titleFingerprint(fp));
    } else if (k.startsWith("v/s/")) {
      for (const rid of decodeTally(b).parties) keys.push(KEY.receivable(rid));
    } else if (k.startsWith("t/")) {
      follow(SUPERVISION_KEY.shipped(toHex(decodeTitle(b).fingerprint)));
    } else if (k.startsWith("u/")) {
      follow(KEY.title(fromUtf8(b)));
    }
  }
  const link = shipmentLink(p);
  if (link) keys.push(SUPERVISION_KEY.shipped(link.fp), SUPERVISION_KEY.billsOf(link.receivableId));
  return keys;
}
