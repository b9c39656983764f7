// Routes of the node itself: probes, the OpenAPI document, metrics.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Empty, route } from "../route-parts.js";
import { HealthView, ReadinessView } from "../views/node.js";

export const getHealth = /* @__PURE__ */ route({
  method: "GET",
  path: "/healthz",
  access: "open",
  summary: "Liveness probe: the process serves requests",
  description: "Always 200 while the node's HTTP server runs. For orchestrators' liveness checks (restart the process when it stops answering).",
  params: Empty,
  query: Empty,
  body: null,
  response: HealthView,
  produces: "json",
  success: 200,
  errors: [429],
});

export const getReadiness = /* @__PURE__ */ route({
  method: "GET",
  path: "/readyz",
  access: "open",
  summary: "Readiness probe: 200 when the node can serve and accept transactions, else 503 with why",
  description:
    "503 while starting, catching up (state transfer or observer sync), halted on a broken invariant, or connected to fewer validator peers than it needs (a validator: 2f, so that with itself it makes a quorum; an observer: f+1, so that it can follow certified blocks). For load balancers: route clients only to ready nodes.",
  params: Empty,
  query: Empty,
  body: null,
  response: ReadinessView,
  produces: "json",
  success: 200,
  errors: [429, 503],
});

export const getOpenApi = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/openapi.json",
  access: "open",
  summary: "This API as an OpenAPI 3.1 document",
  description: "Generated from the route definitions in sdk/api/routes.ts.",
  params: Empty,
  query: Empty,
  body: null,
  response: z.record(z.string(), z.unknown()),
  produces: "json",
  success: 200,
  errors: [429],
});

export const getMetrics = /* @__PURE__ */ route({
  method: "GET",
  path: "/metrics",
  access: "open",
  summary: "Prometheus metrics",
  description: "Text exposition format (loopback).",
  params: Empty,
  query: Empty,
  body: null,
  response: z.string(),
  produces: "text",
  success: 200,
  errors: [429],
});
