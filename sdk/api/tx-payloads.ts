// The transaction payloads as JSON: the list of type names and the union of every type's own JSON
// view, both derived from the registry of transaction types (sdk/transactions/), so a new type
// appears in the RPC and the OpenAPI document by being registered there.
import * as z from "zod/mini";
import { named } from "./primitives.js";
import { TX_FORMAT_LIST } from "../transactions/index.js";

export { TxTypeSchema } from "./views/core.js";

type PayloadJsonSchema = (typeof TX_FORMAT_LIST)[number]["json"];
const payloadSchemas = TX_FORMAT_LIST.map((f) => f.json) as unknown as [PayloadJsonSchema, ...PayloadJsonSchema[]];

export const TxPayloadView = z.discriminatedUnion("type", payloadSchemas).apply(named, "TxPayload");
