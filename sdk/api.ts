// The RPC contract now lives in sdk/api/, one file per concern: primitives.ts (scalar formats and
// enums), tx-payloads.ts (transaction payloads), schemas.ts (JSON views), errors.ts (error body,
// HTTP statuses), routes.ts (the route table), signed-reads.ts, openapi.ts. This file only
// re-exports them for importers not yet moved (sdk/verify.ts); import from sdk/api/<file>.js.
export * from "./api/primitives.js";
export * from "./api/tx-payloads.js";
export * from "./api/schemas.js";
export * from "./api/errors.js";
export * from "./api/routes.js";
export * from "./api/signed-reads.js";
export * from "./api/openapi.js";
