// The JSON view of the payload of attest-stock.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described } from "../api/primitives.js";
import { Quantity } from "./title-common.js";
import { GoodsJson, LotId } from "./title-common.view.js";
import { attestStockTx } from "./attest-stock.js";

export const AttestStockJson = z.object({ type: z.literal(attestStockTx.type), lotId: LotId, goods: GoodsJson, quantity: described(Quantity, "what the lot holds now, in goods.unit") });
