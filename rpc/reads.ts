// The read side of the RPC: every query answered from the node's query model, with the caller's
// visibility (rpc/access.ts) applied. Lists combine one index with in-memory filters: the index
// that narrows most is scanned, the other conditions are checked per item, and a page is filled
// from as many index pages as needed (bounded per request; a page may then come back short, with a
// cursor). Cursors wrap the store's with a letter naming the index, so a cursor of one query
// cannot be replayed against another's index.
import { certifiedHeaderToJson } from "../sdk/certified.js";
import { epochLinkToJson } from "../sdk/epochs.js";
import { stateProofToJson } from "../sdk/proofs.js";
import type { SignerKeysJson } from "../sdk/signers.js";
import { PARTY_ID_RE } from "../sdk/checks.js";
import { REJECTED_ATTEMPT, type HistoryKind } from "../sdk/history-chain.js";
import type { HistoryPageJson, ObjectHistoryPageJson, ResponseOf } from "../sdk/api/routes.js";
import type { ValidatorProposalJson } from "../sdk/api/schemas.js";
import type { CertifiedRecordJson, CreditLineJson, ExposureJson, PieceItemJson, PieceJson, PieceProofsJson, ReceivableJson, TitleJson, TitleRecordJson, TxEntryJson, TxJson, WarrantTreeJson } from "../sdk/api/schemas.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import type { Crypto } from "../sdk/crypto.js";
import { toJsonView } from "../sdk/json.js";
import { decodeTx } from "../sdk/tx.js";
import type { Piece, PieceStatus, Receivable, ReceivableStatus, ResultCode, Title, TitleStatus } from "../sdk/types.js";
import { dayAfter, isCalendarDate } from "../sdk/validate.js";
import type { NodeApi, QueryModel } from "../node/api.js";
import { isOverdue } from "../sdk/domain.js";
import { MAX_PAGE_LIMIT, utcDate, type HistoryEntry, type ObjectKind, type Page, type PageRequest, type StateRecordKind, type TxEntry, type TxRecord } from "../node/query/types.js";
import {
  canSeeCreditLine,
  canSeeReceivable,
  canSeeTitle,
  canSeeTx,
  isPieceParty,
  isSupervisor,
  mayLookUpDocuments,
  maySeeExposure,
  maySeePiecesOf,
  maySeeTitlesOf,
  seesWholeLot,
  seesWholeTree,
  type Lookups,
  canReadHistory,
} from "./access.js";
import type { Caller } from "./auth.js";
import { forbidden, malformed, notFound } from "./errors.js";
import {
  alertRecordView,
  asOfView,
  blockProofView,
  blockView,
  creditLineView,
  historyEntryView,
  pieceItemView,
  pieceView,
  receivableView,
  titleRecordView,
  titleView,
  txEntryView,
  txView,
  warrantTreeView,
  type AsOf,
} from "./views.js";

export const DEFAULT_LIMIT = 50;
/** Index entries examined per request before a short page is returned with a cursor. */
const SCAN_BUDGET = 5_000;
/** Index page reads per request, likewise. */
const FETCH_BUDGET = 64;
const HEX32_RE = /^[0-9a-f]{64}$/;
const U64_LIMIT = 1n << 64n;

export interface PageQuery {
  cursor?: string;
  limit?: number;
}

interface Scanned<U> {
  items: U[];
  cursor?: string;
}

function unwrapCursor(kind: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (!cursor.startsWith(`${kind}.`)) throw malformed("this cursor belongs to another query (pass the same filters as for the first page)");
  return cursor.slice(kind.length + 1);
}

type HistoryQuery = PageQuery & { proofs?: boolean; waitCertifiedMs?: number };

/** How an error message names each kind of object. */
const OBJECT_NAMES: { readonly [K in ObjectKind]: string } = { piece: "warrant piece", warrant: "warrant", line: "credit line", title: "title", lot: "lot" };

/**
 * Fills a page of up to `limit` kept items from an index. Each index read asks for exactly the
 * number still missing, so the index cursor always sits right after the last examined entry and
 * nothing is skipped between pages.
 */
async function scan<T, U>(
  kind: string,
  q: PageQuery,
  fetch: (req: PageRequest) => Promise<Page<T>>,
  keep: (item: T) => Promise<U | undefined> | U | undefined,
): Promise<Scanned<U>> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  let cursor = unwrapCursor(kind, q.cursor);
  const items: U[] = [];
  let examined = 0;
  let fetches = 0;
  while (items.length < limit) {
    const page = await fetch({ limit: Math.min(MAX_PAGE_LIMIT, limit - items.length), ...(cursor ? { cursor } : {}) });
    fetches++;
    for (const t of page.items) {
      const u = await keep(t);
      if (u !== undefined) items.push(u);
    }
    examined += page.items.length;
    cursor = page.cursor;
    if (!cursor || examined >= SCAN_BUDGET || fetches >= FETCH_BUDGET) break;
  }
  return cursor ? { items, cursor: `${kind}.${cursor}` } : { items };
}

