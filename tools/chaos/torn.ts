// Torn writes, faithfully: a crash (power loss) can only lose or tear what the node had not yet made
// durable. The node writes every consensus record and every block with one LevelDB batch that is
// fsync'd before anything that depends on it happens (persist-before-send), so the only write that
// may be torn is the one in flight. The campaign therefore stops the node (SIGSTOP) at random
// moments until one of its threads is inside write/fsync/fdatasync on LevelDB's write-ahead log
// (/proc/<pid>/task/*/syscall), kills it there (SIGKILL) and cuts the log inside its last record:
// the record being written or synced, whose effects (messages, acknowledgements) never left.
// Cutting further back would remove records whose messages were already sent - a disk that lies
// about fsync, which no crash-recovery protocol survives (Jepsen's LazyFS likewise only loses
// unsynced writes).
//
// LevelDB log format (leveldb/doc/log_format.md): 32 KiB blocks of physical records
// checksum u32 | length u16 LE | type u8 (FULL 1, FIRST 2, MIDDLE 3, LAST 4) | payload; fewer than 7
// bytes left in a block are zero padding.
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, fstatSync, truncateSync, writeSync } from "node:fs";
import { join } from "node:path";

const BLOCK = 32768;
const HEADER = 7;
/** x86_64 and aarch64 numbers of the syscalls that write or sync a file */
const WRITE_SYSCALLS: Record<string, Set<number>> = {
  x64: new Set([1, 18, 20, 74, 75]), // write, pwrite64, writev, fsync, fdatasync
  arm64: new Set([64, 68, 66, 82, 83]), // write, pwrite64, writev, fsync, fdatasync
};

/** The write-ahead log (.log under `ledgerDir`) a thread of `pid` is writing or syncing now, if any. */
export function walWriteInFlight(pid: number, ledgerDir: string): string | undefined {
  const calls = WRITE_SYSCALLS[process.arch];
  if (!calls) return undefined;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    let line: string;
    try {
      line = readFileSync(`/proc/${pid}/task/${tid}/syscall`, "utf8").trim();
    } catch {
      continue;
    }
    const [nr, fdHex] = line.split(" ");
    if (nr === undefined || fdHex === undefined || !calls.has(Number(nr))) continue;
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${Number.parseInt(fdHex, 16)}`);
      if (target.startsWith(ledgerDir) && target.endsWith(".log")) return target;
    } catch {
      /* the fd closed meanwhile */
    }
  }
  return undefined;
}

/** True once every thread of pid is stopped (or the process is gone). */
export function stopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "T" || state === "t" || state === "Z";
  } catch {
    return true;
  }
}

/** [start, end) of the last logical record of a LevelDB log file (undefined if it has none). */
export function lastRecord(file: string): { start: number; end: number } | undefined {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, 0);
    let offset = 0;
    let current: number | undefined;
    let last: { start: number; end: number } | undefined;
    while (offset + HEADER <= size) {
      const left = BLOCK - (offset % BLOCK);
      if (left < HEADER) {
        offset += left;
        continue;
      }
      const length = buf.readUInt16LE(offset + 4);
      const type = buf[offset + 6]!;
      if (type === 0 && length === 0) break; // preallocated zeros: end of data
      const end = offset + HEADER + length;
      if (end > size) break; // already torn
      if (type === 1) last = { start: offset, end };
      else if (type === 2) current = offset;
      else if (type === 4 && current !== undefined) {
        last = { start: current, end };
        current = undefined;
      }
      offset = end;
    }
    return last;
  } finally {
    closeSync(fd);
  }
}

/** Cuts `file` inside its last record at `fraction` of it (at least one byte goes). */
export function tearLastRecord(file: string, fraction: number): { from: number; to: number } | undefined {
  const rec = lastRecord(file);
  if (!rec) return undefined;
  const to = rec.start + Math.min(rec.end - rec.start - 1, Math.floor(fraction * (rec.end - rec.start)));
  const from = fstatSize(file);
  truncateSync(file, to);
  return { from, to };
}

function fstatSize(file: string): number {
  const fd = openSync(file, "r");
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** The newest write-ahead log in a LevelDB folder (highest file number). */
export function newestLog(ledgerDir: string): string | undefined {
  const logs = readdirSync(ledgerDir)
    .filter((f) => /^\d+\.log$/.test(f))
    .sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10));
  return logs[0] ? join(ledgerDir, logs[0]) : undefined;
}

/**
 * Appends a torn record to a LevelDB log: the header of a record and part of its payload, as if
 * the next write was cut by the crash (used when no write was caught in flight).
 */
export function appendTornRecord(file: string, fraction: number, rand: () => number): { from: number; to: number } {
  const from = fstatSize(file);
  const parts: Buffer[] = [];
  const left = BLOCK - (from % BLOCK);
  if (left < HEADER) parts.push(Buffer.alloc(left));
  const length = 200 + Math.floor(rand() * 2000);
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(Math.floor(rand() * 2 ** 32), 0);
  header.writeUInt16LE(length, 4);
  header[6] = 1; // FULL
  const payload = Buffer.from(Array.from({ length: Math.floor(fraction * length) }, () => Math.floor(rand() * 256)));
  parts.push(header, payload);
  const bytes = Buffer.concat(parts);
  const fd = openSync(file, "a");
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  return { from, to: from + bytes.length };
}
