// The route of the event stream (server-sent events).
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Empty, READ_ERRORS, route } from "../route-parts.js";
import { ALERT_EVENT, EVENT_TYPES, Hex32, PartyId, REJECTED_EVENT, U64, described } from "../primitives.js";
import { LedgerEventView } from "../views/node.js";

export const streamEvents = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/events",
  access: "signed",
  summary: "Server-sent events of committed ledger events",
  description:
    "text/event-stream; each message's data is a LedgerEvent, its id `height:index:event`. Resume with the Last-Event-ID header (or `lastEventId`), or start at `fromHeight`. Events are filtered by what the caller may see and by the query.",
  params: Empty,
  query: z.object({
    receivable: z.optional(Hex32),
    party: described(z.optional(PartyId), "events involving this party (exporter, buyer, bank, customs, holder, custodian, signer)"),
    type: described(z.optional(/* @__PURE__ */ z
      .string().check(z.regex(/^[a-zA-Z]+(?:,[a-zA-Z]+)*$/, "comma-separated event types")).check(z.refine((v) => v.split(",").every((t) => (EVENT_TYPES as readonly string[]).includes(t) || t === REJECTED_EVENT || t === ALERT_EVENT), "unknown event type"))), `comma-separated: ${/* @__PURE__ */ [...EVENT_TYPES, REJECTED_EVENT, ALERT_EVENT].join(", ")}`),
    fromHeight: described(z.optional(U64), "replay committed blocks from this height before streaming"),
    lastEventId: z.optional(/* @__PURE__ */ z.string().check(z.regex(/^[0-9]{1,20}:[0-9]{1,10}:(?:[0-9]{1,5}|r)$/))),
  }),
  body: null,
  response: LedgerEventView,
  produces: "sse",
  success: 200,
  errors: READ_ERRORS,
});
