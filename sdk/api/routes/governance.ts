// Routes of supervision and governance: alerts, rules, the validator set, observers (DESIGN.md §11-§12).
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Empty, Limit, MinHeight, READ_ERRORS, ReadQuery, pageOf, route } from "../route-parts.js";
import { Hex32, PartyId, U64, described } from "../primitives.js";
import { AsOf } from "../views/core.js";
import { AlertRecordView, EpochLinkView, GovernanceView, ObserverRecordView, SupervisionRuleView } from "../views/objects.js";

// supervision (DESIGN.md §11, docs/supervision.md)
export const listAlerts = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/alerts",
  access: "signed",
  summary: "Alerts of the supervision rules, oldest first",
  description:
    "Regulators and auditors see every alert; any other party the alerts naming it (its `party` filter is itself, the default). Filters: `rule` or `party` (not both), and a height range `fromHeight`..`toHeight` (inclusive). Each alert is in the receipt of its transaction (BLOCKED_BY_RULE when a BLOCK rule refused it), proven by the block's receipts root.",
  params: Empty,
  query: z
    .object({
      minHeight: MinHeight,
      rule: described(z.optional(PartyId), "alerts of this rule"),
      party: described(z.optional(PartyId), "alerts naming this party"),
      fromHeight: described(z.optional(U64), "first block height (inclusive)"),
      toHeight: described(z.optional(U64), "last block height (inclusive)"),
      cursor: Cursor, limit: Limit,
    }).check(z.refine((q) => q.rule === undefined || q.party === undefined, "filter by rule or by party, not both")),
  body: null,
  response: pageOf(AlertRecordView),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const listRules = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/rules",
  access: "signed",
  summary: "The active supervision rules",
  description: "Every registered party may read them: the rules a transaction will be checked against are no secret. Sorted by rule id.",
  params: Empty,
  query: ReadQuery,
  body: null,
  response: z.object({ items: z.array(SupervisionRuleView), asOf: AsOf }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getGovernance = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/governance",
  access: "signed",
  summary: "The validator set in ledger state, and one validator-set proposal",
  description: "Every registered party may read it (docs/governance.md). `proposal` names a proposal by the hash of the transaction that made it.",
  params: Empty,
  query: z.object({ proposal: z.optional(Hex32), minHeight: MinHeight }),
  body: null,
  response: z.object({ governance: GovernanceView, asOf: AsOf }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getValidatorSets = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/validator-sets",
  access: "open",
  summary: "The proof of each validator-set epoch's set since genesis",
  description: "Check with verifyValidatorSets from the genesis set (docs/governance.md §5). Open (loopback), like the blocks whose certificates these sets check: checkpoint certificates, block headers and the validator-set record, no commercial data.",
  params: Empty,
  query: ReadQuery,
  body: null,
  response: z.object({
    links: z.array(EpochLinkView),
    epoch: described(U64, "the set in state: its version"),
    switchAt: described(U64, "and its switch seq"),
    asOf: AsOf,
  }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const listObservers = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/observers",
  access: "signed",
  summary: "Observer nodes admitted on the ledger, current and removed",
  description: "Every registered party may read them (docs/governance.md): which node keys the validators accept as observers, who operates each, who admitted or removed it, when and why. Sorted by node key; the latest 256 removals are kept.",
  params: Empty,
  query: ReadQuery,
  body: null,
  response: z.object({ items: z.array(ObserverRecordView), asOf: AsOf }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});
