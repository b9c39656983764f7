// What every route is made of (sdk/api/routes.ts): the route definition's shape, the request pieces
// routes share (pages, minHeight, certification waits) and the helpers that fill a path. Browser-safe.
import * as z from "zod/mini";
import type { ObjectKind } from "../history-chain.js";
import { described, Hex, U64 } from "./primitives.js";
import { ObjectHistoryPageView } from "./schemas.js";

// ---- request pieces ---------------------------------------------------------------------------

/** The enum of `values` less `drop` (zod/mini has no `.exclude`). */
/* @__NO_SIDE_EFFECTS__ */
export function enumWithout<const T extends readonly string[], const X extends T[number]>(values: T, ...drop: X[]) {
  return z.enum(values.filter((v) => !(drop as readonly string[]).includes(v)) as unknown as readonly [Exclude<T[number], X>, ...Exclude<T[number], X>[]]);
}

export const Limit = described(z.optional(z.pipe(z.pipe(/* @__PURE__ */ z
  .string().check(z.regex(/^[1-9][0-9]{0,3}$/, "an integer 1..1000")), z.transform(Number)), /* @__PURE__ */ z.int().check(z.gte(1)).check(z.lte(1000)))), "page size, 1..1000 (default 50)");
export const Cursor = described(z.optional(/* @__PURE__ */ z.string().check(z.minLength(1)).check(z.maxLength(4200))), "opaque: the `cursor` of the previous page");
export const Flag = z.optional(z.pipe(z
  .enum(["true", "false"]), z.transform((v) => v === "true")));
export const Page = { cursor: Cursor, limit: Limit };
export const WaitCertifiedMs = described(z.optional(z.pipe(z.pipe(/* @__PURE__ */ z
  .string().check(z.regex(/^[0-9]{1,5}$/, "an integer of ms")), z.transform(Number)), /* @__PURE__ */ z.int().check(z.gte(0)).check(z.lte(30_000)))), "wait up to this long, 0..30000 ms (default 0), for the block(s) to be certified: the next checkpoint, or the idle tip's, certifies them (docs/consensus.md §2.6)");
export const Empty = z.object({});
/**
 * Read-your-writes across nodes: a read carrying `minHeight` is answered only once the node has
 * applied that block (it waits, bounded by the node's rpc.minHeightWaitMs, else 503
 * HEIGHT_NOT_REACHED with Retry-After). Every answer carries the node's height in X-TL-Height.
 */
export const MinHeight = described(z.optional(U64), "answer only once this node has applied the block at this height (read-your-writes across nodes: pass the height of a receipt or of an earlier answer's X-TL-Height); a node behind waits up to its rpc.minHeightWaitMs, else answers 503 HEIGHT_NOT_REACHED with Retry-After");
export const Consistency = { minHeight: MinHeight };
// Routes name these fields one by one (`minHeight: MinHeight`, `cursor: Cursor, limit: Limit`) rather
// than spreading `...Consistency` / `...Page`: a spread (or a property read) may run a getter, so a
// bundler keeps every route written with one, even in an app that never calls it.
/** The query of a read with no other parameters. */
export const ReadQuery = z.object(Consistency);

/* @__NO_SIDE_EFFECTS__ */
export function pageOf<T extends z.ZodMiniType, E extends z.core.$ZodLooseShape = {}>(item: T, extra: E = {} as E) {
  return z.extend(z.object(extra), {
    items: z.array(item),
    cursor: described(z.optional(z.string()), "absent on the last page; a page may hold fewer than `limit` items and still have one"),
  });
}

export const SubmitBody = z.object({ tx: described(Hex, "the SignedTx bytes (sdk signTransaction) as hex") });
export const SubmitBatchBody = /* @__PURE__ */ z.object({
  txs: described(/* @__PURE__ */ z.array(Hex).check(z.minLength(1, "at least one transaction")), "SignedTx bytes as hex, in order"),
});
/** The binary body of POST /v1/txs/batch: proto/tradeledger.proto TxSubmission. */
export const PROTOBUF_CONTENT_TYPE = "application/x-protobuf";

// ---- routes -------------------------------------------------------------------------------------

/** open: no signature (loopback status, headers, metrics); signed: a signed read (x-tl-*); tx: the body is a signed transaction. */
export type Access = "open" | "signed" | "tx";

export interface RouteDef<P extends z.ZodMiniType = z.ZodMiniType, Q extends z.ZodMiniType = z.ZodMiniType, B extends z.ZodMiniType = z.ZodMiniType, R extends z.ZodMiniType = z.ZodMiniType> {
  method: "GET" | "POST";
  /** koa-style path: `/v1/receivables/:id` */
  path: string;
  access: Access;
  summary: string;
  description: string;
  params: P;
  query: Q;
  body: B | null;
  response: R;
  /** json, a server-sent-event stream of `response` items, or Prometheus text */
  produces: "json" | "sse" | "text";
  /** success status (202 when pending is the norm) */
  success: number;
  /** error statuses this route can answer with */
  errors: readonly number[];
  /** a binary form the body may also take: its content type and the proto/ message it holds */
  binaryBody?: { contentType: string; message: string; description: string };
}

/* @__NO_SIDE_EFFECTS__ */
export function route<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType, R extends z.ZodMiniType>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

export const READ_ERRORS = [400, 401, 403, 404, 429, 503] as const;

// ---- histories (sdk/verify.ts verifyHistory, verifyObjectHistory) ----

export const HistoryQuery = z.object({ cursor: Cursor, limit: Limit, minHeight: MinHeight, proofs: described(Flag, "include inclusion proofs, headers, certificates, the signers' keys and the history chain (what the verifier checks)"), waitCertifiedMs: WaitCertifiedMs });

/** The history route of one kind of object: the same query and page for every kind. */
/* @__NO_SIDE_EFFECTS__ */
export function historyRoute(kind: ObjectKind, path: string, what: string, id: z.ZodMiniType<string>, readers: string) {
  return route({
    method: "GET",
    path,
    access: "signed",
    summary: `${what}'s history: every event naming it and every rejected attempt aimed at it, oldest first`,
    description: `${readers} With \`proofs=true\` each entry carries its transaction and receipt with inclusion proofs, \`blocks\` the certified headers, and \`complete\` the ${kind}'s history chain proven from certified state: check with verifyObjectHistory (completeness up to a certified height, and which entry is missing).`,
    params: z.object({ id }),
    query: HistoryQuery,
    body: null,
    response: ObjectHistoryPageView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  });
}

/** Fills a koa-style path with (URL-encoded) parameters. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
}
