// The zod schemas of transaction payloads as JSON: the transaction type names and one object per
// type. Kept apart from the other views so that each type can later have its own file.
import { z } from "zod";
import { Amount, CalendarDate, Currency, Hex, Hex32, PartyId, RoleSchema } from "./primitives.js";

export const TxTypeSchema = z.enum([
  "registerParty",
  "registerReceivable",
  "attestShipment",
  "financeReceivable",
  "recordRepayment",
  "cancelReceivable",
  "anchorDocument",
]);

export const TxPayloadView = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("registerParty"), id: PartyId, role: RoleSchema, name: z.string(), country: z.string(), publicKey: Hex32, lei: z.string() }),
    z.object({
      type: z.literal("registerReceivable"),
      documentHash: Hex32,
      fingerprint: Hex32,
      buyerId: z.string(),
      amount: Amount,
      currency: Currency,
      issueDate: CalendarDate,
      dueDate: CalendarDate,
    }),
    z.object({
      type: z.literal("attestShipment"),
      declarationFingerprint: Hex32,
      declarationHash: Hex32,
      exporterId: PartyId,
      declaredValue: Amount,
      currency: Currency,
      exportDate: CalendarDate,
      receivableIds: z.array(Hex32),
    }),
    z.object({ type: z.literal("financeReceivable"), receivableId: Hex32, amount: Amount, currency: Currency }),
    z.object({ type: z.literal("recordRepayment"), receivableId: Hex32, financingId: Hex32, amount: Amount }),
    z.object({ type: z.literal("cancelReceivable"), receivableId: Hex32, reason: z.string() }),
    z.object({ type: z.literal("anchorDocument"), documentHash: Hex32, documentType: z.string(), receivableId: z.string(), billOfLadingFingerprint: Hex }),
  ])
  .meta({ id: "TxPayload" });