export interface ReceivableFilter {
  exporter?: string;
  /** receivables owed by this buyer (DESIGN.md §9) */
  buyer?: string;
  bank?: string;
  status?: ReceivableStatus;
  dueFrom?: string;
  dueTo?: string;
  overdue?: boolean;
}

export interface RejectionFilter {
  code?: Exclude<ResultCode, "OK">;
  signer?: string;
  target?: string;
}

export class Reads {
  constructor(
    private readonly api: NodeApi,
    private readonly crypto: Crypto,
  ) {}

  private get query(): QueryModel {
    return this.api.query;
  }

  /** What the access rules read, from the query model. */
  get lookups(): Lookups {
    const q = this.query;
    return {
      receivable: (id) => q.getReceivable(id),
      piece: (id) => q.getPieceRecord(id),
      warrant: async (id) => (await q.getWarrant(id))?.warrant,
      line: (id) => q.getCreditLine(id),
      title: (id) => q.getTitleRecord(id),
      lot: (id) => q.getLot(id),
      holdsTitleOn: async (partyId, lotId) => (await q.listTitles(partyId, { limit: 1 }, lotId)).items.length > 0,
    };
  }

  asOf(): AsOf {
    const head = this.query.head();
    return { height: head.height, time: head.time };
  }

  private async view(r: Receivable, asOf: AsOf): Promise<ReceivableJson> {
    const declaration = r.declarationFingerprint.length === 32 ? await this.query.getDeclaration(r.declarationFingerprint) : undefined;
    return receivableView(r, asOf, declaration);
  }

  // ---- receivables ------------------------------------------------------------------------------

  async receivable(caller: Caller, id: string): Promise<ReceivableJson> {
    const asOf = this.asOf();
    const r = await this.query.getReceivable(id);
    if (!r) throw notFound(`no receivable ${id}`);
    if (!canSeeReceivable(caller, r, "lookup")) throw forbidden(`${caller.id} (${caller.role}) may not read receivable ${id}: exporters see only their own`);
    return this.view(r, asOf);
  }

  async history(caller: Caller, id: string, q: HistoryQuery): Promise<HistoryPageJson> {
    const r = await this.query.getReceivable(id);
    if (!r) {
      // Rejected registrations leave history under ids that never became receivables: auditors only.
      if (!isSupervisor(caller)) throw notFound(`no receivable ${id}`);
    } else if (!canSeeReceivable(caller, r, "lookup")) {
      throw forbidden(`${caller.id} (${caller.role}) may not read the history of receivable ${id}`);
    }
    return { receivableId: id, ...(await this.historyPage("receivable", id, q)) };
  }

  /** The history of a piece, warrant, credit line, title or lot (canReadHistory says who may read it). */
  async objectHistory(caller: Caller, kind: ObjectKind, id: string, q: HistoryQuery): Promise<ObjectHistoryPageJson> {
    const what = OBJECT_NAMES[kind];
    if (!(await this.lookups[kind](id))) {
      // Rejected attempts leave history under ids that never became objects: auditors only.
      if (!isSupervisor(caller)) throw notFound(`no ${what} ${id}`);
    } else if (!(await canReadHistory(caller, { kind, id }, this.lookups))) {
      throw forbidden(`${caller.id} (${caller.role}) may not read the history of ${what} ${id}`);
    }
    return { kind, id, ...(await this.historyPage(kind, id, q)) };
  }

  /**
   * A page of any object's history; with proofs, what sdk/verify.ts checks: each entry's transaction
   * and receipt with inclusion proofs, the blocks' certified headers, the signers' keys, the
   * history chain record proven at a certified head, and each entry's place in that chain.
   */
  private async historyPage(kind: HistoryKind, id: string, q: HistoryQuery): Promise<Omit<HistoryPageJson, "receivableId">> {
    // Read before the page: every entry up to its height is then in this page or an earlier one.
    const complete = q.proofs ? await this.historyComplete(kind, id, q.waitCertifiedMs ?? 0) : undefined;
    const read = (req: PageRequest) => (kind === "receivable" ? this.query.getHistory(id, req) : this.query.objectHistory(kind, id, req));
    const page = await scan<HistoryEntry, HistoryEntry>("h", q, read, (e) => e);
    const out: Omit<HistoryPageJson, "receivableId"> = { items: [] };
    if (!q.proofs) {
      out.items = page.items.map((e) => historyEntryView(e));
    } else {
      const blocks = new Map<bigint, ReturnType<typeof blockProofView>>();
      // Certified from the newest block down: a checkpoint at or above it certifies the others too.
      const newest = page.items.reduce((m, e) => (e.height > m ? e.height : m), 0n);
      if (newest > 0n && q.waitCertifiedMs) await this.query.waitCertifiedHeader(newest, q.waitCertifiedMs);
      for (const e of page.items) {
        const rec = await this.query.txAt(e.height, e.index);
        if (!rec) throw new Error(`history names transaction ${e.height}/${e.index}, which is not stored`);
        out.items.push(historyEntryView(e, rec));
        if (!blocks.has(e.height)) {
          const h = await this.query.getHeader(e.height);
          if (!h) throw new Error(`block ${e.height} has no header`);
          blocks.set(e.height, blockProofView(e.height, h.headerBytes, h.hash, await this.query.getCertificate(e.height), await this.query.certifiedHeader(e.height)));
        }
      }
      out.blocks = [...blocks.values()];
      const keys = await this.signerKeys(page.items.map((e) => e.signer), q.waitCertifiedMs ?? 0);
      if (keys) out.signerKeys = [keys];
      if (complete) out.complete = complete;
      // each entry's place in the history chain, so a verifier can say which entry is missing
      const points = new Map((await this.query.historyChainPoints(kind, id, newest)).map((p) => [`${p.height}/${p.index}/${p.event}`, p]));
      page.items.forEach((e, n) => {
        const p = points.get(`${e.height}/${e.index}/${e.eventIndex ?? REJECTED_ATTEMPT}`);
        if (p) Object.assign(out.items[n]!, { ordinal: p.ordinal, chainHead: toHex(p.head) });
      });
    }
    if (page.cursor) out.cursor = page.cursor;
    return out;
  }

