// The RPC's input validation, one place for the server and its fuzzer (tools/fuzz/targets.ts):
// a request body's JSON text, and path, query and body values checked against a route's schema.
// Everything a client sends is refused here with ApiError MALFORMED, never another error.
import type { z } from "zod";
import { malformed } from "./errors.js";

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
export function parseInput(schema: z.ZodType, value: unknown, where: string): Record<string, unknown> {
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
