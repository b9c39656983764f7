// Routes of anchored documents and invoice fingerprints.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Limit, MinHeight, READ_ERRORS, pageOf, route } from "../route-parts.js";
import { Hex32, described } from "../primitives.js";
import { TxEntryView } from "../views/core.js";
import { DocumentRecordView } from "../views/parties.js";

export const getDocument = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/documents/:hash",
  access: "signed",
  summary: "A document anchored by hash, and every transaction that carried the hash",
  description: "The record is null when no live anchor holds the hash (e.g. its receivable was cancelled); the transactions remain.",
  params: z.object({ hash: Hex32 }),
  query: z.object({ cursor: Cursor, limit: Limit, minHeight: MinHeight }),
  body: null,
  response: pageOf(TxEntryView, { documentHash: Hex32, document: z.nullable(DocumentRecordView) }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getFingerprint = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/fingerprints/:fingerprint",
  access: "signed",
  summary: "Which receivable holds an invoice fingerprint, and every registration that carried it",
  description: "A bank recomputes the fingerprint from the invoice it received (fingerprintInvoice) and checks it before financing.",
  params: z.object({ fingerprint: Hex32 }),
  query: z.object({ cursor: Cursor, limit: Limit, minHeight: MinHeight }),
  body: null,
  response: pageOf(TxEntryView, { fingerprint: Hex32, receivableId: described(z.nullable(Hex32), "the live or settled receivable holding it") }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});
