// retireRule: a REGULATOR retires an active supervision rule (DESIGN.md §11, docs/supervision.md):
// from the next transaction on it is no longer evaluated.
import { firstIssue } from "../checks.js";
import { NOTHING_CARRIED, type TxFormat } from "./format.js";
import { ruleId } from "./set-rule.js";

export interface RetireRule {
  ruleId: string;
}
export type RetireRulePayload = { type: "retireRule" } & RetireRule;

export const retireRuleTx: TxFormat<RetireRulePayload, RetireRule> = {
  type: "retireRule",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { ruleId }),
  build: (i) => ({ type: "retireRule", ruleId: i.ruleId }),
  targets: "rule",
  target: (p) => p.ruleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {},
};
