// Routes of blocks: a header with its commit certificate, and a header certified with its results.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { ReadQuery, WaitCertifiedMs, route } from "../route-parts.js";
import { CertifiedHeaderView } from "../views/core.js";
import { BlockView } from "../views/node.js";

export const getBlock = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/blocks/:height",
  access: "open",
  summary: "A block header with its hash and commit certificate",
  description: "`latest` for the head. Headers carry roots and counts only, no commercial data. Open (loopback).",
  params: z.object({ height: /* @__PURE__ */ z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
  query: ReadQuery,
  body: null,
  response: BlockView,
  produces: "json",
  success: 200,
  errors: [400, 404, 429, 503],
});

export const getCertifiedHeader = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/blocks/:height/certified",
  access: "open",
  summary: "A block header certified with its results: the headers above it and a checkpoint certificate",
  description:
    "The header (with its receipts root and state root), the headers above it up to the nearest checkpointed block, and 2f+1 validators' CHECKPOINT signatures over that block's hash: check with verifyCertifiedHeader (sdk/certified.ts) against the genesis validator set. 404 while the block is not certified yet (wait with `waitMs`) or not stored here; an observer holds no checkpoint certificates (ask a validator). Open (loopback).",
  params: z.object({ height: /* @__PURE__ */ z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
  query: z.object({ waitMs: WaitCertifiedMs }),
  body: null,
  response: CertifiedHeaderView,
  produces: "json",
  success: 200,
  errors: [400, 404, 429],
});
