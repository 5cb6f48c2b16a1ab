package tracing

import (
	"context"
	"encoding/binary"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SpanKindServer is OTLP's SPAN_KIND_SERVER.
const SpanKindServer = 2

// Span is one timed operation. End it exactly once.
type Span struct {
	tracer     *Tracer
	Context    SpanContext
	Parent     SpanContext
	Name       string
	Kind       int
	Start      time.Time
	EndTime    time.Time
	Error      bool
	mu         sync.Mutex
	attributes map[string]any
}

// SetAttribute records a string, bool, int or float64 attribute.
func (s *Span) SetAttribute(key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attributes[key] = value
}

// End finishes the span and hands it to the exporter when sampled.
func (s *Span) End() {
	s.EndTime = time.Now()
	if s.Context.Sampled && s.tracer.exporter != nil {
		s.tracer.exporter.enqueue(s)
	}
}

// Tracer starts spans and, when an exporter is configured, exports the sampled ones.
type Tracer struct {
	exporter *exporter
	sample   func(parent SpanContext, traceID [16]byte) bool
}

// Enabled reports whether spans are exported.
func (t *Tracer) Enabled() bool { return t.exporter != nil }

// Start begins a span continuing parent (when valid) or a new trace, and returns a context
// carrying it. Trace ids are propagated and logged even when nothing is exported.
func (t *Tracer) Start(ctx context.Context, name string, parent SpanContext, kind int) (context.Context, *Span) {
	sc := SpanContext{}
	if parent.IsValid() {
		sc.TraceID = parent.TraceID
	}
	randomIDs(&sc, !parent.IsValid())
	sc.Sampled = t.sample(parent, sc.TraceID)
	span := &Span{tracer: t, Context: sc, Parent: parent, Name: name, Kind: kind, Start: time.Now(),
		attributes: map[string]any{}}
	return ContextWithSpan(ctx, span), span
}

// Shutdown exports the spans still queued, waiting until ctx is done at most.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t.exporter == nil {
		return nil
	}
	return t.exporter.shutdown(ctx)
}

// FromEnv builds a tracer from the OTEL_* variables read through getenv; warn receives
// configuration problems (tracing then stays off rather than failing the service).
func FromEnv(getenv func(string) string, warn func(string)) *Tracer {
	t := &Tracer{sample: sampler(getenv, warn)}
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return t
	}
	names := strings.Split(strings.ToLower(getenv("OTEL_TRACES_EXPORTER")), ",")
	exporterName := strings.TrimSpace(names[0])
	if exporterName == "" && (getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "") {
		exporterName = "otlp"
	}
	switch exporterName {
	case "", "none":
		return t
	case "otlp", "console":
		exp, err := newExporter(exporterName, getenv)
		if err != nil {
			warn("tracing off: " + err.Error())
			return t
		}
		t.exporter = exp
	default:
		warn("tracing off: unsupported OTEL_TRACES_EXPORTER " + strconv.Quote(exporterName))
	}
	return t
}

// sampler implements the OTEL_TRACES_SAMPLER values of the specification.
func sampler(getenv func(string) string, warn func(string)) func(SpanContext, [16]byte) bool {
	name := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")))
	ratio := 1.0
	if arg := getenv("OTEL_TRACES_SAMPLER_ARG"); arg != "" && strings.HasSuffix(name, "traceidratio") {
		parsed, err := strconv.ParseFloat(arg, 64)
		if err != nil || parsed < 0 || parsed > 1 {
			warn("ignoring OTEL_TRACES_SAMPLER_ARG " + strconv.Quote(arg) + ": expected a number in [0, 1]")
		} else {
			ratio = parsed
		}
	}
	byRatio := func(traceID [16]byte) bool {
		// The lower 8 bytes of a random trace id are uniformly distributed.
		return float64(binary.BigEndian.Uint64(traceID[8:])>>11)/(1<<53) < ratio
	}
	root := map[string]func([16]byte) bool{
		"always_on": func([16]byte) bool { return true }, "always_off": func([16]byte) bool { return false },
		"traceidratio": byRatio,
	}
	parentBased := strings.HasPrefix(name, "parentbased_") || name == ""
	decide, ok := root[strings.TrimPrefix(name, "parentbased_")]
	if name == "" {
		decide, ok = root["always_on"], true
	}
	if !ok {
		warn("unsupported OTEL_TRACES_SAMPLER " + strconv.Quote(name) + ": using parentbased_always_on")
		decide, parentBased = root["always_on"], true
	}
	return func(parent SpanContext, traceID [16]byte) bool {
		if parentBased && parent.IsValid() {
			return parent.Sampled
		}
		return decide(traceID)
	}
}

// parseHeaders reads OTEL_EXPORTER_OTLP_HEADERS: comma-separated key=value, values URL-encoded.
func parseHeaders(value string) map[string]string {
	headers := map[string]string{}
	for _, pair := range strings.Split(value, ",") {
		key, val, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(key) == "" {
			continue
		}
		if decoded, err := url.QueryUnescape(strings.TrimSpace(val)); err == nil {
			val = decoded
		}
		headers[strings.TrimSpace(key)] = val
	}
	return headers
}

// parseResource reads OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (which wins).
func parseResource(getenv func(string) string) map[string]string {
	resource := parseHeaders(getenv("OTEL_RESOURCE_ATTRIBUTES"))
	if name := getenv("OTEL_SERVICE_NAME"); name != "" {
		resource["service.name"] = name
	}
	if resource["service.name"] == "" {
		resource["service.name"] = "unknown_service"
	}
	resource["telemetry.sdk.language"] = "go"
	return resource
}
