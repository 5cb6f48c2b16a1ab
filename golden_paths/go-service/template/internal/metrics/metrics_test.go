package metrics

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
	"time"
)

// samples parses the exposition text into "name{labels}" -> value, checking every line's shape.
func samples(t *testing.T, text string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	scanner := bufio.NewScanner(strings.NewReader(text))
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		cut := strings.LastIndex(line, " ")
		if cut < 0 {
			t.Fatalf("malformed line %q", line)
		}
		value, err := strconv.ParseFloat(line[cut+1:], 64)
		if err != nil {
			t.Fatalf("malformed value in %q", line)
		}
		out[line[:cut]] = value
	}
	return out
}

func TestRequestsAndHistogram(t *testing.T) {
	registry := NewRegistry()
	registry.Observe("GET", "/", 200, 3*time.Millisecond)
	registry.Observe("GET", "/", 200, 300*time.Millisecond)
	registry.Observe("GET", "unmatched", 404, time.Millisecond)
	var text strings.Builder
	if _, err := registry.WriteTo(&text); err != nil {
		t.Fatal(err)
	}
	got := samples(t, text.String())
	checks := map[string]float64{
		`http_requests_total{method="GET",route="/",status="200"}`:                2,
		`http_requests_total{method="GET",route="unmatched",status="404"}`:        1,
		`http_request_duration_seconds_bucket{method="GET",route="/",le="0.005"}`: 1,
		`http_request_duration_seconds_bucket{method="GET",route="/",le="0.25"}`:  1,
		`http_request_duration_seconds_bucket{method="GET",route="/",le="0.5"}`:   2,
		`http_request_duration_seconds_bucket{method="GET",route="/",le="+Inf"}`:  2,
		`http_request_duration_seconds_count{method="GET",route="/"}`:             2,
		`go_info{version="` + strings.TrimSpace(goVersion()) + `"}`:               1,
	}
	for name, want := range checks {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
	if sum := got[`http_request_duration_seconds_sum{method="GET",route="/"}`]; sum < 0.3 || sum > 0.31 {
		t.Errorf("sum = %v", sum)
	}
	if got["go_goroutines"] < 1 || got["process_start_time_seconds"] <= 0 {
		t.Error("runtime metrics missing")
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	if got := quote("a\"b\\c\nd"); got != `"a\"b\\c\nd"` {
		t.Fatalf("got %s", got)
	}
}

func goVersion() string {
	var text strings.Builder
	writeRuntime(&text, time.Now())
	for _, line := range strings.Split(text.String(), "\n") {
		if strings.HasPrefix(line, `go_info{version="`) {
			return strings.TrimSuffix(strings.TrimPrefix(line, `go_info{version="`), `"} 1`)
		}
	}
	return ""
}
