// Format checks of transaction bodies and payloads (docs/ledger.md, "MALFORMED"). The SDK's
// builders run these before signing and the ledger runs the very same code in consensus, so a
// client can never build a transaction the ledger would reject as malformed, and vice versa. The
// payload checks are each transaction type's own (sdk/transactions/); the building blocks are in
// sdk/checks.ts and re-exported here. Browser-safe: no node:* imports; pure functions.
import { CHAIN_ID_RE, firstIssue, matches, MalformedError, partyId, U64_MAX, bytesOf, type PayloadIssue } from "./checks.js";
import { NONCE_BYTES } from "./tx.js";
import { formatOf } from "./transactions/index.js";
import type { TxBody } from "./tx.js";
import type { TxPayload } from "./transactions/index.js";

export * from "./checks.js";

/** The first format problem of a payload, or undefined if it is well-formed. */
export function checkPayload(payload: TxPayload): PayloadIssue | undefined {
  if (payload === null || typeof payload !== "object") return { field: "payload", message: "missing" };
  const format = formatOf(payload.type);
  if (!format) return { field: "payload.type", message: `unknown transaction type ${JSON.stringify(payload.type)}` };
  return format.check(payload);
}

/** The first format problem of a transaction body (envelope fields, then payload), or undefined. */
export function checkTxBody(body: TxBody): PayloadIssue | undefined {
  return checkTxBodyWith(body, checkPayload);
}

/**
 * checkTxBody with the payload checked by `checkPayload` alone: a call that knows its type passes
 * that type's `check` (sdk/transactions/), so that a bundle carries that format only, not every
 * type's (as checkPayload must).
 */
export function checkTxBodyWith(body: TxBody, checkPayload: (payload: TxPayload) => PayloadIssue | undefined): PayloadIssue | undefined {
  if (body === null || typeof body !== "object") return { field: "body", message: "missing" };
  const envelope = firstIssue(body as unknown as Record<string, unknown>, {
    chainId: matches(CHAIN_ID_RE, "a chain id (3-63 of a-z, 0-9, '-')"),
    signer: partyId,
    createdAt: (v) => (typeof v !== "bigint" ? "must be a bigint (ms)" : v < 0n || v > U64_MAX ? "out of range" : undefined),
    nonce: bytesOf(NONCE_BYTES),
  });
  if (envelope) return envelope;
  if (body.payload === null || typeof body.payload !== "object") return { field: "payload", message: "missing" };
  const issue = checkPayload(body.payload);
  return issue && { field: `payload.${issue.field}`, message: issue.message };
}

/** Throws MalformedError (a LedgerError with code MALFORMED) naming the first bad field. */
export function assertValidPayload<P extends TxPayload>(payload: P): P {
  const issue = checkPayload(payload);
  if (issue) throw new MalformedError(issue.field, issue.message);
  return payload;
}

/** Throws MalformedError naming the first bad field of the body. */
export function assertValidTxBody(body: TxBody): TxBody {
  const issue = checkTxBody(body);
  if (issue) throw new MalformedError(issue.field, issue.message);
  return body;
}

/** checkTxBody as one message ("payload.amount: must be greater than 0"), or null if well-formed. */
export function txBodyFormatError(body: TxBody): string | null {
  const issue = checkTxBody(body);
  return issue ? `${issue.field}: ${issue.message}` : null;
}
