// Who may see what (docs/security.md). Two ways to reach a receivable:
//   - list: enumerating (lists, block contents, the event stream without a receivable filter):
//     an exporter its own receivables, a bank those it financed, customs those it attested;
//   - lookup: naming it by id, document hash or fingerprint, values only someone who holds the
//     documents knows (ids are 256-bit hashes): banks and customs may look up any receivable, so a
//     bank can check an invoice before financing it and customs before attesting it. Exporters
//     still see only their own.
// Auditors see everything. A party always sees its own transactions.
//
// The buyer (DESIGN.md §9): an ENTERPRISE named as a receivable's buyerPartyId sees that receivable,
// both ways (it owes it: its acknowledgement, dispute and the notices of assignment telling it whom to
// pay are on it), its history and the transactions on it, and nothing else of the exporter's: not
// its other receivables, not its exposure.
//
// Digital warrants (DESIGN.md §7): the obligor and the bank that granted the line see a warrant's
// whole tree; a piece's own parties (its holder, the bank it is offered to, the bank that financed
// it) see the piece and its ancestry; auditors (and regulators) see everything. A credit line is
// seen by its bank and its obligor. Transactions and events on the stream follow the same rules,
// and a party an event names (the holder a piece is created for, the bank a piece is offered to,
// the seller of a financed piece) sees that event and its transaction.
//
// Title documents and pledges (DESIGN.md §8): a title is seen by its custodian (the issuer), its
// holder and its pledgee (the bank it is offered or pledged to now); a lot by its custodian and by
// the holders of its live titles, who see the lot and their own titles on it, not other holders'.
// A title's transactions and events follow the title (never the lot, so a holder on a lot does not
// learn of other holders' titles); a lot's own (stock attestations) follow the lot. Parties an event
// names (the custodian, holder, transferor and recipient, the bank, the releasing party) see it.
import type { Tx } from "../sdk/tx.js";
import type { CreditLine, Event, Lot, Piece, Receipt, Receivable, Title, Warrant } from "../sdk/types.js";
import type { Caller } from "./auth.js";
import { formatOf, RECEIVABLE_ID_RE, receivableIdsNamed } from "../sdk/transactions/index.js";
import { objectsNamed, objectsOfEvent, type ObjectKind } from "../node/query/types.js";

export { objectsOfEvent };

export type Reach = "list" | "lookup";

/** Roles that read everything: auditors and regulators (DESIGN.md §11). A regulator's reads are audited (rpc/audit.ts). */
export function isSupervisor(caller: Pick<Caller, "role">): boolean {
  return caller.role === "AUDITOR" || caller.role === "REGULATOR";
}

/** The obligor and the granting bank see a warrant's whole tree; so do supervisors. */
export function seesWholeTree(caller: Caller, w: Pick<Warrant, "obligorId" | "bankId">): boolean {
  return isSupervisor(caller) || caller.id === w.obligorId || caller.id === w.bankId;
}

/** A piece's own parties: its holder, the bank it is offered to, the bank that financed or bought it. */
export function isPieceParty(caller: Caller, p: Pick<Piece, "holderId" | "offeredTo" | "financedBy">): boolean {
  return caller.id === p.holderId || caller.id === p.offeredTo || caller.id === p.financedBy;
}

/** A credit line: its bank, its obligor, supervisors. */
export function canSeeCreditLine(caller: Caller, line: Pick<CreditLine, "bankId" | "obligorId">): boolean {
  return isSupervisor(caller) || caller.id === line.bankId || caller.id === line.obligorId;
}

/** A party's list of pieces: the party itself and supervisors. */
export function maySeePiecesOf(caller: Caller, partyId: string): boolean {
  return isSupervisor(caller) || caller.id === partyId;
}

// ---- title documents and pledges ----

/** A title's own parties: its custodian (the issuer), its holder, the bank it is offered or pledged to now. */
export function isTitleParty(caller: Caller, t: Pick<Title, "custodianId" | "holderId" | "pledge">): boolean {
  return caller.id === t.custodianId || caller.id === t.holderId || (t.pledge !== undefined && caller.id === t.pledge.bankId);
}

/** A title: its parties and supervisors. */
export function canSeeTitle(caller: Caller, t: Pick<Title, "custodianId" | "holderId" | "pledge">): boolean {
  return isSupervisor(caller) || isTitleParty(caller, t);
}

