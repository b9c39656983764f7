// What the rules of the buyer's word (DESIGN.md §9) share: the receivable a buyer acts on, which
// must name the signer as its buyer.
import type { Party, Receivable } from "../../../sdk/types.js";
import type { StateReader } from "../state.js";
import { receivableOrReject, reject } from "./rule.js";

/** The receivable named, or NOT_FOUND; UNAUTHORIZED unless the signer is its buyer (buyerPartyId). */
export function buyersReceivableOrReject(s: StateReader, id: string, signer: Party): Receivable {
  const r = receivableOrReject(s, id);
  if (r.buyerPartyId !== signer.id) {
    reject("UNAUTHORIZED", r.buyerPartyId ? `receivable ${r.id} is owed by ${r.buyerPartyId}; only its buyer speaks for it` : `receivable ${r.id} names no buyer on the network; only its buyer speaks for it`);
  }
  return r;
}
