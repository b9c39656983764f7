// JSON views of the lending reads (DESIGN.md §10-§11, docs/lending.md): credit indicators, financial
// attestations, and the reports bound to state. Their figures come from sdk/lending.ts. Browser-safe.
import { z } from "zod";
import { Amount, Currency, Hex, Hex32, PartyId, TimeMs, U64 } from "./primitives.js";
import { AsOf, CertifiedHeaderView } from "./schemas.js";

const Bp = z.number().int().describe("basis points (10,000 = 1), rounded down");

const StateProofView = z.object({ depth: z.number().int(), entries: Hex, siblings: Hex }).describe("the key's state-tree bucket and sibling hashes (sdk/proofs.ts)");

/** What binds an answer to the ledger: the block, its state root, the records read with their proofs. */
const Binding = {
  asOf: AsOf,
  stateRoot: Hex32.describe("the state root of the asOf block's header"),
  inputs: z
    .array(z.object({ key: z.string().describe("state key, e.g. g/<bankId>, gb/<bankId>/<currency>, gd/<bankId>/<currency>/<dueDate>"), value: Hex.nullable().describe("the record's bytes; null when absent"), proof: StateProofView }))
    .describe("the state records the answer was computed from, each with its proof against stateRoot (sdk verifyReport)"),
  certified: CertifiedHeaderView.optional().describe("the asOf header certified by 2f+1 validators (its state root is `stateRoot`); absent while the block is not certified yet (wait with `waitCertifiedMs`, or fetch GET /v1/blocks/:height/certified)"),
};

export const IndicatorsView = z
  .object({
    version: z.number().int().describe("version of the indicator set; a field's meaning changes only with it"),
    partyId: PartyId,
    receivables: z.number().int().describe("receivables registered and not cancelled"),
    settledOnTime: z.number().int().describe("settled on or before their (extended) due date"),
    settledLate: z.number().int(),
    writtenOff: z.number().int().describe("DEFAULTED: a bank wrote off financing on them"),
    extensions: z.number().int().describe("due-date extensions accepted"),
    overdueCount: z.number().int().describe("receivables with live financing past their due date now"),
    attestedShareBp: Bp.describe("share of receivables attested by customs"),
    acknowledgedShareBp: Bp.describe("share acknowledged by their buyer"),
    buyerHhiBp: Bp.describe("Herfindahl-Hirschman index of receivables by buyer, by count (10,000: one buyer)"),
    buyers: z.number().int(),
    rejectedAttempts: z.number().int().describe("transactions the party signed that the ledger rejected"),
    monthsOnNetwork: z.number().int(),
    currencies: z.array(
      z.object({
        currency: Currency,
        outstanding: Amount.describe("live financing on the party's receivables, all banks"),
        overdueAmount: Amount,
        overdueCount: z.number().int(),
        attestedExports12m: Amount.describe("face of attested receivables issued in the 12 months ending with the asOf month"),
        leverageBp: U64.nullable().describe("outstanding ÷ attestedExports12m in bp; null without attested exports"),
        writtenOff: Amount,
      }),
    ),
    ...Binding,
  })
  .meta({ id: "Indicators" });

export const FinancialsView = z
  .object({
    partyId: PartyId,
    asOf: AsOf,
    items: z.array(z.object({ txHash: Hex32, height: U64, time: TimeMs, attestedBy: PartyId, statement: z.record(z.string(), z.unknown()).describe("the attestation payload") })),
    cursor: z.string().optional(),
  })
  .meta({ id: "Financials" });

const Line = z.object({ count: z.number().int(), amount: Amount });

export const AgingReportView = z
  .object({
    kind: z.literal("aging"),
    banks: z.array(
      z.object({
        bankId: PartyId,
        currencies: z.array(
          z.object({
            currency: Currency,
            outstanding: Amount,
            receivables: z.number().int(),
            buckets: z.object({ current: Line, "1-30": Line, "31-90": Line, ">90": Line }).describe("live financing by days past due at asOf: 0, 1-30, 31-90, more than 90"),
            nplRatioBp: Bp.describe("more than 90 days past due ÷ outstanding"),
            writtenOff: Amount.describe("written off, ever (not in outstanding)"),
            writtenOffCount: z.number().int(),
          }),
        ),
      }),
    ),
    ...Binding,
  })
  .meta({ id: "AgingReport" });

const ShareLine = z.object({ partyId: z.string().describe("a party id, or buyer:<buyerId> for a buyer off the network"), amount: Amount, shareBp: Bp });

export const ConcentrationReportView = z
  .object({
    kind: z.literal("concentration"),
    banks: z.array(
      z.object({
        bankId: PartyId,
        currencies: z.array(
          z.object({
            currency: Currency,
            book: Amount.describe("the bank's live financing in the currency: the denominator of every share"),
            byExporter: z.array(ShareLine).describe("largest first"),
            byObligor: z.array(ShareLine),
            exporterHhiBp: Bp,
            obligorHhiBp: Bp,
          }),
        ),
      }),
    ),
    ...Binding,
  })
  .meta({ id: "ConcentrationReport" });

export type IndicatorsJson = z.output<typeof IndicatorsView>;
export type FinancialsJson = z.output<typeof FinancialsView>;
export type AgingReportJson = z.output<typeof AgingReportView>;
export type ConcentrationReportJson = z.output<typeof ConcentrationReportView>;
