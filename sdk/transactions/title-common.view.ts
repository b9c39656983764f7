// JSON pieces the title types' views share (attest-stock.view.ts, issue-title.view.ts): apart from
// title-common.ts, which the formats import, so that only sdk/api/tx-payloads.ts carries them. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32 } from "../api/primitives.js";
import { PARTY_ID_RE } from "../checks.js";

export const LotId = described(z.string().check(z.regex(PARTY_ID_RE, "a lot id is 2-63 chars of a-z, 0-9 and '-'")), "lot id, chosen by its custodian");
export const GoodsJson = z.object({
  hsCode: described(z.string(), "Harmonized System code, 6-10 digits"),
  descriptionHash: described(Hex32, "document hash of the goods' description"),
  unit: described(z.string(), "UN/ECE Recommendation 20 unit code: KGM, TNE, ..."),
});
