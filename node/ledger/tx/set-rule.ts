// setRule: a REGULATOR sets a supervision rule, or replaces the active rule of that id (DESIGN.md §11,
// docs/supervision.md). Active rules live in one record (z/rules), sorted by id: the order they are
// evaluated in, by node/ledger/supervision.ts, for every later transaction.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { setRuleTx } from "../../../sdk/transactions/set-rule.js";
import type { SupervisionRule } from "../../../sdk/types.js";
import { encodeRuleSet } from "../records.js";
import { activeRules, MAX_ACTIVE_RULES, SUPERVISION_KEY } from "../supervision.js";
import { reject, type TxRule } from "./rule.js";

export const setRuleRule: TxRule<PayloadOf<"setRule">> = {
  format: setRuleTx,
  signers: ["REGULATOR"],
  keys: () => [SUPERVISION_KEY.rules],
  apply({ state, payload: p, signer, block }) {
    const rules = activeRules(state);
    const others = rules.filter((r) => r.ruleId !== p.ruleId);
    if (others.length >= MAX_ACTIVE_RULES) reject("INVALID_STATE", `${MAX_ACTIVE_RULES} rules are active: retire one first`);
    const rule: SupervisionRule = { ruleId: p.ruleId, kind: p.kind, params: p.params, severity: p.severity, setBy: signer.id, setAt: block.time, setHeight: block.height };
    const next = [...others, rule].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
    state.put(SUPERVISION_KEY.rules, encodeRuleSet({ rules: next }));
    return [];
  },
};