  async listReceivables(caller: Caller, f: ReceivableFilter, q: PageQuery): Promise<ResponseOf<"listReceivables">> {
    const asOf = this.asOf();
    const filter = { ...f };
    // Who lists what (rpc/access.ts "list"): the constraint becomes a filter.
    let attestedBy: string | undefined;
    switch (caller.role) {
      case "ENTERPRISE":
        if (filter.buyer !== undefined) {
          // a buyer lists what it owes (of any exporter, or of one), and nothing else of theirs
          if (filter.buyer !== caller.id) throw forbidden(`a buyer lists only the receivables it owes (buyer=${caller.id})`);
          break;
        }
        if (filter.exporter !== undefined && filter.exporter !== caller.id) {
          throw forbidden(`an exporter lists only its own receivables (exporter=${caller.id}); a buyer lists those it owes (buyer=${caller.id})`);
        }
        filter.exporter = caller.id;
        break;
      case "BANK":
        if (filter.bank !== undefined && filter.bank !== caller.id) throw forbidden(`a bank lists the receivables it financed (bank=${caller.id}); look others up by id, document hash or fingerprint`);
        filter.bank = caller.id;
        break;
      case "CUSTOMS":
        attestedBy = caller.id;
        break;
      case "AUDITOR":
      case "REGULATOR":
        break;
      case "CUSTODIAN":
        throw forbidden("a custodian lists no receivables");
    }
    for (const [name, d] of [["dueFrom", filter.dueFrom], ["dueTo", filter.dueTo]] as const) {
      if (d !== undefined && !isCalendarDate(d)) throw malformed(`${name}: ${d} is not a calendar date`, [{ path: name, message: "not a calendar date" }]);
    }
    const today = utcDate(asOf.time);
    // The day after dueTo bounds the range; there is none after 9999-12-31: no upper bound then.
    let before = filter.dueTo !== undefined ? dayAfter(filter.dueTo) : undefined;
    const matches = (r: Receivable): boolean => {
      if (filter.exporter !== undefined && r.exporterId !== filter.exporter) return false;
      if (filter.buyer !== undefined && r.buyerPartyId !== filter.buyer) return false;
      if (filter.bank !== undefined && !r.financings.some((x) => x.bankId === filter.bank)) return false;
      if (attestedBy !== undefined && r.attestedBy !== attestedBy) return false;
      if (filter.status !== undefined && r.status !== filter.status) return false;
      if (filter.dueFrom !== undefined && r.dueDate < filter.dueFrom) return false;
      if (before !== undefined && r.dueDate >= before) return false;
      if (filter.overdue !== undefined) {
        if (isOverdue(r, asOf.time) !== filter.overdue) return false;
      }
      return canSeeReceivable(caller, r, "list");
    };
    const keep = async (r: Receivable) => (matches(r) ? this.view(r, asOf) : undefined);

    let page: Scanned<ReceivableJson>;
    if (filter.exporter !== undefined) {
      const exporter = filter.exporter;
      page = await scan("x", q, (req) => this.query.receivablesByExporter(exporter, req), keep);
    } else if (filter.bank !== undefined) {
      const bank = filter.bank;
      // One index entry per finance transaction: keep a receivable at the bank's first financing only.
      page = await scan(
        "b",
        q,
        (req) => this.query.financingsByBank(bank, req),
        ({ entry, receivable }) => (receivable.financings.find((x) => x.bankId === bank)?.id === toHex(entry.txHash) ? keep(receivable) : undefined),
      );
    } else if (filter.overdue === true) {
      // Overdue at the head's UTC day: due strictly before it (sdk/domain.ts isPastDue).
      if (before === undefined || before > today) before = today;
      const range = { before, ...(filter.dueFrom ? { from: filter.dueFrom } : {}) };
      page = await scan("o", q, (req) => this.query.receivablesByDueDate(range, req), keep);
    } else if (filter.status !== undefined) {
      const status = filter.status;
      page = await scan("s", q, (req) => this.query.receivablesByStatus(status, req), keep);
    } else {
      const range = { ...(filter.dueFrom ? { from: filter.dueFrom } : {}), ...(before ? { before } : {}) };
      page = await scan("d", q, (req) => this.query.receivablesByDueDate(range, req), keep);
    }
    return { asOf: { height: asOf.height.toString(), time: asOf.time.toString() }, ...page };
  }

