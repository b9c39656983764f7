// Routes of committed transactions: one with its proofs, and a block's list.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Limit, MinHeight, READ_ERRORS, pageOf, route } from "../route-parts.js";
import { getTxReceipt } from "./chain.js";
import { U64 } from "../primitives.js";
import { BlockTxView, TxView } from "../schemas.js";

/** GET /v1/txs/:hash: the request of getTxReceipt (routes/chain.ts), the whole answer checked. */
export const getTx = /* @__PURE__ */ route({
  ...getTxReceipt,
  summary: "A committed transaction with its receipt, block, inclusion proofs and commit certificate",
  description: "Visible to its signer, auditors, and parties who may see a receivable, warrant piece, credit line, title or lot it concerns (docs/security.md).",
  response: TxView,
});

export const getBlockTxs = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/blocks/:height/txs",
  access: "signed",
  summary: "The transactions of a block the caller may see",
  description: "Auditors see every transaction; others their own and those of receivables they may list.",
  params: z.object({ height: /* @__PURE__ */ z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
  query: z.object({ cursor: Cursor, limit: Limit, minHeight: MinHeight }),
  body: null,
  response: pageOf(BlockTxView, { height: U64 }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});
