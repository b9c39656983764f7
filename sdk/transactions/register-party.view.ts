// The JSON view of the payload of register-party.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Hex32, PartyId, RoleSchema } from "../api/primitives.js";
import { registerPartyTx } from "./register-party.js";

export const RegisterPartyJson = z.object({ type: z.literal(registerPartyTx.type), id: PartyId, role: RoleSchema, name: z.string(), country: z.string(), publicKey: Hex32, lei: z.string() });
