// Routes of committed transactions: one with its proofs, and a block's list.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Empty, Limit, MinHeight, READ_ERRORS, enumWithout, pageOf, route } from "../route-parts.js";
import { PartyId, U64 } from "../primitives.js";
import { TxEntryView } from "../views/core.js";
import { BlockTxView } from "../views/node.js";
import { TxView } from "../views/txs.js";
import { RESULT_CODES } from "../../types.js";
import { getTxReceipt } from "./chain.js";

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

export const listRejections = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/rejections",
  access: "signed",
  summary: "Rejected transactions with code, signer, time and target",
  description:
    "Auditors see every rejection. Others see their own (the default) and attempts aimed at receivables they may look up (`target`). `target` is a receivable id, document hash or party id.",
  params: Empty,
  query: z.object({
    minHeight: MinHeight,
    code: z.optional(enumWithout(RESULT_CODES, "OK")),
    signer: z.optional(PartyId),
    target: z.optional(/* @__PURE__ */ z.string().check(z.minLength(2)).check(z.maxLength(64))),
    cursor: Cursor, limit: Limit,
  }),
  body: null,
  response: pageOf(TxEntryView),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});
