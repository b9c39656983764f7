// How the load generator reads an answer that carried no receipt (bench/loadgen.ts, finish).

/**
 * Whether an answer without a receipt says the node did not admit the transaction: an HTTP error
 * carrying the node's refusal code ("503 MEMPOOL_FULL", "429 RATE_LIMITED"), or 408 (the node's
 * request timeout: it never had the whole request). Not: 202 pending (admitted), a network error or
 * no answer (unknown), a 500 (the handler ran).
 */
export function refusedBeforeAdmission(reason: string): boolean {
  const m = /^(\d{3})(?: (\S+))?$/.exec(reason);
  if (!m) return false;
  const status = Number(m[1]);
  if (status === 408) return true;
  return status >= 400 && status !== 500 && m[2] !== undefined;
}
