// The JSON view of the payload of set-rule.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, PartyId } from "../api/primitives.js";
import { RuleKindSchema, RuleParamsJson, SeveritySchema, setRuleTx } from "./set-rule.js";

export const SetRuleJson = z.object({ type: z.literal(setRuleTx.type), ruleId: described(PartyId, "rule id"), kind: RuleKindSchema, params: RuleParamsJson, severity: SeveritySchema });
