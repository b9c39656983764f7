// The JSON view of the payload of admit-observer.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32, PartyId } from "../api/primitives.js";
import { admitObserverTx } from "./admit-observer.js";

export const AdmitObserverJson = z.object({
  type: z.literal(admitObserverTx.type),
  nodePublicKey: described(Hex32, "the observer's node key (tradeledger init prints it)"),
  partyId: described(PartyId, "the registered party that operates the node"),
});
