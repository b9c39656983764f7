// The JSON view of the payload of retire-rule.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, PartyId } from "../api/primitives.js";
import { retireRuleTx } from "./retire-rule.js";

export const RetireRuleJson = z.object({ type: z.literal(retireRuleTx.type), ruleId: described(PartyId, "rule id") });