/** A lot whole (every title on it): its custodian and supervisors. Holders of its titles see the lot with their own titles. */
export function seesWholeLot(caller: Caller, lot: Pick<Lot, "custodianId">): boolean {
  return isSupervisor(caller) || caller.id === lot.custodianId;
}

/** A party's list of titles (those it holds, or for a bank those offered or pledged to it): the party itself and supervisors. */
export function maySeeTitlesOf(caller: Caller, partyId: string): boolean {
  return isSupervisor(caller) || caller.id === partyId;
}

// ---- events naming objects ----

/** The party fields of warrant and title events: whoever they name is involved in the event. */
const OBJECT_EVENT_PARTIES = ["holderId", "bankId", "sellerId", "obligorId", "custodianId", "fromId", "toId", "releasedBy"] as const;

/** Whether an event naming a piece, warrant, line, title or lot names `partyId` as one of its parties. */
export function objectEventNames(e: Event, partyId: string): boolean {
  if (objectsOfEvent(e).length === 0) return false;
  const fields = e as unknown as Record<string, unknown>;
  return OBJECT_EVENT_PARTIES.some((k) => fields[k] === partyId);
}

/** The parties an event naming a piece, warrant, line, title or lot names (for the event stream's party filter). */
export function partiesOfObjectEvent(e: Event): string[] {
  if (objectsOfEvent(e).length === 0) return [];
  const fields = e as unknown as Record<string, unknown>;
  return OBJECT_EVENT_PARTIES.map((k) => fields[k]).filter((v): v is string => typeof v === "string" && v !== "");
}

/**
 * Whether a transaction or event concerning these objects is a step of a title: it names its lot too
 * (an issue, a surrender, an attempt to issue), but then the lot opens it only to the lot's custodian,
 * never to the lot's other holders, who must not learn of one another's titles.
 */
export function isTitleStep(objects: readonly { kind: ObjectKind }[]): boolean {
  return objects.some((o) => o.kind === "title");
}

/** How access rules read the records they decide on (the query model, or a per-block cache of it). */
export interface Lookups {
  receivable(id: string): Promise<Receivable | undefined>;
  piece(id: string): Promise<Piece | undefined>;
  warrant(id: string): Promise<Warrant | undefined>;
  line(id: string): Promise<CreditLine | undefined>;
  title(id: string): Promise<Title | undefined>;
  lot(id: string): Promise<Lot | undefined>;
  /** whether the party holds a live title on the lot now */
  holdsTitleOn(partyId: string, lotId: string): Promise<boolean>;
}

/**
 * Whether `caller` may see a piece, warrant, credit line, title or lot as named by a transaction or
 * an event (not the ancestry rule, which needs the caller's own pieces: rpc/reads.ts applies it to reads).
 */
export async function canSeeObject(caller: Caller, o: { kind: ObjectKind; id: string }, look: Lookups, opts: { titleStep?: boolean } = {}): Promise<boolean> {
  if (isSupervisor(caller)) return true;
  switch (o.kind) {
    case "line": {
      const line = await look.line(o.id);
      return line !== undefined && canSeeCreditLine(caller, line);
    }
    case "warrant": {
      const w = await look.warrant(o.id);
      return w !== undefined && (seesWholeTree(caller, w) || caller.id === w.holderId);
    }
    case "piece": {
      const p = await look.piece(o.id);
      if (!p) return false;
      if (isPieceParty(caller, p) || caller.id === p.obligorId) return true;
      const w = await look.warrant(p.warrantId);
      return w !== undefined && seesWholeTree(caller, w);
    }
    case "title": {
      const title = await look.title(o.id);
      return title !== undefined && isTitleParty(caller, title);
    }
    case "lot": {
      const lot = await look.lot(o.id);
      if (!lot) return false;
      return seesWholeLot(caller, lot) || (!opts.titleStep && (await look.holdsTitleOn(caller.id, lot.id)));
    }
  }
}


/**
 * Whether `caller` may read the whole history of a piece, warrant, credit line, title or lot (every
 * transaction in it, with proofs): who may see the object, except that a warrant's history (every
 * step of every piece) is for those who see its whole tree, and a lot's (every title issued on it)
 * for its custodian: a holder sees its own pieces' and titles' histories, not one another's.
 */
