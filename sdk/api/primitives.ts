// The scalar formats of the RPC's JSON (hex, decimal-string integers, amounts, dates, party ids)
// and the enums of the domain's unions, shared by every view, payload and route. Browser-safe.
import * as z from "zod/mini";
import { RESULT_CODES } from "../types.js";
import { PARTY_ID_RE } from "../checks.js";

/**
 * `schema` with a description of its own (for OpenAPI): a fresh copy registered with only that
 * description, so that no other metadata of `schema` (its OpenAPI id) carries over to the copy.
 */
/* @__NO_SIDE_EFFECTS__ */
export function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, { description });
  return copy;
}

/**
 * `schema` named `id` in the OpenAPI document: `schema.apply(named, "Party")`. Like described, a copy
 * in the registry (as classic zod's `.meta()`): a `z.meta()` check would instead travel with the
 * schema's checks into every schema derived from it (z.extend), giving them all the same id.
 */
/* @__NO_SIDE_EFFECTS__ */
export function named<T extends z.ZodMiniType>(schema: T, id: string): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, { id });
  return copy;
}

export const Hex = described(z.string().check(z.regex(/^(?:[0-9a-f]{2})*$/, "expected lower-case hex")), "bytes as lower-case hex");
export const Hex32 = described(z.string().check(z.regex(/^[0-9a-f]{64}$/, "expected 32 bytes as 64 lower-case hex digits")), "32 bytes as 64 lower-case hex digits");
export const U64 = described(
  z.string().check(
    z.regex(/^(?:0|[1-9][0-9]{0,19})$/, "expected an unsigned integer as a decimal string"),
    z.refine((v) => BigInt(v) < 1n << 64n, "exceeds 2^64-1"),
  ),
  "unsigned 64-bit integer as a decimal string",
);
export const Amount = described(U64, "count of minor units of the currency (ISO 4217 exponent: USD 152500.00 is \"15250000\"), decimal string");
export const TimeMs = described(U64, "milliseconds since the Unix epoch (UTC), decimal string");
export const PartyId = described(z.string().check(z.regex(PARTY_ID_RE, "a party id is 2-63 chars of a-z, 0-9 and '-'")), "party id");
export const Currency = described(z.string().check(z.regex(/^[A-Z]{3}$/, "ISO 4217 alphabetic code")), "ISO 4217 currency code");
export const CalendarDate = described(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")), "calendar date YYYY-MM-DD");
export const ResultCodeSchema = described(z.enum(RESULT_CODES), "receipt code: OK or a rejection (docs/ledger.md)");
export const ValidatorChangeKindSchema = described(z.enum(["ADD", "REMOVE", "ROTATE_KEY"]), "adding or removing one validator, or replacing one validator's node key (docs/governance.md)");
export const RoleSchema = z.enum(["BANK", "CUSTOMS", "ENTERPRISE", "AUDITOR", "CUSTODIAN", "REGULATOR"]);
export const RECEIVABLE_STATUSES = ["REGISTERED", "ATTESTED", "PARTIALLY_FINANCED", "FINANCED", "SETTLED", "CANCELLED", "DEFAULTED"] as const;
export const ReceivableStatusSchema = z.enum(RECEIVABLE_STATUSES);
export const EVENT_TYPES = [
  "partyRegistered",
  "receivableRegistered",
  "receivableAttested",
  "receivableFinanced",
  "repaymentRecorded",
  "receivableSettled",
  "receivableCancelled",
  "documentAnchored",
  "creditLineGranted",
  "creditLineAdjusted",
  "warrantIssued",
  "pieceCreated",
  "pieceSpent",
  "pieceOffered",
  "offerWithdrawn",
  "offerDeclined",
  "pieceFinanced",
  "piecePaid",
  "warrantSettled",
  // title documents and pledges (DESIGN.md §8)
  "stockAttested",
  "titleIssued",
  "titleTransferred",
  "pledgeOffered",
  "pledgeAccepted",
  "pledgeReleased",
  "titleSurrendered",
  // the buyer's word (DESIGN.md §9)
  "receivableAcknowledged",
  "receivableDisputed",
  "disputeResolved",
  "assignmentNotified",
  // before, during and after lending (DESIGN.md §10)
  "extensionProposed",
  "extensionAccepted",
  "financingWrittenOff",
  "receivableDefaulted",
  "financialsAttested",
  "consentGranted",
  "pieceExtensionProposed",
  "pieceExtensionAccepted",
  "pieceWrittenOff",
  // governance (DESIGN.md §12)
  "observerAdmitted",
  "observerRemoved",
  "keyRotated",
  "validatorChangeProposed",
  "validatorChangeApproved",
  "validatorSetChanged",
] as const;

// title documents and pledges (DESIGN.md §8)
export const TITLE_KIND_NAMES = ["WAREHOUSE_RECEIPT", "BILL_OF_LADING"] as const;
export const TitleKindSchema = described(z.enum(TITLE_KIND_NAMES), "a title document's kind");
export const Quantity = described(U64, "count of units of the lot's goods (its unit: KGM, TNE, ...), decimal string");

/** Stream-only pseudo event: a committed transaction that the ledger rejected. */
export const REJECTED_EVENT = "txRejected";
/** The event-stream type of a supervision alert (DESIGN.md §11, docs/supervision.md). */
export const ALERT_EVENT = "alertRaised";
