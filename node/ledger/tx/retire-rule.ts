// retireRule: a REGULATOR retires an active supervision rule (DESIGN.md §11, docs/supervision.md);
// it is not evaluated for any later transaction. Its own tallies (REJECTION_BURST) are left behind:
// setting the id again starts a new generation of them.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { retireRuleTx } from "../../../sdk/transactions/retire-rule.js";
import { encodeRuleSet } from "../records.js";
import { activeRules, SUPERVISION_KEY } from "../supervision.js";
import { reject, type TxRule } from "./rule.js";

export const retireRuleRule: TxRule<PayloadOf<"retireRule">> = {
  format: retireRuleTx,
  signers: ["REGULATOR"],
  keys: () => [SUPERVISION_KEY.rules],
  apply({ state, payload: p }) {
    const rules = activeRules(state);
    if (!rules.some((r) => r.ruleId === p.ruleId)) reject("NOT_FOUND", `no active rule ${p.ruleId}`);
    const rest = rules.filter((r) => r.ruleId !== p.ruleId);
    if (rest.length === 0) state.del(SUPERVISION_KEY.rules);
    else state.put(SUPERVISION_KEY.rules, encodeRuleSet({ rules: rest }));
    return [];
  },
};
