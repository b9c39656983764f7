// Typed store errors (the class and its codes live in node/errors.ts, where the RPC may name them). A store
// that fails an integrity check is never served: open() throws, or the store refuses every later
// operation once a write has failed (a broken invariant halts the node loudly).
import { StoreError } from "../errors.js";

export { StoreError, type StoreErrorCode } from "../errors.js";

export function corrupted(message: string, detail: Record<string, unknown> = {}, cause?: unknown): StoreError {
  return new StoreError("STORE_CORRUPTED", message, detail, cause === undefined ? undefined : { cause });
}
