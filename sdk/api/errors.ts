// The error body every failed request answers with, and the HTTP status of each error and receipt
// code (DESIGN §5). Browser-safe.
import * as z from "zod/mini";
import type { LedgerErrorCode } from "../errors.js";
import { RESULT_CODES, type ResultCode } from "../types.js";
import { described, Hex32, named, U64 } from "./primitives.js";
import { ReceiptView } from "./schemas.js";

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: described(z.string(), "MALFORMED, BAD_SIGNATURE, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, a ledger code such as DOUBLE_FINANCING, TOO_LARGE, RATE_LIMITED, NOT_READY, HEIGHT_NOT_REACHED..."),
      message: z.string(),
      details: described(z.optional(z.array(z.object({ path: z.string(), message: z.string() }))), "request fields that failed validation"),
      txHash: z.optional(Hex32),
      height: described(z.optional(U64), "the committed transaction's height; for HEIGHT_NOT_REACHED, the height the node had applied"),
      minHeight: described(z.optional(U64), "for HEIGHT_NOT_REACHED: the height the read asked for"),
      receipt: described(z.optional(ReceiptView), "for a committed transaction the ledger rejected"),
      retryAfterMs: z.optional(z.int()),
    }),
  }).apply(named, "Error");

export type ErrorJson = z.output<typeof ErrorEnvelope>["error"];

const STATUS_BY_CODE: Partial<Record<LedgerErrorCode, number>> = {
  OK: 200,
  MALFORMED: 400,
  WRONG_CHAIN: 400,
  TX_EXPIRED: 400,
  UNAUTHENTICATED: 401,
  UNKNOWN_SIGNER: 401,
  BAD_SIGNATURE: 401,
  KEY_RETIRED: 401,
  UNAUTHORIZED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
  HEIGHT_NOT_REACHED: 503,
  MEMPOOL_FULL: 503,
  TIMEOUT: 504,
};

/** Ledger receipt codes that are domain rejections of DESIGN §2 (409 Conflict). */
export const DOMAIN_REJECTIONS: readonly ResultCode[] = RESULT_CODES.filter(
  (c) => !["OK", "MALFORMED", "WRONG_CHAIN", "UNKNOWN_SIGNER", "BAD_SIGNATURE", "KEY_RETIRED", "UNAUTHORIZED", "TX_EXPIRED", "NOT_FOUND"].includes(c),
);

/** The HTTP status an error (or receipt) code is served with. */
export function httpStatusOf(code: LedgerErrorCode | string): number {
  const s = STATUS_BY_CODE[code as LedgerErrorCode];
  if (s !== undefined) return s;
  if ((DOMAIN_REJECTIONS as readonly string[]).includes(code)) return 409;
  return 500;
}
