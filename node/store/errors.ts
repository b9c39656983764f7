// Typed store errors (the class and its codes live in node/errors.ts, where the RPC may name them). A store
// that fails an integrity check is never served: open() throws, or the store refuses every later
// operation once a write has failed (a broken invariant halts the node loudly).
import { StoreError } from "../errors.js";

export { StoreError, type StoreErrorCode } from "../errors.js";

export function corrupted(message: string, detail: Record<string, unknown> = {}, cause?: unknown): StoreError {
  return new StoreError("STORE_CORRUPTED", message, detail, cause === undefined ? undefined : { cause });
}

/** errno codes of an operating system refusing to let us write: the data itself is fine. */
const NOT_WRITABLE_ERRNO = new Set(["EACCES", "EPERM", "EROFS"]);
const NOT_WRITABLE_TEXT = /permission denied|read-only file system|operation not permitted|\bEACCES\b|\bEPERM\b|\bEROFS\b/i;
const DISK_TEXT = /no space left|disk quota|\bENOSPC\b|\bEDQUOT\b|\bENOTDIR\b|not a directory|\bEIO\b/i;

/**
 * What a failure to open or prepare the store at `path` means, as a typed error. An operating
 * system refusal (read-only file system, permissions) is STORE_NOT_WRITABLE and a full disk or I/O
 * failure STORE_IO, naming the path: the data may be perfectly good, and an operator told
 * STORE_CORRUPTED might wipe it. Only what LevelDB itself finds wrong in its files is corruption.
 * `err` is a Node fs error (with an errno `code`) or a LevelDB open error, whose cause carries
 * LevelDB's message ("IO error: <file>: Read-only file system").
 */
export function storeOpenError(path: string, err: unknown): StoreError {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  if (code === "LEVEL_LOCKED") return new StoreError("STORE_LOCKED", `store ${path} is in use by another process`, { path }, { cause: err });
  if ((e.code !== undefined && NOT_WRITABLE_ERRNO.has(e.code)) || NOT_WRITABLE_TEXT.test(message)) {
    return new StoreError(
      "STORE_NOT_WRITABLE",
      `store ${path} is not writable (${message}): check the data directory's owner, mode and mount (read-only?); the data in it is not damaged`,
      { path, osCode: e.code ?? code },
      { cause: err },
    );
  }
  if (DISK_TEXT.test(message) || (e.code !== undefined && /^E[A-Z]+$/.test(e.code))) {
    return new StoreError("STORE_IO", `store ${path} cannot be opened: ${message}`, { path, osCode: e.code ?? code }, { cause: err });
  }
  return corrupted(`store ${path} cannot be opened: ${message}`, { path, levelCode: code }, err);
}
