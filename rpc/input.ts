// The RPC's input validation, one place for the server and its fuzzer (tools/fuzz/targets.ts):
// a request body's JSON text, and path, query and body values checked against a route's schema.
// Everything a client sends is refused here with ApiError MALFORMED, never another error.
import type * as z from "zod/mini";
import { SubmitBatchBody } from "../sdk/api/routes.js";
import { CodecError, decode } from "../sdk/codec.js";
import { ApiError, malformed } from "./errors.js";

/** A request body's text as JSON; MALFORMED if it is not JSON. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed("the body is not valid JSON");
  }
}

/**
 * Checks `value` (path parameters, query or body) against a route's schema: unknown names are
 * refused by name, then the schema decides; MALFORMED lists each problem with its path.
 */
export function parseInput(schema: z.ZodMiniType, value: unknown, where: string): Record<string, unknown> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (shape && value && typeof value === "object") {
    const unknown = Object.keys(value).filter((k) => !Object.hasOwn(shape, k));
    if (unknown.length > 0) throw malformed(`unknown ${where} parameter${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`, unknown.map((k) => ({ path: `${where}.${k}`, message: "unknown parameter" })));
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message }));
    throw malformed(`invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details);
  }
  return r.data as Record<string, unknown>;
}

/**
 * The transactions of a POST /v1/txs/batch body: JSON `{ "txs": [hex, ...] }` or a protobuf
 * TxSubmission message (proto/tradeledger.proto), each entry as bytes still to be checked on its own
 * (admission). MALFORMED for a body of neither form or with no transaction, TOO_LARGE for more than
 * `maxTxs`.
 */
export function parseTxBatch(body: Uint8Array, form: "json" | "protobuf", maxTxs: number): Uint8Array[] {
  let txs: Uint8Array[];
  if (form === "protobuf") {
    try {
      // Copies: a transaction kept in the pool must not hold the whole request's buffer.
      txs = decode<{ txs: Uint8Array[] }>("TxSubmission", body).txs.map((t) => t.slice());
    } catch (err) {
      if (err instanceof CodecError) throw malformed(`the body is not a TxSubmission message (proto/tradeledger.proto): ${err.message}`);
      throw err;
    }
    if (txs.length === 0) throw malformed("invalid body: body.txs: at least one transaction", [{ path: "body.txs", message: "at least one transaction" }]);
  } else {
    const json = parseInput(SubmitBatchBody, parseJsonText(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")), "body") as { txs: string[] };
    // The schema admitted lower-case hex of even length: Buffer's decoder is ~20x sdk's fromHex.
    txs = json.txs.map((hex) => new Uint8Array(Buffer.from(hex, "hex")));
  }
  if (txs.length > maxTxs) throw new ApiError("TOO_LARGE", `a batch holds at most ${maxTxs} transactions (this one: ${txs.length}); split it`);
  return txs;
}
