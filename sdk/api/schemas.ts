// The zod schemas of the RPC's JSON views (ledger records, events, receipts, transactions, blocks,
// status, exposure, the event stream) and the JSON types the SDK returns. The views live in
// sdk/api/views/ by what reads them: core.ts (receivables, events, receipts, certificates, proofs,
// receivables' histories, status, submission), node.ts (probes, blocks, the event stream),
// parties.ts (parties, exposure, documents), txs.ts (a transaction with its payload's view) and
// objects.ts (warrants, pieces, titles, other objects' histories, supervision, governance), so that
// a bundle carries the views of the routes it calls; this module re-exports them all. Browser-safe.
import type * as z from "zod/mini";
import type { Role, Event, PieceStatus, ReceivableStatus, TitleStatus, WarrantStatus } from "../types.js";
import type { TxType } from "../transactions/index.js";
import type { BlockProofView, CertificateView, CertifiedHeaderView, EventView, HistoryEntryView, ReceiptView, ReceivableRecord, ReceivableView, StatusView, SubmitResultView, BatchItemView, TxEntryView, TxTypeSchema } from "./views/core.js";
import type { BlockView, LedgerEventView, ReadinessView } from "./views/node.js";
import type { ExposureView, PartyView } from "./views/parties.js";
import type { TxView } from "./views/txs.js";
import type { CertifiedRecordView, CreditLineRecord, CreditLineView, GoodsView, LotRecord, PIECE_STATUSES, PieceItemView, PieceProofsView, PieceRecord, PieceStepView, PieceView, PledgeHistoryView, PledgeRecord, PledgeStepView, TITLE_STATUSES, TitleRecord, TitleView, WARRANT_STATUSES, WarrantRecord, WarrantTreeView } from "./views/objects.js";
import type { EVENT_TYPES, RECEIVABLE_STATUSES, RoleSchema } from "./primitives.js";

export * from "./views/core.js";
export * from "./views/node.js";
export * from "./views/parties.js";
export * from "./views/txs.js";
export * from "./views/objects.js";

// The enums of primitives.ts and tx-payloads.ts restate domain unions; a compile error here means
// one drifted.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inSync: [
  Equal<z.output<typeof RoleSchema>, Role>,
  Equal<z.output<typeof TxTypeSchema>, TxType>,
  Equal<(typeof EVENT_TYPES)[number], Event["type"]>,
  Equal<(typeof RECEIVABLE_STATUSES)[number], ReceivableStatus>,
  Equal<(typeof PIECE_STATUSES)[number], PieceStatus>,
  Equal<(typeof WARRANT_STATUSES)[number], WarrantStatus>,
  Equal<(typeof TITLE_STATUSES)[number], TitleStatus>,
] = [true, true, true, true, true, true, true];
void inSync;

export type StatusJson = z.output<typeof StatusView>;
export type ReceivableJson = z.output<typeof ReceivableView>;
export type ReceivableRecordJson = z.output<typeof ReceivableRecord>;
export type EventJson = z.output<typeof EventView>;
export type ReceiptJson = z.output<typeof ReceiptView>;
export type TxEntryJson = z.output<typeof TxEntryView>;
export type HistoryEntryJson = z.output<typeof HistoryEntryView>;
export type BlockProofJson = z.output<typeof BlockProofView>;
export type TxJson = z.output<typeof TxView>;
export type BlockJson = z.output<typeof BlockView>;
export type PartyJson = z.output<typeof PartyView>;
export type ExposureJson = z.output<typeof ExposureView>;
export type LedgerEventJson = z.output<typeof LedgerEventView>;
export type SubmitResultJson = z.output<typeof SubmitResultView>;
export type BatchItemJson = z.output<typeof BatchItemView>;
export type CertificateJson = z.output<typeof CertificateView>;
export type CertifiedHeaderJson = z.output<typeof CertifiedHeaderView>;
export type CertifiedRecordJson = z.output<typeof CertifiedRecordView>;
export type CreditLineRecordJson = z.output<typeof CreditLineRecord>;
export type WarrantRecordJson = z.output<typeof WarrantRecord>;
export type PieceRecordJson = z.output<typeof PieceRecord>;
export type CreditLineJson = z.output<typeof CreditLineView>;
export type WarrantTreeJson = z.output<typeof WarrantTreeView>;
export type PieceItemJson = z.output<typeof PieceItemView>;
export type PieceStepJson = z.output<typeof PieceStepView>;
export type PieceProofsJson = z.output<typeof PieceProofsView>;
export type PieceJson = z.output<typeof PieceView>;
export type GoodsJson = z.output<typeof GoodsView>;
export type LotRecordJson = z.output<typeof LotRecord>;
export type PledgeRecordJson = z.output<typeof PledgeRecord>;
export type TitleRecordJson = z.output<typeof TitleRecord>;
export type PledgeStepJson = z.output<typeof PledgeStepView>;
export type PledgeHistoryJson = z.output<typeof PledgeHistoryView>;
export type TitleJson = z.output<typeof TitleView>;
export type ReadinessJson = z.output<typeof ReadinessView>;
