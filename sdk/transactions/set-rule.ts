// setRule: a REGULATOR sets (creates or replaces) a supervision rule that the ledger evaluates, in
// consensus, on every committed transaction it concerns (DESIGN.md §11, docs/supervision.md). Each
// kind takes its own parameters and leaves the others at 0 / "" (a canonical payload has one
// spelling per rule); REJECTION_BURST can only ALERT (the transactions it sees are rejected already).
import * as z from "zod/mini";
import { Amount, Currency, described } from "../api/primitives.js";
import { currency, firstIssue, matches, PARTY_ID_RE, toAmount, U64_MAX, type AmountInput, type Check } from "../checks.js";
import { RULE_KINDS, SEVERITIES, type RuleKind, type RuleParams, type Severity } from "../types.js";
import { NOTHING_CARRIED, type TxFormat } from "./format.js";

export interface SetRule {
  ruleId: string;
  kind: RuleKind;
  params: RuleParams;
  severity: Severity;
}
export type SetRulePayload = { type: "setRule" } & SetRule;

export interface SetRuleInput {
  ruleId: string;
  kind: RuleKind;
  /** only the kind's own parameters (docs/supervision.md); the rest default to 0 / "" */
  params?: Partial<Omit<RuleParams, "amount">> & { amount?: AmountInput };
  severity?: Severity;
}

type ParamName = keyof RuleParams;
const PARAM_NAMES: readonly ParamName[] = ["basisPoints", "amount", "currency", "hours", "count", "windowMinutes", "days"];

/** Bounds of the integer parameters (inclusive). */
const BOUNDS: Record<Exclude<ParamName, "amount" | "currency">, [number, number]> = {
  basisPoints: [1, 10_000],
  hours: [1, 8_760],
  count: [2, 1_000],
  windowMinutes: [1, 43_200],
  days: [1, 3_650],
};

/** What each kind requires; `optional` may be left at 0. Every other parameter must be 0 / "". */
export const RULE_PARAMETERS: { readonly [K in RuleKind]: { required: readonly ParamName[]; optional?: readonly ParamName[] } } = {
  CONCENTRATION: { required: ["basisPoints", "currency"], optional: ["amount"] },
  LARGE_EXPOSURE: { required: ["amount", "currency"] },
  VELOCITY: { required: ["hours"] },
  CYCLE: { required: [] },
  VALUE_MISMATCH: { required: ["basisPoints"] },
  REJECTION_BURST: { required: ["count", "windowMinutes"] },
  OVERDUE_AGE: { required: ["days"] },
  PLEDGE_CONFLICT: { required: [] },
};

/** Kinds that only ALERT. */
export const ALERT_ONLY_KINDS: readonly RuleKind[] = ["REJECTION_BURST"];

export const NO_PARAMS: RuleParams = { basisPoints: 0, amount: 0n, currency: "", hours: 0, count: 0, windowMinutes: 0, days: 0 };

const isZero = (name: ParamName, v: unknown) => (name === "amount" ? v === 0n : name === "currency" ? v === "" : v === 0);

function paramCheck(name: ParamName, v: unknown): string | undefined {
  if (name === "amount") return typeof v !== "bigint" ? "must be a bigint count of minor units" : v <= 0n ? "must be greater than 0" : v > U64_MAX ? "exceeds 2^64-1" : undefined;
  if (name === "currency") return currency(v);
  const [lo, hi] = BOUNDS[name];
  return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi ? undefined : `must be an integer from ${lo} to ${hi}`;
}

/** The first problem of a kind's parameters, or undefined. */
export function ruleParamsIssue(kind: RuleKind, params: unknown): { field: string; message: string } | undefined {
  if (typeof params !== "object" || params === null) return { field: "params", message: "must be an object" };
  const p = params as Record<string, unknown>;
  const spec = RULE_PARAMETERS[kind];
  for (const name of PARAM_NAMES) {
    const v = p[name];
    const field = `params.${name}`;
    if (spec.required.includes(name)) {
      const bad = paramCheck(name, v);
      if (bad) return { field, message: `${kind} requires ${name}: ${bad}` };
    } else if (spec.optional?.includes(name) && !isZero(name, v)) {
      const bad = paramCheck(name, v);
      if (bad) return { field, message: bad };
    } else if (!isZero(name, v)) {
      return { field, message: `${kind} takes no ${name} (leave it ${name === "currency" ? '""' : "0"})` };
    }
  }
  return undefined;
}

const kindCheck: Check = (v) => (RULE_KINDS.includes(v as RuleKind) ? undefined : `must be one of ${RULE_KINDS.join(", ")}`);
const severityCheck: Check = (v) => (SEVERITIES.includes(v as Severity) ? undefined : `must be ${SEVERITIES.join(" or ")}`);
export const ruleId = matches(PARTY_ID_RE, "a rule id (2-63 of a-z, 0-9, '-')");

export const RuleKindSchema = described(z.enum(RULE_KINDS as [RuleKind, ...RuleKind[]]), "a supervision rule's kind (docs/supervision.md)");
export const SeveritySchema = described(z.enum(SEVERITIES as [Severity, ...Severity[]]), "ALERT: record an alert; BLOCK: reject the transaction BLOCKED_BY_RULE");
export const RuleParamsJson = z.object({
  basisPoints: z.int(),
  amount: Amount,
  currency: z.union([Currency, z.literal("")]),
  hours: z.int(),
  count: z.int(),
  windowMinutes: z.int(),
  days: z.int(),
});

export const setRuleTx: TxFormat<SetRulePayload, SetRuleInput> = {
  type: "setRule",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, { ruleId, kind: kindCheck, severity: severityCheck }) ??
    ruleParamsIssue(p.kind, p.params) ??
    (ALERT_ONLY_KINDS.includes(p.kind) && p.severity === "BLOCK" ? { field: "severity", message: `a ${p.kind} rule can only ALERT: the transactions it counts are rejected already` } : undefined),
  build: (i) => ({
    type: "setRule",
    ruleId: i.ruleId,
    kind: i.kind,
    params: { ...NO_PARAMS, ...i.params, amount: i.params?.amount === undefined ? 0n : toAmount("params.amount", i.params.amount) },
    severity: i.severity ?? "ALERT",
  }),
  targets: "rule",
  target: (p) => p.ruleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  // Rules change no business record and emit no event: the receipt (target = rule id) is the record.
  events: {},
};
