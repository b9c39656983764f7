// The JSON views of parties, their exposure, and anchored documents. Browser-safe.
import * as z from "zod/mini";
import { Amount, Hex32, PartyId, RoleSchema, TimeMs, U64, described, named } from "../primitives.js";
import { AsOf } from "./core.js";

export const PartyView = z
  .object({
    id: PartyId,
    role: RoleSchema,
    name: z.string(),
    country: z.string(),
    publicKey: Hex32,
    lei: described(z.string(), "ISO 17442 LEI or empty"),
    registeredBy: described(z.string(), "the bank that onboarded the party; empty for genesis parties"),
    registeredAt: TimeMs,
    retiredKeys: described(z.optional(z
      .array(z.object({
        publicKey: Hex32,
        untilHeight: described(U64, "the key signed transactions in blocks below this height"),
        resetBy: described(z.optional(z.string()), "the bank that reset the key; absent for the party's own rotation"),
        reason: described(z.optional(z.string()), "the reset's reason"),
      }))), "keys the party signed with before publicKey, oldest first (key rotation: docs/governance.md)"),
  }).apply(named, "Party");

export const CurrencyAmounts = described(z.record(z.string(), Amount), "amounts by ISO 4217 currency").apply(named, "CurrencyAmounts");

export const ExposureView = z
  .object({
    partyId: PartyId,
    asOf: AsOf,
    receivables: z.object({ total: z.int(), byStatus: z.record(z.string(), z.int()) }),
    outstanding: described(CurrencyAmounts, "live financed principal over the exporter's receivables, all banks"),
    outstandingByBank: z.record(z.string(), CurrencyAmounts),
    overdue: described(CurrencyAmounts, "the part of `outstanding` on receivables past their due date"),
    overdueReceivables: z.int(),
    rejectedAttempts: described(z.object({ total: z.int(), byCode: z.record(z.string(), z.int()) }), "transactions the party signed that the ledger rejected"),
  }).apply(named, "Exposure");

export const DocumentRecordView = z
  .object({
    documentHash: Hex32,
    documentType: z.string(),
    anchoredBy: PartyId,
    receivableId: described(z.string(), "linked receivable id, or empty"),
    anchoredAt: TimeMs,
    txHash: Hex32,
  }).apply(named, "DocumentRecord");
