/** The HTTP application: routes, hooks, logs and metrics. */

import { trace } from "@opentelemetry/api";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { DestinationStream } from "pino";
import type { Config } from "./config";
import { Readiness } from "./health";
import { createMetrics } from "./metrics";

// Probes and scrapes are frequent and uninteresting: counted, never logged.
const QUIET = new Set(["/healthz", "/readyz", "/metrics"]);

export const VERSION = "0.1.0";

export interface AppOptions {
  config: Config;
  /** Where logs go (stdout when unset); tests pass a stream to read them. */
  logStream?: DestinationStream;
}

declare module "fastify" {
  interface FastifyInstance {
    readiness: Readiness;
  }
}

/** Trace ids of the active span, added to every log line. */
function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) {
    return {};
  }
  return { trace_id: context.traceId, span_id: context.spanId };
}

/** Builds the application: JSON logs, metrics, health endpoints and the API. */
export function buildApp({ config, logStream }: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      base: { service: config.serviceName },
      messageKey: "message",
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
      ...(logStream ? { stream: logStream } : {}),
    },
    // One log line per request, written by the onResponse hook below with its duration.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: true,
  });
  const metrics = createMetrics();
  const readiness = new Readiness();
  app.decorate("readiness", readiness);

  app.addHook("onReady", async () => {
    readiness.accepting = true;
    app.log.info({ version: VERSION, port: config.port }, "started");
  });
  // Kubernetes' preStop hook already gave load balancers time to stop routing here.
  app.addHook("preClose", async () => {
    readiness.accepting = false;
  });
  app.addHook("onResponse", async (request, reply) => {
    // The route template (/items/:id), not the raw URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? "unmatched";
    const status = String(reply.statusCode);
    metrics.requests.inc({ method: request.method, route, status });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (!QUIET.has(route)) {
      request.log.info(
        {
          method: request.method,
          path: request.url.split("?")[0],
          route,
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        },
        "request",
      );
    }
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const failing = await readiness.failing();
    if (failing.length > 0) {
      return reply.code(503).send({ status: "unavailable", failing });
    }
    return { status: "ok" };
  });

  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get("/", async () => ({ service: config.serviceName, version: VERSION }));

  return app;
}
