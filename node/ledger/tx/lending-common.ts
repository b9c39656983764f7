// What the post-lending rules share (DESIGN.md §10, docs/lending.md): which banks have live
// financing on a receivable, and the states in which its terms may no longer change.
import { financingOutstanding, isClosed } from "../../../sdk/domain.js";
import type { Receivable } from "../../../sdk/types.js";
import { reject } from "./rule.js";

/** Banks with live (outstanding, not written off) financing on the receivable, in financing order. */
export function banksWithLiveFinancing(r: Pick<Receivable, "financings">): string[] {
  const banks: string[] = [];
  for (const f of r.financings) if (financingOutstanding(f) > 0n && !banks.includes(f.bankId)) banks.push(f.bankId);
  return banks;
}

/** INVALID_STATE unless the receivable is open: not SETTLED, CANCELLED or DEFAULTED. */
export function assertOpenForTerms(r: Pick<Receivable, "id" | "status">): void {
  if (isClosed(r.status) || r.status === "DEFAULTED") reject("INVALID_STATE", `receivable ${r.id} is ${r.status}; its terms no longer change`);
}
