// The scalar formats of the RPC's JSON (hex, decimal-string integers, amounts, dates, party ids)
// and the enums of the domain's unions, shared by every view, payload and route. Browser-safe.
import { z } from "zod";
import { RESULT_CODES } from "../types.js";
import { PARTY_ID_RE } from "../checks.js";

export const Hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, "expected lower-case hex").describe("bytes as lower-case hex");
export const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, "expected 32 bytes as 64 lower-case hex digits").describe("32 bytes as 64 lower-case hex digits");
export const U64 = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,19})$/, "expected an unsigned integer as a decimal string")
  .refine((v) => BigInt(v) < 1n << 64n, "exceeds 2^64-1")
  .describe("unsigned 64-bit integer as a decimal string");
export const Amount = U64.describe("count of minor units of the currency (ISO 4217 exponent: USD 152500.00 is \"15250000\"), decimal string");
export const TimeMs = U64.describe("milliseconds since the Unix epoch (UTC), decimal string");
export const PartyId = z.string().regex(PARTY_ID_RE, "a party id is 2-63 chars of a-z, 0-9 and '-'").describe("party id");
export const Currency = z.string().regex(/^[A-Z]{3}$/, "ISO 4217 alphabetic code").describe("ISO 4217 currency code");
export const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD").describe("calendar date YYYY-MM-DD");
export const ResultCodeSchema = z.enum(RESULT_CODES).describe("receipt code: OK or a rejection (docs/ledger.md)");
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
] as const;

// title documents and pledges (DESIGN.md §8)
export const TITLE_KIND_NAMES = ["WAREHOUSE_RECEIPT", "BILL_OF_LADING"] as const;
export const TitleKindSchema = z.enum(TITLE_KIND_NAMES).describe("a title document's kind");
export const Quantity = U64.describe("count of units of the lot's goods (its unit: KGM, TNE, ...), decimal string");

/** Stream-only pseudo event: a committed transaction that the ledger rejected. */
export const REJECTED_EVENT = "txRejected";
