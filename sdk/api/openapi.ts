// The OpenAPI 3.1 document of the route table (served at /v1/openapi.json), generated from the zod
// schemas so that it cannot drift from what the node validates. Browser-safe.
import * as z from "zod/mini";
import { ErrorEnvelope } from "./errors.js";
import { routes, type RouteDef } from "./routes.js";
import { SubmitResultView } from "./schemas.js";
import { TxTypeSchema } from "./views/core.js";
import { TX_TYPES } from "../transactions/index.js";
import { AUTH_HEADERS, MAX_CLOCK_SKEW_MS, REQUEST_NONCE_BYTES } from "./signed-reads.js";

/** `/v1/receivables/:id` -> `/v1/receivables/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, "{$1}");
}

type JsonObject = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodMiniType, io: "input" | "output", defs: Map<string, JsonObject>): JsonObject {
  const js = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    // the clients read any string (views/core.ts); the document lists the types this version knows
    override: (ctx) => {
      if ((ctx.zodSchema as unknown) === TxTypeSchema) ctx.jsonSchema.enum = [...TX_TYPES];
    },
  }) as JsonObject;
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

function shapeOf(schema: z.ZodMiniType): Record<string, z.ZodMiniType> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodMiniType> }).shape;
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
          ? {
              // OpenAPI 3.1 has no item schema for a stream: the stream is text whose messages' data
              // fields are JSON documents of the item schema (JSON Schema 2020-12 §8.5, contentSchema).
              "text/event-stream": {
                schema: {
                  type: "string",
                  description: "server-sent events (WHATWG HTML §9.2): each message's `data` is one JSON item, its `id` the resume point",
                  contentMediaType: "application/json",
                  contentSchema: jsonSchemaOf(r.response, "output", defs),
                },
              },
            }
          : { "text/plain": { schema: { type: "string" } } };
    // Every answer but an event stream's carries the node's height; refusals to retry, Retry-After.
    const height = r.produces === "sse" ? {} : { headers: { "X-TL-Height": HEIGHT_HEADER } };
    const retry = (status: number) => (status === 429 || status === 503 ? { "Retry-After": RETRY_AFTER_HEADER } : {});
    const responses: Record<string, unknown> = { [String(r.success)]: { description: r.summary, ...height, content } };
    if (id === "submitTx") responses["202"] = { description: "admitted, not yet committed", ...height, content: { "application/json": { schema: jsonSchemaOf(SubmitResultView, "output", defs) } } };
    for (const status of r.errors) {
      const headers = { ...(r.produces === "sse" ? {} : height.headers), ...retry(status) };
      responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? "error", ...(Object.keys(headers).length > 0 ? { headers } : {}), content: { "application/json": { schema: errorRef } } };
    }
    const op: Record<string, unknown> = {
      operationId: id,
      summary: r.summary,
      description: r.description,
      parameters,
      responses,
      security: r.access === "signed" ? [{ signedRead: [] }] : [],
      "x-access": r.access,
    };
    if (r.body) {
      const content: Record<string, unknown> = { "application/json": { schema: jsonSchemaOf(r.body, "input", defs) } };
      // A binary body is protobuf bytes: no JSON Schema describes them, so it is a string of that media type (as OpenAPI 3.1 describes binary content).
      if (r.binaryBody) content[r.binaryBody.contentType] = { schema: { type: "string", contentMediaType: r.binaryBody.contentType, description: r.binaryBody.description } };
      op.requestBody = { required: true, content };
    }
    const p = openApiPath(r.path);
    paths[p] = { ...(paths[p] ?? {}), [r.method.toLowerCase()]: op };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: info.title ?? "TradeLedger RPC",
      version: info.version,
      description:
        "Reads of commercial data are signed by a registered party (the signedRead scheme; docs/security.md); writes are signed transactions. Amounts are decimal strings of minor units, bytes lower-case hex. Every answer carries the node's applied height in X-TL-Height; send it back as `minHeight` to read your writes on any node.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [
      {
        url: "{scheme}://{host}:{port}",
        description: "a node's RPC (rpc.host and rpc.port of its config; the devnet's validators listen on 127.0.0.1:7001-7004)",
        variables: {
          scheme: { default: "http", enum: ["http", "https"], description: "https behind a TLS proxy (docs/operator.md)" },
          host: { default: "127.0.0.1" },
          port: { default: "7001" },
        },
      },
    ],
    paths,
    components: {
      schemas: Object.fromEntries([...defs.entries()].sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        // One scheme: the signature header, with the three headers it signs over described with it
        // (OpenAPI has no scheme type for a request signature spread over several headers).
        signedRead: {
          type: "apiKey",
          in: "header",
          name: AUTH_HEADERS.signature,
          description: [
            "A read signed by a registered party's ed25519 key. Four headers go together:",
            `\`${AUTH_HEADERS.party}\` (the party id), \`${AUTH_HEADERS.time}\` (the client's clock in ms; accepted within ${MAX_CLOCK_SKEW_MS / 1000} s of the node's),`,
            `\`${AUTH_HEADERS.nonce}\` (${REQUEST_NONCE_BYTES} random bytes as hex; single use) and \`${AUTH_HEADERS.signature}\`: the ed25519 signature, hex, over`,
            "READ_SIGNING_DOMAIN || lp(chainId) || lp(party) || u64be(time) || nonce || lp(METHOD) || lp(path and query as sent), lp = u32be length || UTF-8",
            "(sdk/api/signed-reads.ts, docs/security.md). `tradeledger sign-request` prints them for curl.",
          ].join(" "),
        },
      },
    },
  };
}

const HEIGHT_HEADER = {
  description: "the height of the last block the node had applied when it answered: send it back as `minHeight` to read your writes on any node",
  schema: { type: "string", pattern: "^(?:0|[1-9][0-9]{0,19})$" },
};
const RETRY_AFTER_HEADER = { description: "seconds to wait before retrying", schema: { type: "string", pattern: "^[0-9]+$" } };

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "malformed request or transaction",
  401: "missing, stale, replayed or bad request signature; unknown signer",
  403: "the caller's role may not see or do this",
  404: "not found",
  409: "the ledger rejected the transaction (receipt inside)",
  413: "body or transaction too large",
  429: "rate limited (Retry-After)",
  503: "node not ready, stopping or mempool full; or behind the read's minHeight after waiting (HEIGHT_NOT_REACHED)",
};
