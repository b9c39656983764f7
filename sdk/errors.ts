// Typed errors shared by the SDK and the node. Every error carries a stable string code.
import type { Receipt, ResultCode } from "./types.js";

/** Codes of errors that are not ledger receipts (transport, admission, API). */
export type ApiErrorCode =
  | "MALFORMED"
  | "BAD_SIGNATURE"
  /** a read without a valid request signature (missing, stale, replayed): HTTP 401 */
  | "UNAUTHENTICATED"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "TOO_LARGE"
  | "RATE_LIMITED"
  | "NOT_READY"
  /** a read asked for a block (minHeight) the node had not applied within its wait: HTTP 503, retry or ask another node */
  | "HEIGHT_NOT_REACHED"
  | "TIMEOUT"
  | "MEMPOOL_FULL"
  | "NETWORK"
  | "INTERNAL";

export type LedgerErrorCode = ResultCode | ApiErrorCode;

/** A rejection by the ledger (with its receipt) or by a node's API. */
export class LedgerError extends Error {
  override readonly name = "LedgerError";
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly receipt?: Receipt,
    readonly status?: number,
  ) {
    super(message);
  }
}
