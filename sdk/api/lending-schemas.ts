// JSON views of the lending reads (DESIGN.md §10-§11, docs/lending.md): credit indicators, financial
// attestations, and the reports bound to state. Their figures come from sdk/lending.ts. Browser-safe.
import * as z from "zod/mini";
import { Amount, Currency, described, Hex, Hex32, named, PartyId, TimeMs, U64 } from "./primitives.js";
import { AsOf, CertifiedHeaderView } from "./schemas.js";

const Int = z.int();
const Bp = described(z.int(), "basis points (10,000 = 1), rounded down");

const StateProofView = described(z.object({ depth: z.int(), entries: Hex, siblings: Hex }), "the key's state-tree bucket and sibling hashes (sdk/proofs.ts)");
const StateMultiproofView = described(
  z.object({ depth: z.int(), buckets: z.array(z.object({ index: z.int().check(z.gte(0)), entries: Hex })), siblings: Hex }),
  "one proof of every input (sdk/proofs.ts verifyStateMultiproof): the inputs' state-tree buckets, ascending, and each sibling hash the path to the root needs, once",
);

/** What binds an answer to the ledger: the block, its state root, the records read with their proofs. */
const Binding = {
  asOf: AsOf,
  stateRoot: described(Hex32, "the state root of the asOf block's header"),
  inputs: described(
    z.array(
      z.object({
        key: described(z.string(), "state key, e.g. g/<bankId>, gb/<bankId>/<currency>, gd/<bankId>/<currency>/<dueDate>"),
        value: described(z.nullable(Hex), "the record's bytes; null when absent"),
        proof: StateProofView,
      }),
    ),
    "the state records the answer was computed from, each with its proof against stateRoot (sdk verifyReport)",
  ),
  certified: described(
    z.optional(CertifiedHeaderView),
    "the asOf header certified by 2f+1 validators (its state root is `stateRoot`); absent while the block is not certified yet (wait with `waitCertifiedMs`, or fetch GET /v1/blocks/:height/certified)",
  ),
};

/** What binds a report: the block, its state root, the records read, one multiproof of all of them. */
const ReportBinding = {
  asOf: AsOf,
  stateRoot: Binding.stateRoot,
  inputs: described(
    z.array(
      z.object({
        key: described(z.string(), "state key, e.g. g/<bankId>, gb/<bankId>/<currency>, gd/<bankId>/<currency>/<dueDate>"),
        value: described(z.nullable(Hex), "the record's bytes; null when absent"),
      }),
    ),
    "the state records the report was computed from (sdk verifyReport)",
  ),
  multiproof: StateMultiproofView,
  certified: Binding.certified,
};

export const IndicatorsView = z
  .object({
    version: described(z.int(), "version of the indicator set; a field's meaning changes only with it"),
    partyId: PartyId,
    receivables: described(z.int(), "receivables registered and not cancelled"),
    settledOnTime: described(z.int(), "settled on or before their (extended) due date"),
    settledLate: Int,
    writtenOff: described(z.int(), "DEFAULTED: a bank wrote off financing on them"),
    extensions: described(z.int(), "due-date extensions accepted"),
    overdueCount: described(z.int(), "receivables with live financing past their due date now"),
    attestedShareBp: described(Bp, "share of receivables attested by customs"),
    acknowledgedShareBp: described(Bp, "share acknowledged by their buyer"),
    buyerHhiBp: described(Bp, "Herfindahl-Hirschman index of receivables by buyer, by count (10,000: one buyer)"),
    buyers: Int,
    rejectedAttempts: described(z.int(), "transactions the party signed that the ledger rejected"),
    monthsOnNetwork: Int,
    currencies: z.array(
      z.object({
        currency: Currency,
        outstanding: described(Amount, "live financing on the party's receivables, all banks"),
        overdueAmount: Amount,
        overdueCount: Int,
        attestedExports12m: described(Amount, "face of attested receivables issued in the 12 months ending with the asOf month"),
        leverageBp: described(z.nullable(U64), "outstanding ÷ attestedExports12m in bp; null without attested exports"),
        writtenOff: Amount,
      }),
    ),
    piecesSettledOnTime: described(z.int(), "(v2) as obligor: warrant pieces paid on or before their (extended) due date"),
    piecesSettledLate: described(z.int(), "(v2) as obligor: warrant pieces paid after it"),
    piecesWrittenOff: described(z.int(), "(v2) as obligor: warrant pieces the bank holding them wrote off (DEFAULTED)"),
    pieceExtensions: described(z.int(), "(v2) as obligor: extensions of a piece's due date accepted"),
    ...Binding,
  })
  .apply(named, "Indicators");

export const FinancialsView = z
  .object({
    partyId: PartyId,
    asOf: AsOf,
    items: z.array(z.object({ txHash: Hex32, height: U64, time: TimeMs, attestedBy: PartyId, statement: described(z.record(z.string(), z.unknown()), "the attestation payload") })),
    cursor: z.optional(z.string()),
  })
  .apply(named, "Financials");

const Line = z.object({ count: Int, amount: Amount });

export const AgingReportView = z
  .object({
    kind: z.literal("aging"),
    banks: z.array(
      z.object({
        bankId: PartyId,
        currencies: z.array(
          z.object({
            currency: Currency,
            outstanding: described(Amount, "live financing: receivable financings and FINANCED warrant pieces (at face)"),
            receivables: described(Int, "receivables the bank has live financing on"),
            pieces: described(Int, "FINANCED warrant pieces the bank holds"),
            pieceOutstanding: described(Amount, "their face: the part of outstanding that is warrant pieces"),
            buckets: described(z.object({ current: Line, "1-30": Line, "31-90": Line, ">90": Line }), "live financing by days past due at asOf: 0, 1-30, 31-90, more than 90 (count: receivables and pieces)"),
            nplRatioBp: described(Bp, "more than 90 days past due ÷ outstanding"),
            writtenOff: described(Amount, "written off, ever (not in outstanding)"),
            writtenOffCount: Int,
          }),
        ),
      }),
    ),
    ...ReportBinding,
  })
  .apply(named, "AgingReport");

const ShareLine = z.object({ partyId: described(z.string(), "a party id, or buyer:<buyerId> for a buyer off the network"), amount: Amount, shareBp: Bp });

export const ConcentrationReportView = z
  .object({
    kind: z.literal("concentration"),
    banks: z.array(
      z.object({
        bankId: PartyId,
        currencies: z.array(
          z.object({
            currency: Currency,
            book: described(Amount, "the bank's live financing in the currency: the denominator of every share"),
            byExporter: described(z.array(ShareLine), "largest first"),
            byObligor: z.array(ShareLine),
            exporterHhiBp: Bp,
            obligorHhiBp: Bp,
          }),
        ),
      }),
    ),
    ...ReportBinding,
  })
  .apply(named, "ConcentrationReport");

export type IndicatorsJson = z.output<typeof IndicatorsView>;
export type FinancialsJson = z.output<typeof FinancialsView>;
export type AgingReportJson = z.output<typeof AgingReportView>;
export type ConcentrationReportJson = z.output<typeof ConcentrationReportView>;
