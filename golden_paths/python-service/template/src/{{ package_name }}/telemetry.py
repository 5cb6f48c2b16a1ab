"""OpenTelemetry tracing, configured only through the standard ``OTEL_*`` environment variables.

Tracing is on when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp`` or ``console``) or an
OTLP endpoint is set (``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``),
and off with ``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none``. The SDK itself reads
the rest: ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER(_ARG)``,
``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_BSP_*``. OTLP is sent over HTTP/protobuf.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

log = logging.getLogger(__name__)
_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def exporter_names(env: Mapping[str, str]) -> list[str]:
    """The trace exporters the environment asks for; empty when tracing is off."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [n.strip().lower() for n in env.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    if not names and any(env.get(name) for name in _ENDPOINTS):
        names = ["otlp"]
    return [n for n in names if n != "none"]


def _exporter(name: str) -> SpanExporter | None:
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if name == "console":
        return ConsoleSpanExporter(out=sys.stdout)
    log.warning("unsupported OTEL_TRACES_EXPORTER ignored", extra={"exporter": name})
    return None


def configure_tracing(app: FastAPI, env: Mapping[str, str] | None = None) -> TracerProvider | None:
    """Trace every request of ``app`` if the environment enables tracing; None if it does not."""
    names = exporter_names(os.environ if env is None else env)
    if not names:
        return None
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        provider = current  # one provider per process, even when apps are created repeatedly
    else:
        provider = TracerProvider()  # resource and sampler come from OTEL_* variables
        for exporter in filter(None, map(_exporter, names)):
            provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics"
    )
    return provider
