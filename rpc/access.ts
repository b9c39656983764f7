// Who may see what (docs/security.md). Two ways to reach a receivable:
//   - list: enumerating (lists, block contents, the event stream without a receivable filter):
//     an exporter its own receivables, a bank those it financed, customs those it attested;
//   - lookup: naming it by id, document hash or fingerprint, values only someone who holds the
//     documents knows (ids are 256-bit hashes): banks and customs may look up any receivable, so a
//     bank can check an invoice before financing it and customs before attesting it. Exporters
//     still see only their own.
// Auditors see everything. A party always sees its own transactions.
import type { Tx } from "../sdk/tx.js";
import type { Receipt, Receivable } from "../sdk/types.js";
import type { Caller } from "./auth.js";
import { formatOf, RECEIVABLE_ID_RE, receivableIdsNamed } from "../sdk/transactions/index.js";

export type Reach = "list" | "lookup";


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
export async function canSeeTx(caller: Caller, tx: Tx, receipt: Receipt, reach: Reach, receivable: (id: string) => Promise<Receivable | undefined>): Promise<boolean> {
  if (caller.role === "AUDITOR" || tx.body.signer === caller.id) return true;
  // What the receipt target names decides the rest: a party sees what was done to it; a document
  // anchored outside any receivable is found by those who may look documents up.
  const targets = formatOf(tx.body.payload.type)?.targets;
  if (targets === "party" && receipt.target === caller.id) return true;
  if (targets === "document" && reach === "lookup" && mayLookUpDocuments(caller)) return true;
  for (const id of receivablesOf(tx, receipt)) {
    const r = await receivable(id);
    if (r && canSeeReceivable(caller, r, reach)) return true;
  }
  return false;
}
