// attestFinancials: a BANK or an AUDITOR attests a party's financial figures for a period
// (DESIGN.md §10): off-ledger factors (solvency, guarantees, profitability) as signed figures with
// the hash of the statement they come from. Readable by the party, banks it consents to, REGULATOR
// and AUDITOR (docs/lending.md).
import { currency, date, firstIssue, hash32, MalformedError, partyId, toBytes, type BytesInput, type PayloadIssue } from "../checks.js";
import { dayNumber } from "../checks.js";
import { want, type TxFormat } from "./format.js";

/** One figure, in minor units of the statement's currency; may be negative (a loss). */
export interface Figure {
  name: string;
  amount: bigint;
}

export interface AttestFinancials {
  partyId: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  figures: Figure[];
  documentHash: Uint8Array;
}
export type AttestFinancialsPayload = { type: "attestFinancials" } & AttestFinancials;

export interface AttestFinancialsInput {
  partyId: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  figures: { name: string; amount: bigint | string }[];
  documentHash: BytesInput;
}

/** Figure names: lower-case snake case (revenue, net_income, total_assets, equity, guarantees, ...). */
const FIGURE_NAME_RE = /^[a-z][a-z0-9_]{0,39}$/;
export const MAX_FIGURES = 32;
const I64_MAX = (1n << 63n) - 1n;
export const SIGNED_RE = /^-?(?:0|[1-9][0-9]*)$/;

function figuresIssue(p: AttestFinancials): PayloadIssue | undefined {
  if (!Array.isArray(p.figures)) return { field: "figures", message: "must be an array" };
  if (p.figures.length === 0) return { field: "figures", message: "must have at least one figure" };
  if (p.figures.length > MAX_FIGURES) return { field: "figures", message: `must have at most ${MAX_FIGURES} figures` };
  const seen = new Set<string>();
  for (let i = 0; i < p.figures.length; i++) {
    const f = p.figures[i] as Partial<Figure> | null;
    if (!f || typeof f !== "object") return { field: `figures[${i}]`, message: "must be a figure" };
    if (typeof f.name !== "string" || !FIGURE_NAME_RE.test(f.name)) return { field: `figures[${i}].name`, message: "must be a snake_case name of 1-40 characters" };
    if (seen.has(f.name)) return { field: `figures[${i}].name`, message: `repeats ${f.name}` };
    seen.add(f.name);
    if (typeof f.amount !== "bigint" || f.amount > I64_MAX || f.amount < -I64_MAX) return { field: `figures[${i}].amount`, message: "must be a signed 64-bit count of minor units" };
  }
  if (dayNumber(p.periodEnd) < dayNumber(p.periodStart)) return { field: "periodEnd", message: "must not be before periodStart" };
  return undefined;
}

export const attestFinancialsTx: TxFormat<AttestFinancialsPayload, AttestFinancialsInput> = {
  type: "attestFinancials",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, { partyId, periodStart: date, periodEnd: date, currency, documentHash: hash32 }) ?? figuresIssue(p),
  build: (i) => {
    if (!Array.isArray(i.figures)) throw new MalformedError("figures", "must be an array");
    return {
      type: "attestFinancials",
      partyId: i.partyId,
      periodStart: i.periodStart,
      periodEnd: i.periodEnd,
      currency: i.currency,
      figures: i.figures.map((f, n) => {
        const a = f.amount;
        if (typeof a === "bigint") return { name: f.name, amount: a };
        if (typeof a === "string" && SIGNED_RE.test(a)) return { name: f.name, amount: BigInt(a) };
        throw new MalformedError(`figures[${n}].amount`, "must be a bigint or a signed decimal string of minor units");
      }),
      documentHash: toBytes("documentHash", i.documentHash),
    };
  },
  targets: "party",
  target: (p) => p.partyId,
  receivablesNamed: () => [],
  carries: (p) => ({ documents: [p.documentHash], fingerprints: [] }),
  events: {
    financialsAttested: (e, p, tx) =>
      want(e.partyId === p.partyId && e.attestedBy === tx.signer && e.periodEnd === p.periodEnd && e.documentHash.length === 32 && e.documentHash.every((b, i) => b === p.documentHash[i]), "party, attester, period or document differs from the transaction"),
  },
};
