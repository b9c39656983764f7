// Routes of parties: a party's record and its exposure across banks.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { READ_ERRORS, ReadQuery, route } from "../route-parts.js";
import { PartyId } from "../primitives.js";
import { ExposureView, PartyView } from "../views/parties.js";

export const getParty = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/parties/:id",
  access: "signed",
  summary: "A registered party",
  description: "Any registered party may read party records (id, role, name, country, key).",
  params: z.object({ id: PartyId }),
  query: ReadQuery,
  body: null,
  response: PartyView,
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getExposure = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/parties/:id/exposure",
  access: "signed",
  summary: "An exporter's exposure across all banks: outstanding, overdue, rejected attempts",
  description: "Readable by the party itself, by banks (the shared credit information) and by auditors.",
  params: z.object({ id: PartyId }),
  query: ReadQuery,
  body: null,
  response: ExposureView,
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});
