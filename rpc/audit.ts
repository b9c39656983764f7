// The node's audit log of supervisory reads (DESIGN.md §11: a regulator reads everything, and its
// reads are themselves logged — who, what, when). One JSON line per signed read made by a party
// that sees everything (REGULATOR, and AUDITOR, which has the same reach), written after the answer
// is known, so the line says whether it was served:
//
//   {"t":"2026-12-05T16:02:11.042Z","party":"regulator","role":"REGULATOR","method":"GET",
//    "path":"/v1/receivables?bank=bank-a","route":"listReceivables","status":200,"requestId":"..."}
//
// The file is created 0600 (it names what a supervisor looked at) and appended to with writeSync:
// a line survives a crash of the process right after the answer. It is evidence kept by the node's
// operator, not ledger state: nothing here is agreed by consensus.
import { closeSync, openSync, writeSync } from "node:fs";
import { privateLogFile } from "../node/log.js";
import type { Role } from "../sdk/types.js";

export interface ReadAuditEntry {
  /** when the answer was given (the node's clock, ms) */
  time: number;
  party: string;
  role: Role;
  method: string;
  /** the request target as signed: path and query */
  path: string;
  /** the route id (sdk/api/routes.ts) */
  route: string;
  status: number;
  requestId: string;
}

/** Where the RPC reports supervisory reads (rpc/server.ts); null or absent: not recorded. */
export interface ReadAudit {
  record(entry: ReadAuditEntry): void;
  close(): void;
}

/** Longest path kept in a line: a query string is bounded by the request limits, but lines stay short. */
const MAX_PATH = 1000;

/** Appends audit lines to a file (created 0600, its folders 0700). */
export class ReadAuditLog implements ReadAudit {
  private fd: number | undefined;

  constructor(readonly file: string) {
    privateLogFile(file);
    this.fd = openSync(file, "a", 0o600);
  }

  record(e: ReadAuditEntry): void {
    if (this.fd === undefined) return;
    const line = JSON.stringify({
      t: new Date(e.time).toISOString(),
      party: e.party,
      role: e.role,
      method: e.method,
      path: e.path.length > MAX_PATH ? `${e.path.slice(0, MAX_PATH)}...(${e.path.length} chars)` : e.path,
      route: e.route,
      status: e.status,
      requestId: e.requestId,
    });
    writeSync(this.fd, `${line}\n`);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads an audit file back (tests, operators' tools): one object per line. */
export function parseAuditLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
