package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func decode(t *testing.T, out *bytes.Buffer) []map[string]any {
	t.Helper()
	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		records = append(records, record)
	}
	return records
}

func TestRecordsAreJSONWithFields(t *testing.T) {
	var out bytes.Buffer
	logger := New(&out, "svc", Info)
	logger.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	logger.Info(context.Background(), "charged", "order_id", 42, "err", errors.New("none"), "odd")
	logger.Debug(context.Background(), "hidden below the level")
	records := decode(t, &out)
	if len(records) != 1 {
		t.Fatalf("got %d records", len(records))
	}
	want := map[string]any{
		"time": "2026-01-02T03:04:05Z", "level": "info", "message": "charged", "service": "svc",
		"order_id": float64(42), "err": "none", "odd": "(missing)",
	}
	for key, value := range want {
		if records[0][key] != value {
			t.Errorf("%s = %v, want %v", key, records[0][key], value)
		}
	}
	if _, ok := records[0]["trace_id"]; ok {
		t.Error("trace_id without a trace")
	}
}

func TestTraceIDsAreAdded(t *testing.T) {
	saved := TraceIDs
	defer func() { TraceIDs = saved }()
	TraceIDs = func(context.Context) (string, string) { return "trace", "span" }
	var out bytes.Buffer
	New(&out, "svc", Debug).Warn(context.Background(), "slow")
	record := decode(t, &out)[0]
	if record["trace_id"] != "trace" || record["span_id"] != "span" || record["level"] != "warn" {
		t.Fatalf("unexpected %v", record)
	}
}

func TestParseLevel(t *testing.T) {
	if ParseLevel("error") != Error || ParseLevel("nonsense") != Info {
		t.Fatal("ParseLevel")
	}
}
