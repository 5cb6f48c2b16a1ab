package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// exporter batches ended spans and sends them as OTLP/HTTP JSON (or prints them: console).
type exporter struct {
	url      string // empty for the console exporter
	headers  map[string]string
	client   *http.Client
	console  io.Writer
	resource map[string]string
	queue    chan *Span
	batch    int
	delay    time.Duration
	done     chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}
	mu       sync.Mutex
	Dropped  int
}

func signalEnv(getenv func(string) string, name string) string {
	if value := getenv("OTEL_EXPORTER_OTLP_TRACES_" + name); value != "" {
		return value
	}
	return getenv("OTEL_EXPORTER_OTLP_" + name)
}

func intEnv(getenv func(string) string, name string, fallback int) int {
	if value, err := strconv.Atoi(getenv(name)); err == nil && value > 0 {
		return value
	}
	return fallback
}

func newExporter(kind string, getenv func(string) string) (*exporter, error) {
	e := &exporter{
		headers:  parseHeaders(signalEnv(getenv, "HEADERS")),
		resource: parseResource(getenv),
		queue:    make(chan *Span, intEnv(getenv, "OTEL_BSP_MAX_QUEUE_SIZE", 2048)),
		batch:    intEnv(getenv, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512),
		delay:    time.Duration(intEnv(getenv, "OTEL_BSP_SCHEDULE_DELAY", 5000)) * time.Millisecond,
		done:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	if kind == "console" {
		e.console = os.Stderr
	} else {
		protocol := signalEnv(getenv, "PROTOCOL")
		if protocol != "" && protocol != "http/json" {
			return nil, fmt.Errorf("OTLP protocol %q is not supported: set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json", protocol)
		}
		e.url = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
		if e.url == "" {
			base := getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
			if base == "" {
				base = "http://localhost:4318"
			}
			e.url = strings.TrimRight(base, "/") + "/v1/traces"
		}
		timeout := time.Duration(intEnv(getenv, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
			intEnv(getenv, "OTEL_EXPORTER_OTLP_TIMEOUT", 10000))) * time.Millisecond
		e.client = &http.Client{Timeout: timeout}
	}
	go e.run()
	return e, nil
}

func (e *exporter) enqueue(span *Span) {
	select {
	case e.queue <- span:
	default: // a full queue drops spans rather than slowing requests down
		e.mu.Lock()
		e.Dropped++
		e.mu.Unlock()
	}
}

func (e *exporter) run() {
	defer close(e.stopped)
	ticker := time.NewTicker(e.delay)
	defer ticker.Stop()
	var pending []*Span
	for {
		select {
		case span := <-e.queue:
			if pending = append(pending, span); len(pending) >= e.batch {
				e.send(pending)
				pending = nil
			}
		case <-ticker.C:
			e.send(pending)
			pending = nil
		case <-e.done:
			for len(e.queue) > 0 {
				pending = append(pending, <-e.queue)
			}
			e.send(pending)
			return
		}
	}
}

func (e *exporter) shutdown(ctx context.Context) error {
	e.stopOnce.Do(func() { close(e.done) })
	select {
	case <-e.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// send posts one batch; failures are counted as dropped spans (tracing never breaks serving).
func (e *exporter) send(spans []*Span) {
	if len(spans) == 0 {
		return
	}
	body, err := json.Marshal(e.request(spans))
	if err == nil && e.console != nil {
		_, err = e.console.Write(append(body, '\n'))
	} else if err == nil {
		err = e.post(body)
	}
	if err != nil {
		e.mu.Lock()
		e.Dropped += len(spans)
		e.mu.Unlock()
	}
}

func (e *exporter) post(body []byte) error {
	req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for key, value := range e.headers {
		req.Header.Set(key, value)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("collector answered %s", resp.Status)
	}
	return nil
}

// request builds an ExportTraceServiceRequest in OTLP's JSON mapping (hex ids, string int64s).
func (e *exporter) request(spans []*Span) map[string]any {
	encoded := make([]map[string]any, 0, len(spans))
	for _, span := range spans {
		encoded = append(encoded, encodeSpan(span))
	}
	resource := make(map[string]any, len(e.resource))
	for key, value := range e.resource {
		resource[key] = value
	}
	return map[string]any{"resourceSpans": []any{map[string]any{
		"resource":   map[string]any{"attributes": attributes(resource)},
		"scopeSpans": []any{map[string]any{"scope": map[string]any{"name": "internal/tracing"}, "spans": encoded}},
	}}}
}

func encodeSpan(span *Span) map[string]any {
	span.mu.Lock()
	defer span.mu.Unlock()
	out := map[string]any{
		"traceId":           span.Context.TraceIDHex(),
		"spanId":            span.Context.SpanIDHex(),
		"name":              span.Name,
		"kind":              span.Kind,
		"startTimeUnixNano": strconv.FormatInt(span.Start.UnixNano(), 10),
		"endTimeUnixNano":   strconv.FormatInt(span.EndTime.UnixNano(), 10),
		"attributes":        attributes(span.attributes),
	}
	if span.Parent.IsValid() {
		out["parentSpanId"] = span.Parent.SpanIDHex()
	}
	if span.Error {
		out["status"] = map[string]any{"code": 2} // STATUS_CODE_ERROR
	}
	return out
}

func attributes(values map[string]any) []any {
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(keys))
	for _, key := range keys {
		var value map[string]any
		switch v := values[key].(type) {
		case bool:
			value = map[string]any{"boolValue": v}
		case int:
			value = map[string]any{"intValue": strconv.Itoa(v)}
		case int64:
			value = map[string]any{"intValue": strconv.FormatInt(v, 10)}
		case float64:
			value = map[string]any{"doubleValue": v}
		default:
			value = map[string]any{"stringValue": fmt.Sprint(v)}
		}
		out = append(out, map[string]any{"key": key, "value": value})
	}
	return out
}
