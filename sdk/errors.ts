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

/** What an API error may add: when to try again, which request fields failed. */
export interface LedgerErrorExtra {
  retryAfterMs?: number;
  details?: { path: string; message: string }[];
}

/** A rejection by the ledger (with its receipt) or by a node's API. */
export class LedgerError extends Error {
  override readonly name = "LedgerError";
  /**
   * For RATE_LIMITED, NOT_READY, MEMPOOL_FULL (HTTP 429/503): how long to wait before trying
   * again, from the error body or the Retry-After header. Absent when the node gave no hint.
   */
  readonly retryAfterMs?: number;
  /** For MALFORMED requests: the fields that failed validation. */
  readonly details?: { path: string; message: string }[];
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly receipt?: Receipt,
    readonly status?: number,
    extra: LedgerErrorExtra = {},
  ) {
    super(message);
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
    if (extra.details !== undefined) this.details = extra.details;
  }
}
