// The typed error of the node's storage, where every layer may name it: the store throws it, the
// executor and the query model pass it through, and the RPC maps its codes to HTTP statuses
// (rpc/errors.ts) without importing node/store. A code from the enum below plus a payload naming
// what was found.
export type StoreErrorCode =
  /** LevelDB itself could not open or read the files (missing/garbage CURRENT, MANIFEST, tables) */
  | "STORE_CORRUPTED"
  /** the store was written by an incompatible format version */
  | "STORE_FORMAT"
  /** opened for a different chain id, genesis or state tree depth */
  | "STORE_GENESIS_MISMATCH"
  /** the data directory is locked by another process */
  | "STORE_LOCKED"
  /** the data directory cannot be written (read-only file system, permissions): the data is not damaged */
  | "STORE_NOT_WRITABLE"
  /** the operating system refused access otherwise (disk full, I/O error, not a directory) */
  | "STORE_IO"
  /** a block breaks a rule the executor enforces (time going backwards, a replayed hash taken twice) */
  | "BLOCK_INVALID"
  /** a block's height is not the next one */
  | "HEIGHT_GAP"
  /** an executed block does not hash to what the caller expected (block sync against a certificate) */
  | "BLOCK_MISMATCH"
  /** a write failed; the store must be reopened */
  | "STORE_WRITE_FAILED"
  /** the store is closed or failed */
  | "STORE_CLOSED"
  /** an argument outside the API's contract (bad cursor, limit, key) */
  | "STORE_BAD_REQUEST";

export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
