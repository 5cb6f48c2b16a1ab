/** Prometheus metrics: request count and latency by route template, plus process metrics. */

import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  duration: Histogram<"method" | "route">;
}

/** A registry of its own per application, so tests can build many applications. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests handled, by method, route and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to handle an HTTP request, by method and route.",
    labelNames: ["method", "route"] as const,
    registers: [registry],
  });
  return { registry, requests, duration };
}