  // ---- documents and fingerprints -----------------------------------------------------------------

  async document(caller: Caller, hashHex: string, q: PageQuery): Promise<ResponseOf<"getDocument">> {
    const hash = fromHex(hashHex);
    const record = await this.query.getDocument(hash);
    const full = mayLookUpDocuments(caller);
    let own = false;
    if (!full && record) {
      own = record.anchoredBy === caller.id;
      if (!own && record.receivableId) {
        const r = await this.query.getReceivable(record.receivableId);
        own = r !== undefined && canSeeReceivable(caller, r, "lookup");
      }
    }
    // Without lookup rights a party sees the transactions it signed itself.
    const page = await scan<TxEntry, TxEntryJson>("t", q, (req) => this.query.documentHistory(hash, req), (e) => (full || own || e.signer === caller.id ? txEntryView(e) : undefined));
    if (!record && page.items.length === 0 && !page.cursor) throw notFound(`no document ${hashHex} was anchored`);
    if (!full && !own && record) throw forbidden(`${caller.id} may not read document ${hashHex}`);
    return { documentHash: hashHex, document: record && (full || own) ? toJsonView(record) : null, ...page };
  }

  async fingerprint(caller: Caller, fpHex: string, q: PageQuery): Promise<ResponseOf<"getFingerprint">> {
    const fp = fromHex(fpHex);
    const holder = (await this.query.getFingerprintHolder(fp)) ?? null;
    const full = mayLookUpDocuments(caller);
    if (!full && holder) {
      const r = await this.query.getReceivable(holder);
      if (!r || !canSeeReceivable(caller, r, "lookup")) throw forbidden(`${caller.id} may not look up fingerprints of other exporters' invoices`);
    }
    const page = await scan<TxEntry, TxEntryJson>("f", q, (req) => this.query.fingerprintHistory(fp, req), (e) => (full || e.signer === caller.id ? txEntryView(e) : undefined));
    if (!holder && page.items.length === 0 && !page.cursor) throw notFound(`no registration carried fingerprint ${fpHex}`);
    return { fingerprint: fpHex, receivableId: holder, ...page };
  }

  // ---- parties --------------------------------------------------------------------------------

  async party(id: string): Promise<ResponseOf<"getParty">> {
    const p = await this.query.getParty(id);
    if (!p) throw notFound(`no party ${id}`);
    return toJsonView(p);
  }

