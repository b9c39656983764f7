// TEST ONLY: misbehaviours a node can be told to show (config rpc.testHooks, all off by default), so
// that a test can prove a verifier catches a lying node (docs/explorer.md, "The tampering test
// hook"). Nothing here runs unless a node's config turns it on explicitly.
import type { HistoryPageJson } from "../sdk/api/routes.js";

/**
 * Alters a served receivable history the way a dishonest node would: the amount of the newest entry
 * whose event carries one is raised by one minor unit. The signed transaction and the certified
 * receipt still say the real amount, so verifyHistory reports that entry (EVENT_MISMATCH: the
 * event served is not the receipt's).
 */
export function tamperHistory(page: HistoryPageJson): void {
  for (let i = page.items.length - 1; i >= 0; i--) {
    const event = page.items[i]!.event as { amount?: unknown } | undefined;
    if (event && typeof event.amount === "string" && /^[0-9]+$/.test(event.amount)) {
      event.amount = (BigInt(event.amount) + 1n).toString();
      return;
    }
  }
}
