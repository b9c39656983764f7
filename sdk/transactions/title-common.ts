// What the title-document transaction types share on both sides (DESIGN.md §8, docs/titles.md):
// the format checks of lots, goods, quantities and title kinds, and their JSON views.
import { Quantity, TITLE_KIND_NAMES } from "../api/primitives.js";
import { equalBytes } from "../bytes.js";
import { firstIssue, hash32, matches, MalformedError, PARTY_ID_RE, U64_MAX, type Check, type PayloadIssue } from "../checks.js";
import { TITLE_KINDS, type Goods, type TitleKind } from "../types.js";

// The JSON enum restates the domain union: a compile error here means one drifted.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kindsInSync: Equal<(typeof TITLE_KIND_NAMES)[number], TitleKind> = true;
void kindsInSync;

/** A lot id: chosen by the custodian that first attests the lot, in the form of a party id. */
export const lotId = matches(PARTY_ID_RE, "a lot id (2-63 of a-z, 0-9, '-')");
/** A Harmonized System code: the 6-digit international code, optionally extended to 8-10 digits. */
export const HS_CODE_RE = /^[0-9]{6,10}$/;
/** A UN/ECE Recommendation 20 unit code (KGM, TNE, MTQ, LTR, C62, ...). */
export const UNIT_RE = /^[A-Z0-9]{2,3}$/;

export const titleKind: Check = (v) => (TITLE_KINDS.includes(v as TitleKind) ? undefined : `must be one of ${TITLE_KINDS.join(", ")}`);

/** A quantity of goods: a bigint count of units of the lot's unit, 0 allowed (an emptied lot). */
export const quantity: Check = (v) => (typeof v !== "bigint" ? "must be a bigint count of units" : v < 0n ? "must not be negative" : v > U64_MAX ? "exceeds 2^64-1" : undefined);
/** A quantity a title represents: more than 0. */
export const positiveQuantity: Check = (v) => quantity(v) ?? (v === 0n ? "must be greater than 0" : undefined);

/** The first bad field of the goods, named "goods.<field>". */
export function goodsIssue(goods: unknown): PayloadIssue | undefined {
  if (goods === null || typeof goods !== "object") return { field: "goods", message: "must be an object { hsCode, descriptionHash, unit }" };
  const issue = firstIssue(goods as Record<string, unknown>, {
    hsCode: matches(HS_CODE_RE, "a Harmonized System code of 6 to 10 digits"),
    descriptionHash: hash32,
    unit: matches(UNIT_RE, "a UN/ECE Recommendation 20 unit code like KGM or TNE"),
  });
  return issue && { field: `goods.${issue.field}`, message: issue.message };
}

export const sameGoods = (a: Goods, b: Goods): boolean => a.hsCode === b.hsCode && a.unit === b.unit && equalBytes(a.descriptionHash, b.descriptionHash);

/** A quantity from a builder input: a bigint, or its decimal string. */
export type QuantityInput = bigint | string;
export function toQuantity(field: string, value: QuantityInput): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && /^(?:0|[1-9][0-9]*)$/.test(value)) return BigInt(value);
  throw new MalformedError(field, "must be a bigint or a decimal string count of units (no sign, point or exponent)");
}

export { Quantity };
