// The route table, defined once (STYLE rule 5): every route's method, path, access level, and the
// zod schemas of its path parameters, query, body and response. rpc/ validates requests with them
// at the edge; the SDK builds requests from them and checks responses against them. Each route is a
// value of its own, in the module of its area (sdk/api/routes/): an app that sends a few routes
// (sdk/calls.ts) carries those modules only; this table, which names them all, is for the server,
// the OpenAPI document and the full client. Browser-safe.
import type * as z from "zod/mini";
import type { ObjectKind } from "../history-chain.js";
import { getHealth, getReadiness, getOpenApi, getMetrics } from "./routes/node.js";
import { getStatus, submitTx, submitTxBatch } from "./routes/chain.js";
import { getBlock, getCertifiedHeader } from "./routes/blocks.js";
import { getTx, getBlockTxs, listRejections } from "./routes/txs.js";
import { getReceivable, getHistory, listReceivables } from "./routes/receivables.js";
import { getParty, getExposure } from "./routes/parties.js";
import { getDocument, getFingerprint } from "./routes/documents.js";
import { getIndicators, getFinancials, getAgingReport, getConcentrationReport } from "./routes/lending.js";
import { getCreditLine, getWarrant, getPiece, listPieces, getPieceHistory, getWarrantHistory, getCreditLineHistory } from "./routes/warrants.js";
import { getTitle, getLot, listTitles, getTitleHistory, getLotHistory } from "./routes/titles.js";
import { listAlerts, listRules, getGovernance, getValidatorSets, listObservers } from "./routes/governance.js";
import { streamEvents } from "./routes/events.js";

export * from "./route-parts.js";
export * from "./routes/node.js";
export * from "./routes/chain.js";
export * from "./routes/blocks.js";
export * from "./routes/txs.js";
export * from "./routes/receivables.js";
export * from "./routes/parties.js";
export * from "./routes/documents.js";
export * from "./routes/lending.js";
export * from "./routes/warrants.js";
export * from "./routes/titles.js";
export * from "./routes/governance.js";
export * from "./routes/events.js";

/**
 * Every route, keyed by its id (the OpenAPI operationId): what the server mounts and the OpenAPI
 * document lists. A client that imports single routes (sdk/calls.ts) carries only those. (Typed
 * route by route so that its declaration refers to each route's instead of restating them all.)
 */
export const routes: {
  readonly getHealth: typeof getHealth;
  readonly getReadiness: typeof getReadiness;
  readonly getStatus: typeof getStatus;
  readonly submitTx: typeof submitTx;
  readonly submitTxBatch: typeof submitTxBatch;
  readonly getTx: typeof getTx;
  readonly getBlock: typeof getBlock;
  readonly getCertifiedHeader: typeof getCertifiedHeader;
  readonly getBlockTxs: typeof getBlockTxs;
  readonly getReceivable: typeof getReceivable;
  readonly getHistory: typeof getHistory;
  readonly listReceivables: typeof listReceivables;
  readonly getDocument: typeof getDocument;
  readonly getFingerprint: typeof getFingerprint;
  readonly getParty: typeof getParty;
  readonly getExposure: typeof getExposure;
  readonly getIndicators: typeof getIndicators;
  readonly getFinancials: typeof getFinancials;
  readonly getAgingReport: typeof getAgingReport;
  readonly getConcentrationReport: typeof getConcentrationReport;
  readonly getCreditLine: typeof getCreditLine;
  readonly getWarrant: typeof getWarrant;
  readonly getPiece: typeof getPiece;
  readonly listPieces: typeof listPieces;
  readonly getTitle: typeof getTitle;
  readonly getLot: typeof getLot;
  readonly getPieceHistory: typeof getPieceHistory;
  readonly getWarrantHistory: typeof getWarrantHistory;
  readonly getCreditLineHistory: typeof getCreditLineHistory;
  readonly getTitleHistory: typeof getTitleHistory;
  readonly getLotHistory: typeof getLotHistory;
  readonly listTitles: typeof listTitles;
  readonly listRejections: typeof listRejections;
  readonly listAlerts: typeof listAlerts;
  readonly listRules: typeof listRules;
  readonly getGovernance: typeof getGovernance;
  readonly listObservers: typeof listObservers;
  readonly getValidatorSets: typeof getValidatorSets;
  readonly streamEvents: typeof streamEvents;
  readonly getOpenApi: typeof getOpenApi;
  readonly getMetrics: typeof getMetrics;
} = {
  getHealth,
  getReadiness,
  getStatus,
  submitTx,
  submitTxBatch,
  getTx,
  getBlock,
  getCertifiedHeader,
  getBlockTxs,
  getReceivable,
  getHistory,
  listReceivables,
  getDocument,
  getFingerprint,
  getParty,
  getExposure,
  getIndicators,
  getFinancials,
  getAgingReport,
  getConcentrationReport,
  getCreditLine,
  getWarrant,
  getPiece,
  listPieces,
  getTitle,
  getLot,
  getPieceHistory,
  getWarrantHistory,
  getCreditLineHistory,
  getTitleHistory,
  getLotHistory,
  listTitles,
  listRejections,
  listAlerts,
  listRules,
  getGovernance,
  listObservers,
  getValidatorSets,
  streamEvents,
  getOpenApi,
  getMetrics,
};

export type Routes = typeof routes;
export type RouteId = keyof Routes;
export type ResponseOf<K extends RouteId> = z.output<Routes[K]["response"]>;
/** What a caller passes: query values as strings, as on the wire. */
export type QueryInput<K extends RouteId> = z.input<Routes[K]["query"]>;

export type HistoryPageJson = ResponseOf<"getHistory">;
/** A page of the history of a piece, warrant, credit line, title or lot (every kind's route answers the same page). */
export type ObjectHistoryPageJson = ResponseOf<"getPieceHistory">;
/** The history route of each kind of object. */
export const HISTORY_ROUTES = { piece: "getPieceHistory", warrant: "getWarrantHistory", line: "getCreditLineHistory", title: "getTitleHistory", lot: "getLotHistory" } as const satisfies Record<ObjectKind, RouteId>;

