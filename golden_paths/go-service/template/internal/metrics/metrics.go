// Package metrics keeps HTTP request metrics and writes them, with Go runtime metrics, in the
// Prometheus text exposition format (version 0.0.4).
package metrics

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is the media type of the exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Buckets are the latency histogram's upper bounds in seconds (Prometheus client defaults).
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type requestKey struct{ method, route, status string }

type routeKey struct{ method, route string }

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

// Registry holds the metrics of one server; safe for concurrent use.
type Registry struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[routeKey]*histogram
	started   time.Time
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{requests: map[requestKey]uint64{}, durations: map[routeKey]*histogram{}, started: time.Now()}
}

// Observe records one handled request. route must be a template, never the raw path, so the
// number of label values stays bounded.
func (r *Registry) Observe(method, route string, status int, elapsed time.Duration) {
	seconds := elapsed.Seconds()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[requestKey{method, route, strconv.Itoa(status)}]++
	h := r.durations[routeKey{method, route}]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(Buckets))}
		r.durations[routeKey{method, route}] = h
	}
	for i, bound := range Buckets {
		if seconds <= bound {
			h.counts[i]++
			break
		}
	}
	h.sum += seconds
	h.count++
}

// WriteTo writes every metric in the exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	r.writeRequests(&b)
	r.writeDurations(&b)
	started := r.started
	r.mu.Unlock()
	writeRuntime(&b, started)
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func (r *Registry) writeRequests(b *strings.Builder) {
	header(b, "http_requests_total", "counter", "HTTP requests handled, by method, route and status code.")
	keys := make([]requestKey, 0, len(r.requests))
	for key := range r.requests {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		return a.method+a.route+a.status < c.method+c.route+c.status
	})
	for _, key := range keys {
		fmt.Fprintf(b, "http_requests_total{method=%s,route=%s,status=%s} %d\n",
			quote(key.method), quote(key.route), quote(key.status), r.requests[key])
	}
}

func (r *Registry) writeDurations(b *strings.Builder) {
	name := "http_request_duration_seconds"
	header(b, name, "histogram", "Time to handle an HTTP request, by method and route.")
	keys := make([]routeKey, 0, len(r.durations))
	for key := range r.durations {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].method+keys[i].route < keys[j].method+keys[j].route })
	for _, key := range keys {
		h := r.durations[key]
		labels := fmt.Sprintf("method=%s,route=%s", quote(key.method), quote(key.route))
		var cumulative uint64
		for i, bound := range Buckets {
			cumulative += h.counts[i]
			fmt.Fprintf(b, "%s_bucket{%s,le=%q} %d\n", name, labels, formatFloat(bound), cumulative)
		}
		fmt.Fprintf(b, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, h.count)
		fmt.Fprintf(b, "%s_sum{%s} %s\n", name, labels, formatFloat(h.sum))
		fmt.Fprintf(b, "%s_count{%s} %d\n", name, labels, h.count)
	}
}

func writeRuntime(b *strings.Builder, started time.Time) {
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	gauge := func(name, help string, value float64) {
		header(b, name, "gauge", help)
		fmt.Fprintf(b, "%s %s\n", name, formatFloat(value))
	}
	header(b, "go_info", "gauge", "Information about the Go environment.")
	fmt.Fprintf(b, "go_info{version=%s} 1\n", quote(runtime.Version()))
	gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	gauge("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", float64(mem.HeapAlloc))
	gauge("go_memstats_sys_bytes", "Bytes of memory obtained from the OS.", float64(mem.Sys))
	header(b, "go_gc_cycles_total", "counter", "Completed GC cycles.")
	fmt.Fprintf(b, "go_gc_cycles_total %d\n", mem.NumGC)
	gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.",
		float64(started.UnixNano())/1e9)
}

func header(b *strings.Builder, name, kind, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

// quote escapes a label value: backslash, double quote and newline.
func quote(value string) string {
	replacer := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + replacer.Replace(value) + `"`
}

func formatFloat(value float64) string {
	return strconv.FormatFloat(value, 'g', -1, 64)
}
