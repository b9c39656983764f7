// How the `tradeledger` CLI prints (docs/api.md, "CLI"): JSON with --json or whenever stdout is not a
// terminal (scripts, pipes), a readable indented form at a terminal. In both, times are ISO 8601 UTC
// (`2026-12-05T14:03:11.250Z`), never epoch milliseconds; a time that is not set yet (0) is null.

/** Keys whose values are epoch milliseconds in the RPC's JSON (TimeMs, sdk/api/primitives.ts). */
const TIME_KEY = /^(?:time|headTime|genesisTime)$|[a-z](?:At|Since)$/;
const MS_RE = /^(?:0|[1-9][0-9]{0,15})$/;

export type OutputFormat = "json" | "text";

/** The format a command prints in: --json, else text at a terminal, else JSON. */
export function outputFormat(opts: { json?: boolean } | undefined, isTty: boolean): OutputFormat {
  return opts?.json || !isTty ? "json" : "text";
}

/** ms since the epoch -> ISO 8601 UTC; 0 (not set) -> null. */
export function isoTime(ms: string | number | bigint): string | null {
  const n = Number(ms);
  if (n === 0) return null;
  const d = new Date(n);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** A copy of `value` with every epoch-milliseconds time field as an ISO 8601 string (bigint -> decimal, bytes -> hex). */
export function withIsoTimes(value: unknown, key?: string): unknown {
  if (typeof value === "bigint") return key !== undefined && TIME_KEY.test(key) ? isoTime(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (key !== undefined && TIME_KEY.test(key) && ((typeof value === "string" && MS_RE.test(value)) || (typeof value === "number" && Number.isInteger(value) && value >= 0))) return isoTime(value);
  if (Array.isArray(value)) return value.map((v) => withIsoTimes(v));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withIsoTimes(v, k);
    return out;
  }
  return value;
}

/** `value` as the CLI prints it, with a trailing newline. */
export function render(value: unknown, format: OutputFormat): string {
  const v = withIsoTimes(value);
  if (format === "json") return JSON.stringify(v, null, 2) + "\n";
  const lines: string[] = [];
  textLines(v, 0, lines);
  return lines.join("\n") + "\n";
}

/** One compact JSON line (for streams: one event per line). */
export function renderLine(value: unknown): string {
  return JSON.stringify(withIsoTimes(value)) + "\n";
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "string") return v === "" || /[\n\r]/.test(v) || /^\s|\s$/.test(v) ? JSON.stringify(v) : v;
  return String(v);
}

const isContainer = (v: unknown): v is object => v !== null && typeof v === "object" && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);

/** An indented outline: `key: value`, nested objects and lists below their key. */
function textLines(v: unknown, depth: number, lines: string[]): void {
  const pad = "  ".repeat(depth);
  if (Array.isArray(v)) {
    for (const item of v) {
      if (!isContainer(item)) {
        lines.push(`${pad}- ${Array.isArray(item) ? "[]" : typeof item === "object" && item !== null ? "{}" : scalar(item)}`);
        continue;
      }
      const sub: string[] = [];
      textLines(item, depth + 1, sub);
      lines.push(`${pad}- ${sub[0]!.trimStart()}`, ...sub.slice(1));
    }
    return;
  }
  if (v !== null && typeof v === "object") {
    for (const [k, val] of Object.entries(v)) {
      if (isContainer(val)) {
        lines.push(`${pad}${k}:`);
        textLines(val, depth + 1, lines);
      } else lines.push(`${pad}${k}: ${Array.isArray(val) ? "[]" : typeof val === "object" && val !== null ? "{}" : scalar(val)}`);
    }
    return;
  }
  lines.push(pad + scalar(v));
}
