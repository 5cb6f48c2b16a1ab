package tracing

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const parentHeader = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

func env(values map[string]string) func(string) string {
	return func(name string) string { return values[name] }
}

func TestParseTraceparent(t *testing.T) {
	sc, ok := ParseTraceparent(parentHeader)
	if !ok || sc.TraceIDHex() != "4bf92f3577b34da6a3ce929d0e0e4736" || sc.SpanIDHex() != "00f067aa0ba902b7" || !sc.Sampled {
		t.Fatalf("got %+v %v", sc, ok)
	}
	if sc.Traceparent() != parentHeader {
		t.Fatalf("round trip gave %s", sc.Traceparent())
	}
	for _, bad := range []string{
		"", "garbage", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
	} {
		if _, ok := ParseTraceparent(bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
	if sc, ok := ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future"); !ok || sc.Sampled {
		t.Error("a later version with extra fields must be read")
	}
}

func TestSpansContinueTheCallersTrace(t *testing.T) {
	tracer := FromEnv(env(nil), func(string) { t.Error("unexpected warning") })
	if tracer.Enabled() {
		t.Fatal("no exporter configured, yet enabled")
	}
	parent, _ := ParseTraceparent(parentHeader)
	ctx, span := tracer.Start(context.Background(), "GET /", parent, SpanKindServer)
	if span.Context.TraceID != parent.TraceID || span.Context.SpanID == parent.SpanID || !span.Context.Sampled {
		t.Fatalf("span %+v does not continue %+v", span.Context, parent)
	}
	if SpanFromContext(ctx) != span {
		t.Fatal("span not in context")
	}
	header := http.Header{}
	Inject(ctx, header)
	if got := header.Get("traceparent"); !strings.HasPrefix(got, "00-4bf92f3577b34da6a3ce929d0e0e4736-") || got == parentHeader {
		t.Fatalf("injected %q", got)
	}
	_, root := tracer.Start(context.Background(), "job", SpanContext{}, SpanKindServer)
	if !root.Context.IsValid() || root.Context.TraceID == parent.TraceID {
		t.Fatal("a root span needs a new trace id")
	}
}

func TestSamplers(t *testing.T) {
	sampled, _ := ParseTraceparent(parentHeader)
	unsampled := sampled
	unsampled.Sampled = false
	var id [16]byte
	cases := []struct {
		env    map[string]string
		parent SpanContext
		want   bool
	}{
		{nil, SpanContext{}, true},
		{nil, unsampled, false},
		{map[string]string{"OTEL_TRACES_SAMPLER": "always_off"}, sampled, false},
		{map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_always_off"}, sampled, true},
		{map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_always_off"}, SpanContext{}, false},
		{map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0"}, SpanContext{}, false},
		{map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1"}, unsampled, true},
	}
	for _, c := range cases {
		if got := sampler(env(c.env), func(string) {})(c.parent, id); got != c.want {
			t.Errorf("%v with parent sampled=%v: got %v", c.env, c.parent.Sampled, got)
		}
	}
}

func TestConfigurationThatTurnsTracingOff(t *testing.T) {
	for _, values := range []map[string]string{
		{},
		{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"},
		{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"},
	} {
		if FromEnv(env(values), func(string) {}).Enabled() {
			t.Errorf("%v: enabled", values)
		}
	}
	var warned string
	tracer := FromEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}), func(msg string) { warned = msg })
	if tracer.Enabled() || !strings.Contains(warned, "http/json") {
		t.Errorf("grpc must be refused with a hint, got %q", warned)
	}
}

func TestSpansAreExportedAsOTLPJSON(t *testing.T) {
	type received struct {
		path, contentType, apiKey string
		body                      map[string]any
	}
	got := make(chan received, 1)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		got <- received{r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("x-api-key"), body}
	}))
	defer collector.Close()
	tracer := FromEnv(env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL + "/",
		"OTEL_EXPORTER_OTLP_HEADERS":  "x-api-key=secret%20value",
		"OTEL_SERVICE_NAME":           "svc",
		"OTEL_RESOURCE_ATTRIBUTES":    "deployment.environment.name=test",
	}), func(msg string) { t.Error(msg) })
	if !tracer.Enabled() {
		t.Fatal("an OTLP endpoint must enable tracing")
	}
	parent, _ := ParseTraceparent(parentHeader)
	_, span := tracer.Start(context.Background(), "GET /orders", parent, SpanKindServer)
	span.SetAttribute("http.response.status_code", 500)
	span.Error = true
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tracer.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.path != "/v1/traces" || r.contentType != "application/json" || r.apiKey != "secret value" {
		t.Fatalf("request %+v", r)
	}
	encoded, _ := json.Marshal(r.body)
	for _, want := range []string{
		`{"key":"service.name","value":{"stringValue":"svc"}}`,
		`{"key":"deployment.environment.name","value":{"stringValue":"test"}}`,
		`"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"`,
		`"parentSpanId":"00f067aa0ba902b7"`,
		`"kind":2`,
		`"name":"GET /orders"`,
		`{"key":"http.response.status_code","value":{"intValue":"500"}}`,
		`"status":{"code":2}`,
	} {
		if !strings.Contains(string(encoded), want) {
			t.Errorf("missing %s in %s", want, encoded)
		}
	}
}
