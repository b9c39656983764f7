// Structured logging (STYLE rule 10): `log.info("block committed", { height, txs })`, one JSON
// object per line (pino), so operators can grep, ship and parse logs. Modules receive a `Logger`
// and never a concrete implementation; tests may pass `silentLogger`.
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { pino, type Logger as PinoLogger } from "pino";

export type LogFields = Record<string, unknown>;

export interface Logger {
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

function wrap(p: PinoLogger): Logger {
  const fix = (fields?: LogFields) => (fields ? jsonSafe(fields) : {});
  return {
    // Disabled levels cost nothing beyond the call (the fields are not converted).
    trace: (msg, f) => p.isLevelEnabled("trace") && p.trace(fix(f), msg),
    debug: (msg, f) => p.isLevelEnabled("debug") && p.debug(fix(f), msg),
    info: (msg, f) => p.info(fix(f), msg),
    warn: (msg, f) => p.warn(fix(f), msg),
    error: (msg, f) => p.error(fix(f), msg),
    child: (b) => wrap(p.child(jsonSafe(b))),
  };
}

/** bigint -> decimal string, bytes -> hex, errors -> {message, code}; log lines stay valid JSON. */
function jsonSafe(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "bigint") out[k] = v.toString();
    else if (v instanceof Uint8Array) out[k] = Buffer.from(v).toString("hex");
    else if (v instanceof Error) out[k] = { message: v.message, ...("code" in v ? { code: (v as { code: unknown }).code } : {}), stack: v.stack };
    else out[k] = v;
  }
  return out;
}

/**
 * Creates (or tightens) a log file readable by this user only: 0600, its new folders 0700. A node's
 * log names parties, transactions and errors of every bank on the network.
 */
export function privateLogFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", 0o600));
  chmodSync(file, 0o600); // an older file keeps the mode it was created with otherwise
}

export function createLogger(opts: { level?: LogLevel; name?: string; file?: string } = {}): Logger {
  if (opts.file) privateLogFile(opts.file);
  const destination = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: false, mode: 0o600 }) : pino.destination(1);
  return wrap(
    pino(
      {
        level: opts.level ?? "info",
        base: opts.name ? { node: opts.name } : {},
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination,
    ),
  );
}

const noop = () => {};
export const silentLogger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };
