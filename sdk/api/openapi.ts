// The OpenAPI 3.1 document of the route table (served at /v1/openapi.json), generated from the zod
// schemas so that it cannot drift from what the node validates. Browser-safe.
import * as z from "zod";
import { ErrorEnvelope } from "./errors.js";
import { routes, type RouteDef } from "./routes.js";
import { SubmitResultView } from "./schemas.js";
import { AUTH_HEADERS, MAX_CLOCK_SKEW_MS, REQUEST_NONCE_BYTES } from "./signed-reads.js";

/** `/v1/receivables/:id` -> `/v1/receivables/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, "{$1}");
}

type JsonObject = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output", defs: Map<string, JsonObject>): JsonObject {
  const js = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonObject;
  const local = (js.$defs ?? {}) as Record<string, JsonObject>;
  delete js.$defs;
  delete js.$schema;
  for (const [id, def] of Object.entries(local)) {
    const known = defs.get(id);
    const rewritten = rewriteRefs(def) as JsonObject;
    if (known && JSON.stringify(known) !== JSON.stringify(rewritten)) {
      // An input and an output form of one schema differ (transforms): keep both, apart.
      const alt = `${id}${io === "input" ? "Input" : ""}`;
      defs.set(alt, rewritten);
      continue;
    }
    defs.set(id, rewritten);
  }
  return rewriteRefs(js) as JsonObject;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) out[k] = `#/components/schemas/${v.slice("#/$defs/".length)}`;
    else out[k] = rewriteRefs(v);
  }
  return out;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape ?? {};
}

/** The OpenAPI 3.1 document of `routes` (served at /v1/openapi.json). */
export function openApiDocument(info: { version: string; title?: string } = { version: "0.1.0" }): JsonObject {
  const defs = new Map<string, JsonObject>();
  const errorRef = jsonSchemaOf(ErrorEnvelope, "output", defs);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, r] of Object.entries(routes) as [string, RouteDef][]) {
    const parameters: unknown[] = [];
    for (const [name, s] of Object.entries(shapeOf(r.params))) {
      parameters.push({ name, in: "path", required: true, schema: jsonSchemaOf(s, "input", defs) });
    }
    for (const [name, s] of Object.entries(shapeOf(r.query))) {
      const js = jsonSchemaOf(s, "input", defs);
      parameters.push({ name, in: "query", required: !s.safeParse(undefined).success, schema: js, ...(typeof js.description === "string" ? { description: js.description } : {}) });
    }
    if (r.produces === "sse") parameters.push({ name: "Last-Event-ID", in: "header", required: false, schema: { type: "string" }, description: "resume after this event id" });
    const content =
      r.produces === "json"
        ? { "application/json": { schema: jsonSchemaOf(r.response, "output", defs) } }
        : r.produces === "sse"
          ? { "text/event-stream": { schema: { type: "string" }, "x-itemSchema": jsonSchemaOf(r.response, "output", defs) } }
          : { "text/plain": { schema: { type: "string" } } };
    const responses: Record<string, unknown> = { [String(r.success)]: { description: r.summary, content } };
    if (id === "submitTx") responses["202"] = { description: "admitted, not yet committed", content: { "application/json": { schema: jsonSchemaOf(SubmitResultView, "output", defs) } } };
    for (const status of r.errors) responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? "error", content: { "application/json": { schema: errorRef } } };
    const op: Record<string, unknown> = {
      operationId: id,
      summary: r.summary,
      description: r.description,
      parameters,
      responses,
      security: r.access === "signed" ? [{ party: [], time: [], nonce: [], signature: [] }] : [],
      "x-access": r.access,
    };
    if (r.body) op.requestBody = { required: true, content: { "application/json": { schema: jsonSchemaOf(r.body, "input", defs) } } };
    const p = openApiPath(r.path);
    paths[p] = { ...(paths[p] ?? {}), [r.method.toLowerCase()]: op };
  }
  const header = (name: string, description: string) => ({ type: "apiKey", in: "header", name, description });
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: info.title ?? "TradeLedger RPC",
      version: info.version,
      description: "Reads of commercial data are signed by a registered party (docs/security.md); writes are signed transactions. Amounts are decimal strings of minor units, bytes lower-case hex.",
    },
    paths,
    components: {
      schemas: Object.fromEntries([...defs.entries()].sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        party: header(AUTH_HEADERS.party, "the signing party's id"),
        time: header(AUTH_HEADERS.time, `the client's clock in ms; accepted within ${MAX_CLOCK_SKEW_MS / 1000} s of the node's`),
        nonce: header(AUTH_HEADERS.nonce, `${REQUEST_NONCE_BYTES} random bytes, hex; single use`),
        signature: header(AUTH_HEADERS.signature, "ed25519 over readSigningBytes (sdk/api/signed-reads.ts), hex"),
      },
    },
  };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "malformed request or transaction",
  401: "missing, stale, replayed or bad request signature; unknown signer",
  403: "the caller's role may not see or do this",
  404: "not found",
  409: "the ledger rejected the transaction (receipt inside)",
  413: "body or transaction too large",
  429: "rate limited (Retry-After)",
  503: "node not ready, stopping or mempool full",
};