export async function canReadHistory(caller: Caller, o: { kind: ObjectKind; id: string }, look: Lookups): Promise<boolean> {
  if (isSupervisor(caller)) return true;
  if (o.kind === "warrant") {
    const w = await look.warrant(o.id);
    return w !== undefined && seesWholeTree(caller, w);
  }
  if (o.kind === "lot") {
    const lot = await look.lot(o.id);
    return lot !== undefined && seesWholeLot(caller, lot);
  }
  return canSeeObject(caller, o, look);
}

/** The receivable's buyer, on the network (DESIGN.md §9). */
export function isBuyerOf(caller: Caller, r: Pick<Receivable, "buyerPartyId">): boolean {
  return caller.role === "ENTERPRISE" && r.buyerPartyId !== "" && r.buyerPartyId === caller.id;
}

export function canSeeReceivable(caller: Caller, r: Pick<Receivable, "exporterId" | "attestedBy" | "financings" | "buyerPartyId">, reach: Reach): boolean {
  switch (caller.role) {
    case "AUDITOR":
    case "REGULATOR":
      return true;
    case "ENTERPRISE":
      return r.exporterId === caller.id || isBuyerOf(caller, r);
    case "BANK":
      return reach === "lookup" || r.financings.some((f) => f.bankId === caller.id);
    case "CUSTOMS":
      return reach === "lookup" || r.attestedBy === caller.id;
    case "CUSTODIAN":
      return false; // a carrier or warehouse issues titles (DESIGN.md §8); receivables are not its business
  }
}

/** Banks and customs may look documents and fingerprints up by hash (they hold the documents). */
export function mayLookUpDocuments(caller: Caller): boolean {
  return isSupervisor(caller) || caller.role === "BANK" || caller.role === "CUSTOMS";
}

/** Exposure (credit information): the party itself, banks, auditors and regulators. */
export function maySeeExposure(caller: Caller, partyId: string): boolean {
  return caller.id === partyId || caller.role === "BANK" || isSupervisor(caller);
}

/** Receivable ids a transaction concerns: those its payload names, its events name, and its target. */
export function receivablesOf(tx: Tx, receipt: Receipt): string[] {
  const ids = receivableIdsNamed(tx.body.payload, receipt.target);
  const add = (id: string) => {
    if (RECEIVABLE_ID_RE.test(id)) ids.add(id);
  };
  // (A registration's own id is its receipt target, already named.)
  for (const e of receipt.events) if ("receivableId" in e && e.receivableId) add(e.receivableId);
  return [...ids];
}

/** Whether `caller` may see a committed transaction (its body, receipt and proofs). */
export async function canSeeTx(caller: Caller, tx: Tx, receipt: Receipt, reach: Reach, look: Lookups): Promise<boolean> {
  if (isSupervisor(caller) || tx.body.signer === caller.id) return true;
  // What the receipt target names decides the rest: a party sees what was done to it; a document
  // anchored outside any receivable is found by those who may look documents up.
  const targets = formatOf(tx.body.payload.type)?.targets;
  if (targets === "party" && receipt.target === caller.id) return true;
  if (targets === "document" && reach === "lookup" && mayLookUpDocuments(caller)) return true;
  // A warrant transaction names receivables (its trade background) but is about the warrant: the
  // receivables open it only to those who may list them (the seller, the customs that attested one),
  // not to every bank or customs that may look a receivable up.
  const warrantTx = targets === "piece" || targets === "warrant" || targets === "creditLine";
  for (const id of receivablesOf(tx, receipt)) {
    const r = await look.receivable(id);
    if (r && canSeeReceivable(caller, r, warrantTx ? "list" : reach)) return true;
  }
  // Warrant and title transactions: a party an event names, or one who may see a piece, warrant,
  // line, title or lot it concerns (for a title's step, its lot only to the custodian: isTitleStep).
  if (receipt.events.some((e) => objectEventNames(e, caller.id))) return true;
  const objects = new Map<string, { kind: ObjectKind; id: string }>();
  for (const o of objectsNamed(tx.body.payload, receipt.target)) objects.set(`${o.kind}/${o.id}`, o);
  for (const e of receipt.events) for (const o of objectsOfEvent(e)) objects.set(`${o.kind}/${o.id}`, o);
  const titleStep = isTitleStep([...objects.values()]);
  for (const o of objects.values()) if (await canSeeObject(caller, o, look, { titleStep })) return true;
  return false;
}
