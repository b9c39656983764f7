// Typed API errors: a code (DESIGN §5 / docs/api.md), the HTTP status it is served with, and a
// payload that goes into the error envelope `{ "error": { code, message, ... } }`. Anything else
// thrown inside a handler is an internal error: logged with its stack, answered as 500 INTERNAL
// without internals (or 503 when the store is closing or failed).
import { httpStatusOf, type ErrorJson } from "../sdk/api/errors.js";
import type { LedgerErrorCode } from "../sdk/errors.js";
import { StoreError } from "../node/errors.js";

export type ApiErrorExtra = Omit<ErrorJson, "code" | "message">;

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly extra: ApiErrorExtra = {},
    status?: number,
  ) {
    super(message);
    this.status = status ?? httpStatusOf(code);
  }
}

/** The client closed the connection (or the request timeout did) before its request was read whole: no answer, not a server error. */
export class ClientGone extends Error {
  override readonly name = "ClientGone";
  constructor() {
    super("the client closed the connection before its request was complete");
  }
}

export const malformed = (message: string, details?: ErrorJson["details"]) => new ApiError("MALFORMED", message, details ? { details } : {});
export const notFound = (message: string) => new ApiError("NOT_FOUND", message);
export const forbidden = (message: string) => new ApiError("FORBIDDEN", message);
export const unauthenticated = (message: string) => new ApiError("UNAUTHENTICATED", message);

/** Maps anything thrown by a handler to an ApiError; `internal` is true for errors to log as bugs. */
export function toApiError(err: unknown): { error: ApiError; internal: boolean } {
  if (err instanceof ApiError) return { error: err, internal: false };
  if (err instanceof StoreError) {
    // Store arguments come from the request (cursor, limit): a client error, not ours.
    if (err.code === "STORE_BAD_REQUEST") return { error: malformed(err.message), internal: false };
    if (err.code === "STORE_CLOSED" || err.code === "STORE_WRITE_FAILED") return { error: new ApiError("NOT_READY", "the node's store is closed or failed"), internal: true };
  }
  return { error: new ApiError("INTERNAL", "internal error; see the node's log"), internal: true };
}

export function envelope(err: ApiError): { error: ErrorJson } {
  return { error: { code: err.code, message: err.message, ...err.extra } };
}
