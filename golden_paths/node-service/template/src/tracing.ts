/**
 * OpenTelemetry tracing, configured only through the standard `OTEL_*` environment variables.
 *
 * Tracing is on when `OTEL_TRACES_EXPORTER` names an exporter (`otlp`, `console`) or an OTLP
 * endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), and
 * off with `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. The SDK reads the rest:
 * `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_HEADERS`...
 *
 * Metrics are scraped from `/metrics` and logs go to stdout, so the SDK's own metric and log
 * exporters stay off unless `OTEL_METRICS_EXPORTER` / `OTEL_LOGS_EXPORTER` ask for them (the
 * SDK would otherwise default them to OTLP and retry a missing collector at shutdown).
 */

import type { IncomingMessage } from "node:http";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { NodeSDK } from "@opentelemetry/sdk-node";

const QUIET = new Set(["/healthz", "/readyz", "/metrics"]);
const ENDPOINTS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

let sdk: NodeSDK | undefined;

/** The trace exporters the environment asks for; empty when tracing is off. */
export function exporterNames(env: NodeJS.ProcessEnv): string[] {
  if ((env.OTEL_SDK_DISABLED ?? "").trim().toLowerCase() === "true") {
    return [];
  }
  let names = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (names.length === 0 && ENDPOINTS.some((name) => env[name])) {
    names = ["otlp"];
  }
  return names.filter((name) => name !== "none");
}

function quiet(request: IncomingMessage): boolean {
  return QUIET.has((request.url ?? "").split("?")[0] ?? "");
}

/** Starts the SDK when the environment enables tracing; must run before `http` is loaded. */
export function startTracing(env: NodeJS.ProcessEnv = process.env): NodeSDK | undefined {
  if (sdk || exporterNames(env).length === 0) {
    return sdk;
  }
  env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none";
  sdk = new NodeSDK({
    instrumentations: [new HttpInstrumentation({ ignoreIncomingRequestHook: quiet })],
  });
  sdk.start();
  return sdk;
}

/** Flushes and stops the SDK, if it was started, waiting at most `timeoutMs`. */
export async function shutdownTracing(timeoutMs = 5000): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([running.shutdown(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