  async exposure(caller: Caller, id: string): Promise<ExposureJson> {
    if (!maySeeExposure(caller, id)) throw forbidden(`${caller.id} (${caller.role}) may not read ${id}'s exposure: the party itself, banks and auditors may`);
    const party = await this.query.getParty(id);
    if (!party) throw notFound(`no party ${id}`);
    const asOf = this.asOf();
    const exposure = await this.query.exposure(id, asOf.time);
    const amounts = (m: Map<string, bigint>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.toString()]));
    return {
      partyId: id,
      asOf: { height: asOf.height.toString(), time: asOf.time.toString() },
      receivables: { total: exposure.receivables, byStatus: exposure.byStatus },
      outstanding: amounts(exposure.outstanding),
      outstandingByBank: Object.fromEntries([...exposure.outstandingByBank.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([bank, m]) => [bank, amounts(m)])),
      overdue: amounts(exposure.overdue),
      overdueReceivables: exposure.overdueReceivables,
      rejectedAttempts: exposure.rejectedAttempts,
    };
  }

  // ---- rejections ---------------------------------------------------------------------------------

  async rejections(caller: Caller, f: RejectionFilter, q: PageQuery): Promise<ResponseOf<"listRejections">> {
    const filter = { ...f };
    let targetVisible = false;
    if (!isSupervisor(caller)) {
      if (filter.target !== undefined) {
        const r = HEX32_RE.test(filter.target) ? await this.query.getReceivable(filter.target) : undefined;
        targetVisible = r ? canSeeReceivable(caller, r, "lookup") : HEX32_RE.test(filter.target) && mayLookUpDocuments(caller);
      }
      if (filter.signer !== undefined && filter.signer !== caller.id && !targetVisible) {
        throw forbidden("only auditors list other parties' rejections; pass target=<a receivable you may see> for attempts aimed at it");
      }
      if (filter.signer === undefined && !targetVisible) filter.signer = caller.id;
    }
    const visible = (e: TxEntry) => isSupervisor(caller) || e.signer === caller.id || targetVisible;
    const matches = (e: TxEntry) =>
      e.code !== "OK" &&
      (filter.code === undefined || e.code === filter.code) &&
      (filter.signer === undefined || e.signer === filter.signer) &&
      visible(e);

    if (filter.target !== undefined && HEX32_RE.test(filter.target)) {
      // Attempts aimed at a receivable (or a document hash) are in its history index.
      const target = filter.target;
      return scan<HistoryEntry, TxEntryJson>("t", q, (req) => this.query.getHistory(target, req), (e) => (e.event === undefined && matches(e) ? txEntryView(e) : undefined));
    }
    const byTarget = (e: TxEntry) => filter.target === undefined || e.target === filter.target;
    if (filter.signer !== undefined) {
      const signer = filter.signer;
      return scan<TxEntry, TxEntryJson>("s", q, (req) => this.query.rejections({ signer }, req), (e) => (matches(e) && byTarget(e) ? txEntryView(e) : undefined));
    }
    if (filter.code !== undefined) {
      const code = filter.code;
      return scan<TxEntry, TxEntryJson>("c", q, (req) => this.query.rejections({ code }, req), (e) => (matches(e) && byTarget(e) ? txEntryView(e) : undefined));
    }
    return scan<TxEntry, TxEntryJson>("a", q, (req) => this.query.rejections({}, req), (e) => (matches(e) && byTarget(e) ? txEntryView(e) : undefined));
  }

  // ---- supervision (DESIGN.md §11, docs/supervision.md) ----------------------------------------------

  /** Alerts: supervisors all; another party those naming it (its party filter is forced to itself). */
  async alerts(caller: Caller, f: { rule?: string; party?: string; fromHeight?: string; toHeight?: string }, q: PageQuery): Promise<ResponseOf<"listAlerts">> {
    let party = f.party;
    if (!isSupervisor(caller)) {
      if (party !== undefined && party !== caller.id) throw forbidden(`${caller.id} (${caller.role}) may list only the alerts naming itself (party=${caller.id}); regulators and auditors see all`);
      party = caller.id;
    }
    const fromHeight = f.fromHeight !== undefined ? BigInt(f.fromHeight) : undefined;
    const toHeight = f.toHeight !== undefined ? BigInt(f.toHeight) : undefined;
    if (fromHeight !== undefined && toHeight !== undefined && fromHeight > toHeight) throw malformed("fromHeight is above toHeight");
    const range = { ...(fromHeight !== undefined ? { fromHeight } : {}), ...(toHeight !== undefined ? { toHeight } : {}) };
    const rule = f.rule;
    // Alerts of one rule, for a party that is not a supervisor: the rule's index, kept to those naming it.
    if (rule !== undefined) {
      return scan("r", q, (req) => this.query.alerts({ ruleId: rule, ...range }, req), (e) => (party === undefined || e.alert.parties.includes(party) ? alertRecordView(e) : undefined));
    }
    if (party !== undefined) return scan("p", q, (req) => this.query.alerts({ partyId: party, ...range }, req), (e) => alertRecordView(e));
    return scan("a", q, (req) => this.query.alerts(range, req), (e) => alertRecordView(e));
  }

  /** The observers admitted on the ledger, current and removed: any registered party. */
  async observers(): Promise<ResponseOf<"listObservers">> {
    const asOf = this.asOf();
    const records = await this.query.observerRecords();
    return { items: records.map((r) => toJsonView(r)) as ResponseOf<"listObservers">["items"], asOf: { height: asOf.height.toString(), time: asOf.time.toString() } };
  }

  /** The active supervision rules: any registered party. */
  async rules(): Promise<ResponseOf<"listRules">> {
    const asOf = this.asOf();
    const rules = await this.query.supervisionRules();
    return { items: rules.map((r) => toJsonView(r)), asOf: { height: asOf.height.toString(), time: asOf.time.toString() } };
  }

  /** The validator set in state and, if named, one proposal (docs/governance.md): any registered party. */
  async governance(proposalId: string | undefined): Promise<ResponseOf<"getGovernance">> {
    const asOf = this.asOf();
    const g = await this.query.governance(proposalId);
    if (!g) throw notFound("this chain's genesis has no validator set in state");
    if (proposalId !== undefined && !g.proposal) throw notFound(`no validator-set proposal ${proposalId}`);
    const n = g.set.members.length;
    const f = Math.floor((n - 1) / 3);
    return {
      governance: {
        validators: g.set.members.map((m) => ({ partyId: m.partyId, nodePublicKey: toHex(m.nodePublicKey) })),
        version: g.set.version.toString(),
        f,
        approvalsNeeded: 2 * f + 1,
        ...(g.proposal && proposalId ? { proposal: { proposalId, ...(toJsonView(g.proposal) as Omit<ValidatorProposalJson, "proposalId">) } } : {}),
      },
      asOf: { height: asOf.height.toString(), time: asOf.time.toString() },
    };
  }

  /** The chain of validator sets: the epoch links this node kept, and the set in its state (docs/governance.md §5): an open route, like the blocks these sets certify. */
  async validatorSets(): Promise<ResponseOf<"getValidatorSets">> {
    const asOf = this.asOf();
    const [links, g] = await Promise.all([this.query.epochLinks(), this.query.governance()]);
    return {
      links: links.map(epochLinkToJson),
      epoch: (g?.set.version ?? 0n).toString(),
      switchAt: (g?.set.switchAt ?? 0n).toString(),
      asOf: { height: asOf.height.toString(), time: asOf.time.toString() },
    };
  }

  // ---- digital warrants (DESIGN.md §7) ---------------------------------------------------------------

  async creditLine(caller: Caller, id: string): Promise<CreditLineJson> {
    const asOf = this.asOf();
    const line = await this.query.getCreditLine(id);
    if (!line) throw notFound(`no credit line ${id}`);
    if (!canSeeCreditLine(caller, line)) throw forbidden(`${caller.id} (${caller.role}) may not read credit line ${id}: its bank, its obligor and auditors may`);
    return creditLineView(line, asOf);
  }

  /**
   * Whether a holder sees a piece through the ancestry rule: some live piece it holds (or an
   * offered or financed one, which the holder index also lists under the bank once it holds it)
   * in the same warrant descends from it.
   */
  private async holdsDescendant(caller: Caller, piece: Piece): Promise<boolean> {
    let cursor: string | undefined;
    let examined = 0;
    do {
      const page = await this.query.listPieces(caller.id, { limit: 200, ...(cursor ? { cursor } : {}) }, piece.warrantId);
      for (const mine of page.items) {
        if (++examined > SCAN_BUDGET) return false;
        if (mine.depth <= piece.depth) continue;
        const full = await this.query.getPiece(mine.id);
        if (full?.ancestry.some((a) => a.id === piece.id)) return true;
      }
      cursor = page.cursor;
    } while (cursor);
    return false;
  }

  /** The pieces of a tree a caller sees: all for the obligor, the bank and supervisors; its own and their ancestry otherwise. */
  private async visiblePieces(caller: Caller, pieces: Piece[]): Promise<Piece[]> {
    const byId = new Map(pieces.map((p) => [p.id, p]));
    const keep = new Set<string>();
    for (const p of pieces) {
      if (!isPieceParty(caller, p)) continue;
      for (let q: Piece | undefined = p; q && !keep.has(q.id); q = q.parentId ? byId.get(q.parentId) : undefined) keep.add(q.id);
    }
    return pieces.filter((p) => keep.has(p.id));
  }

  async warrant(caller: Caller, id: string): Promise<WarrantTreeJson> {
    const asOf = this.asOf();
    const tree = await this.query.getWarrant(id);
    if (!tree) throw notFound(`no warrant ${id}`);
    if (seesWholeTree(caller, tree.warrant)) return warrantTreeView(tree.warrant, tree.pieces, true, asOf);
    const mine = await this.visiblePieces(caller, tree.pieces);
    if (mine.length === 0) throw forbidden(`${caller.id} (${caller.role}) may not read warrant ${id}: its obligor, the bank of its line, holders of its pieces and auditors may`);
    return warrantTreeView(tree.warrant, mine, false, asOf);
  }

  async piece(caller: Caller, id: string, q: { proofs?: boolean; waitCertifiedMs?: number }): Promise<PieceJson> {
    const asOf = this.asOf();
    const found = await this.query.getPiece(id);
    if (!found) throw notFound(`no warrant piece ${id}`);
    const visible = seesWholeTree(caller, found.warrant) || isPieceParty(caller, found.piece) || (await this.holdsDescendant(caller, found.piece));
    if (!visible) throw forbidden(`${caller.id} (${caller.role}) may not read piece ${id}: its holder, holders of pieces descending from it, the obligor, the bank of the line and auditors may`);
    if (!q.proofs) return pieceView(found, asOf, undefined);
    const proofs = await this.pieceProofs(found.warrant.lineId, [...found.ancestry, found.piece], q.waitCertifiedMs ?? 0);
    // the piece's own history, for those who may read it (not a holder of a piece descending from it)
    if (await canReadHistory(caller, { kind: "piece", id }, this.lookups)) {
      proofs.history = { kind: "piece", id, ...(await this.historyPage("piece", id, { proofs: true, limit: MAX_PAGE_LIMIT, waitCertifiedMs: q.waitCertifiedMs ?? 0 })) };
    }
    return pieceView(found, asOf, proofs);
  }

  /** The first event of a type in an object's history, as the transaction record that emitted it. */
  private async firstEventTx(kind: ObjectKind, id: string, type: string): Promise<TxRecord | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.query.objectHistory(kind, id, { limit: 100, ...(cursor ? { cursor } : {}) });
      for (const e of page.items) if (e.event?.type === type) return this.query.txAt(e.height, e.index);
      cursor = page.cursor;
    } while (cursor);
    return undefined;
  }

  /** The grant of the line and, per step, the transaction that created the piece and the one that financed it. */
  private async pieceProofs(lineId: string, chain: Piece[], waitCertifiedMs: number): Promise<PieceProofsJson> {
    // the piece's record first: every step's block is at or below its height, so certified with it
    const state = await this.certifiedRecord("piece", chain[chain.length - 1]!.id, waitCertifiedMs);
    const view = async (rec: TxRecord | undefined, what: string): Promise<TxJson> => {
      if (!rec) throw new Error(`${what} is not in the history indexes`);
      return this.txRecordView(rec);
    };
    const creditLine = await view(await this.firstEventTx("line", lineId, "creditLineGranted"), `the grant of credit line ${lineId}`);
    const steps: PieceProofsJson["steps"] = [];
    for (const p of chain) {
      const created = await view(await this.firstEventTx("piece", p.id, "pieceCreated"), `the creation of piece ${p.id}`);
      const financedRec = p.financedBy && p.advance > 0n ? await this.firstEventTx("piece", p.id, "pieceFinanced") : undefined;
      steps.push({ pieceId: p.id, created, ...(financedRec ? { financed: await this.txRecordView(financedRec) } : {}) });
    }
    return { creditLine, steps, ...(state ? { state } : {}) };
  }

  async listPieces(caller: Caller, partyId: string, f: { status?: Exclude<PieceStatus, "SPENT">; warrant?: string }, q: PageQuery): Promise<ResponseOf<"listPieces">> {
    if (!maySeePiecesOf(caller, partyId)) throw forbidden(`${caller.id} (${caller.role}) may not list ${partyId}'s pieces: the party itself and auditors may`);
    if (!(await this.query.getParty(partyId))) throw notFound(`no party ${partyId}`);
    const asOf = this.asOf();
    const page = await scan<Piece, PieceItemJson>(
      "p",
      q,
      (req) => this.query.listPieces(partyId, req, f.warrant),
      (p) => (f.status === undefined || p.status === f.status ? pieceItemView(p, asOf) : undefined),
    );
    return { partyId, asOf: asOfView(asOf), ...page };
  }

  // ---- title documents and pledges (DESIGN.md §8) -------------------------------------------------

  async title(caller: Caller, id: string): Promise<TitleJson> {
    const asOf = this.asOf();
    const found = await this.query.getTitle(id);
    if (!found) throw notFound(`no title ${id}`);
    if (!canSeeTitle(caller, found.title)) {
      throw forbidden(`${caller.id} (${caller.role}) may not read title ${id}: the custodian that issued it, its holder, the bank it is offered or pledged to and auditors may`);
    }
    return titleView(found, asOf);
  }

  async lot(caller: Caller, id: string, q: PageQuery): Promise<ResponseOf<"getLot">> {
    const asOf = this.asOf();
    const lot = await this.query.getLot(id);
    if (!lot) throw notFound(`no lot ${id}`);
    const whole = seesWholeLot(caller, lot);
    let page: Scanned<TitleRecordJson>;
    if (whole) {
      page = await scan<Title, TitleRecordJson>("l", q, (req) => this.query.titlesOfLot(id, req), titleRecordView);
    } else {
      // A holder of a live title on the lot sees the lot and its own titles on it, nothing of other holders'.
      if (!(await this.lookups.holdsTitleOn(caller.id, id))) {
        throw forbidden(`${caller.id} (${caller.role}) may not read lot ${id}: its custodian, holders of its live titles and auditors may`);
      }
      page = await scan<Title, TitleRecordJson>("h", q, (req) => this.query.listTitles(caller.id, req, id), titleRecordView);
    }
    return { lot: toJsonView(lot), available: (lot.quantity - lot.titled).toString(), complete: whole, asOf: asOfView(asOf), ...page };
  }

  async listTitles(caller: Caller, partyId: string, f: { status?: Exclude<TitleStatus, "SURRENDERED">; lot?: string }, q: PageQuery): Promise<ResponseOf<"listTitles">> {
    if (!maySeeTitlesOf(caller, partyId)) throw forbidden(`${caller.id} (${caller.role}) may not list ${partyId}'s titles: the party itself and auditors may`);
    const party = await this.query.getParty(partyId);
    if (!party) throw notFound(`no party ${partyId}`);
    const asOf = this.asOf();
    const keep = (t: Title) => (f.status === undefined || t.status === f.status ? titleRecordView(t) : undefined);
    // A bank holds no titles: its list is the titles offered or pledged to it.
    const as = party.role === "BANK" ? "pledgee" : "holder";
    const page =
      as === "pledgee"
        ? await scan<Title, TitleRecordJson>("b", q, (req) => this.query.titlesPledgedTo(partyId, req, f.lot), keep)
        : await scan<Title, TitleRecordJson>("h", q, (req) => this.query.listTitles(partyId, req, f.lot), keep);
    return { partyId, as, asOf: asOfView(asOf), ...page };
  }

  // ---- transactions and blocks -------------------------------------------------------------------

  async tx(caller: Caller, hashHex: string, q: { waitCertifiedMs?: number } = {}): Promise<ResponseOf<"getTx">> {
    const rec = await this.query.getTx(fromHex(hashHex));
    if (!rec) throw notFound(`no committed transaction ${hashHex} (it may still be pending)`);
    if (!(await canSeeTx(caller, rec.tx, rec.receipt, "lookup", this.lookups))) {
      throw forbidden(`${caller.id} (${caller.role}) may not read transaction ${hashHex}`);
    }
    return this.txRecordView(rec, q.waitCertifiedMs ?? 0);
  }

  /** A transaction as GET /v1/txs/:hash serves it, with its certified header when the block is certified. */
  async txRecordView(rec: TxRecord, waitCertifiedMs = 0): Promise<ResponseOf<"getTx">> {
    const h = await this.query.getHeader(rec.height);
    if (!h) throw new Error(`block ${rec.height} has no header`);
    const certified = waitCertifiedMs > 0 ? await this.query.waitCertifiedHeader(rec.height, waitCertifiedMs) : await this.query.certifiedHeader(rec.height);
    const view = txView(rec, h.headerBytes, await this.query.getCertificate(rec.height), certified);
    const keys = await this.signerKeys([rec.tx.body.signer], waitCertifiedMs);
    if (keys) view.signerKeys = keys;
    return view;
  }

  /** An object's history chain record proven at the head, with the head's certified header (waiting up to `waitMs`). */
  private async historyComplete(kind: HistoryKind, id: string, waitMs: number): Promise<HistoryPageJson["complete"]> {
    return this.certifiedRecord("historyChain", `${kind}/${id}`, waitMs);
  }

  /** A state record proven at the head, with the head's certified header (waiting up to `waitMs`); undefined while uncertified. */
  private async certifiedRecord(kind: StateRecordKind, id: string, waitMs: number): Promise<CertifiedRecordJson | undefined> {
    const proven = await this.query.proveStates(kind, [id]);
    if (proven.height === 0n) return undefined;
    const certified = waitMs > 0 ? await this.query.waitCertifiedHeader(proven.height, waitMs) : await this.query.certifiedHeader(proven.height);
    if (!certified) return undefined;
    const item = proven.items[0]!;
    return { height: proven.height.toString(), certified: certifiedHeaderToJson(certified, proven.height), record: item.value ? toHex(item.value) : null, proof: stateProofToJson(item.proof) };
  }

  /**
   * The signers' party records with proofs at the head, and the head's certified header (waiting up
   * to `waitMs` for it): what a verifier checks signatures against (sdk/signers.ts). Undefined while
   * the head is not certified.
   */
  private async signerKeys(ids: readonly string[], waitMs: number): Promise<SignerKeysJson | undefined> {
    const unique = [...new Set(ids)].filter((id) => PARTY_ID_RE.test(id)).sort();
    const proven = await this.query.proveStates("party", unique);
    if (proven.height === 0n) return undefined;
    const certified = waitMs > 0 ? await this.query.waitCertifiedHeader(proven.height, waitMs) : await this.query.certifiedHeader(proven.height);
    if (!certified) return undefined;
    return {
      height: proven.height.toString(),
      certified: certifiedHeaderToJson(certified, proven.height),
      parties: proven.items.map((i) => ({ partyId: i.id, record: i.value ? toHex(i.value) : null, proof: stateProofToJson(i.proof) })),
    };
  }

  async certifiedHeader(height: string, q: { waitMs?: number }): Promise<ResponseOf<"getCertifiedHeader">> {
    const h = this.resolveHeight(height);
    const header = await this.query.getHeader(h);
    if (!header) throw notFound(`no block ${h} (head is ${this.query.head().height})`);
    const certified = await this.query.waitCertifiedHeader(h, q.waitMs ?? 0);
    if (!certified) throw notFound(`block ${h} is not certified yet: the next checkpoint, or the idle tip's, certifies it (ask again, or with waitMs)`);
    return certifiedHeaderToJson(certified, h);
  }

  private resolveHeight(height: string): bigint {
    if (height === "latest") {
      const head = this.query.head().height;
      if (head === 0n) throw notFound("no block yet (height 0 is the genesis, which has no header)");
      return head;
    }
    // The route admits up to 20 digits: past 2^64 - 1 no block can exist, and the store's u64 keys
    // cannot hold it. A client's error (400), never a RangeError (500).
    const h = BigInt(height);
    if (h >= U64_LIMIT) throw malformed(`height ${height} exceeds 2^64-1`);
    return h;
  }

  async block(height: string): Promise<ResponseOf<"getBlock">> {
    const h = this.resolveHeight(height);
    const header = await this.query.getHeader(h);
    if (!header) throw notFound(`no block ${h} (head is ${this.query.head().height})`);
    return blockView(header, await this.query.getCertificate(h));
  }

  async blockTxs(caller: Caller, height: string, q: PageQuery): Promise<ResponseOf<"getBlockTxs">> {
    const h = this.resolveHeight(height);
    const block = await this.query.getBlock(h);
    if (!block) throw notFound(`no block ${h} (head is ${this.query.head().height})`);
    const start = q.cursor === undefined ? 0 : Number(unwrapCursor("i", q.cursor));
    if (!Number.isSafeInteger(start) || start < 0) throw malformed("malformed cursor");
    const limit = q.limit ?? DEFAULT_LIMIT;
    const items: ResponseOf<"getBlockTxs">["items"] = [];
    const lookups = this.lookups;
    let i = start;
    for (; i < block.txs.length && items.length < limit; i++) {
      const tx = decodeTx(this.crypto, block.txs[i]!);
      const receipt = block.receipts[i]!;
      if (!(await canSeeTx(caller, tx, receipt, "list", lookups))) continue;
      items.push({ index: i, txHash: tx.hashHex, signer: tx.body.signer, type: tx.body.payload.type, code: receipt.code, target: receipt.target });
    }
    return { height: h.toString(), items, ...(i < block.txs.length ? { cursor: `i.${i}` } : {}) };
  }
}
