// How the explorer writes values: times in ISO 8601 (UTC), amounts exactly in their currency's
// minor units (bigint arithmetic, never floats), basis points as percentages, CSV cells.
import { currencyExponent } from "@tradeledger/sdk";

/** A ledger time (ms since the epoch, as a decimal string) as ISO 8601 UTC; "—" for 0 (not yet). */
export function isoTime(ms: string | number | bigint | undefined): string {
  if (ms === undefined || ms === "" || BigInt(ms) === 0n) return "—";
  return new Date(Number(ms)).toISOString();
}

/** Minor units of `currency` as a decimal with the currency's exponent: ("15250000", "USD") -> "152,500.00". */
export function majorUnits(minor: string | bigint, currency: string): string {
  let v = BigInt(minor);
  const neg = v < 0n;
  if (neg) v = -v;
  const exp = currencyExponent(currency);
  const base = 10n ** BigInt(exp);
  const whole = (v / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = exp > 0 ? "." + (v % base).toString().padStart(exp, "0") : "";
  return `${neg ? "-" : ""}${whole}${frac}`;
}

/** Basis points as a percentage with two decimals: 2534 -> "25.34 %". */
export function bp(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const v = BigInt(value);
  return `${v / 100n}.${(v % 100n).toString().padStart(2, "0")} %`;
}

/** The first and last characters of a long hex id, for tables (the full id is in the title). */
export function short(hex: string, n = 10): string {
  return hex.length > 2 * n + 1 ? `${hex.slice(0, n)}…${hex.slice(-4)}` : hex;
}

export const isHash = (s: string) => /^[0-9a-f]{64}$/.test(s);

/** One CSV line (RFC 4180): cells quoted when they hold a comma, quote or line break. */
export function csvLine(cells: readonly (string | number | bigint | boolean | null | undefined)[]): string {
  return cells
    .map((c) => {
      const s = c === null || c === undefined ? "" : String(c);
      // a leading =, +, - or @ would be a formula in a spreadsheet
      const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    })
    .join(",");
}

/** Offers `text` to the reader as a file download. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
