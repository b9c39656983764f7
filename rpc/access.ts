// Who may see what (docs/security.md). Two ways to reach a receivable:
//   - list: enumerating (lists, block contents, the event stream without a receivable filter):
//     an exporter its own receivables, a bank those it financed, customs those it attested;
//   - lookup: naming it by id, document hash or fingerprint, values only someone who holds the
//     documents knows (ids are 256-bit hashes): banks and customs may look up any receivable, so a
//     bank can check an invoice before financing it and customs before attesting it. Exporters
//     still see only their own.
// Auditors see everything. A party always sees its own transactions.
//
// Digital warrants (DESIGN.md §7): the obligor and the bank that granted the line see a warrant's
// whole tree; a piece's own parties (its holder, the bank it is offered to, the bank that financed
// it) see the piece and its ancestry; auditors (and regulators) see everything. A credit line is
// seen by its bank and its obligor. Transactions and events on the stream follow the same rules,
// and a party an event names (the holder a piece is created for, the bank a piece is offered to,
// the seller of a financed piece) sees that event and its transaction.
import type { Tx } from "../sdk/tx.js";
import type { CreditLine, Event, Piece, Receipt, Receivable, Warrant } from "../sdk/types.js";
import type { Caller } from "./auth.js";
import { formatOf, RECEIVABLE_ID_RE, receivableIdsNamed } from "../sdk/transactions/index.js";
import { isObjectId, objectsNamed, type ObjectKind } from "../node/query/types.js";

export type Reach = "list" | "lookup";

/** Roles that read everything: auditors, and regulators (DESIGN.md §11) once the role exists. */
export function isSupervisor(caller: Caller): boolean {
  return caller.role === "AUDITOR" || (caller.role as string) === "REGULATOR";
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

/** The party fields of warrant events: whoever they name is involved in the event. */
const WARRANT_EVENT_PARTIES = ["holderId", "bankId", "sellerId", "obligorId"] as const;

/** The pieces, warrants and credit lines an event names. */
export function objectsOfEvent(e: Event): { kind: ObjectKind; id: string }[] {
  const out: { kind: ObjectKind; id: string }[] = [];
  if ("pieceId" in e && isObjectId("piece", e.pieceId)) out.push({ kind: "piece", id: e.pieceId });
  if ("warrantId" in e && isObjectId("warrant", e.warrantId)) out.push({ kind: "warrant", id: e.warrantId });
  if ("lineId" in e && isObjectId("line", e.lineId)) out.push({ kind: "line", id: e.lineId });
  return out;
}

/** Whether a warrant event (one naming a piece, warrant or line) names `partyId` as holder, bank, seller or obligor. */
export function warrantEventNames(e: Event, partyId: string): boolean {
  if (objectsOfEvent(e).length === 0) return false;
  const fields = e as unknown as Record<string, unknown>;
  return WARRANT_EVENT_PARTIES.some((k) => fields[k] === partyId);
}

/** The parties a warrant event names (for the event stream's party filter). */
export function partiesOfWarrantEvent(e: Event): string[] {
  if (objectsOfEvent(e).length === 0) return [];
  const fields = e as unknown as Record<string, unknown>;
  return WARRANT_EVENT_PARTIES.map((k) => fields[k]).filter((v): v is string => typeof v === "string" && v !== "");
}

/** How access rules read the records they decide on (the query model, or a per-block cache of it). */
export interface Lookups {
  receivable(id: string): Promise<Receivable | undefined>;
  piece(id: string): Promise<Piece | undefined>;
  warrant(id: string): Promise<Warrant | undefined>;
  line(id: string): Promise<CreditLine | undefined>;
}

/**
 * Whether `caller` may see a piece, warrant or credit line as named by a transaction or an event
 * (not the ancestry rule, which needs the caller's own pieces: rpc/reads.ts applies it to reads).
 */
export async function canSeeObject(caller: Caller, o: { kind: ObjectKind; id: string }, look: Lookups): Promise<boolean> {
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
  }
}


export function canSeeReceivable(caller: Caller, r: Pick<Receivable, "exporterId" | "attestedBy" | "financings">, reach: Reach): boolean {
  switch (caller.role) {
    case "AUDITOR":
      return true;
    case "ENTERPRISE":
      return r.exporterId === caller.id;
    case "BANK":
      return reach === "lookup" || r.financings.some((f) => f.bankId === caller.id);
    case "CUSTOMS":
      return reach === "lookup" || r.attestedBy === caller.id;
  }
}

/** Banks and customs may look documents and fingerprints up by hash (they hold the documents). */
export function mayLookUpDocuments(caller: Caller): boolean {
  return caller.role === "AUDITOR" || caller.role === "BANK" || caller.role === "CUSTOMS";
}

/** Exposure (credit information): the party itself, banks and auditors. */
export function maySeeExposure(caller: Caller, partyId: string): boolean {
  return caller.id === partyId || caller.role === "BANK" || caller.role === "AUDITOR";
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
  // Warrant transactions: a party an event names, or one who may see a piece, warrant or line it concerns.
  if (receipt.events.some((e) => warrantEventNames(e, caller.id))) return true;
  const objects = new Map<string, { kind: ObjectKind; id: string }>();
  for (const o of objectsNamed(tx.body.payload, receipt.target)) objects.set(`${o.kind}/${o.id}`, o);
  for (const e of receipt.events) for (const o of objectsOfEvent(e)) objects.set(`${o.kind}/${o.id}`, o);
  for (const o of objects.values()) if (await canSeeObject(caller, o, look)) return true;
  return false;
}
