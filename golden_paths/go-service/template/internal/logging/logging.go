// Package logging writes structured JSON logs, one object per line, with trace ids.
package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Level orders log records by severity.
type Level int

// Levels, lowest first.
const (
	Debug Level = iota
	Info
	Warn
	Error
)

var levelNames = map[Level]string{Debug: "debug", Info: "info", Warn: "warn", Error: "error"}

// ParseLevel turns "debug", "info", "warn" or "error" into a Level (Info when unknown).
func ParseLevel(name string) Level {
	for level, levelName := range levelNames {
		if levelName == name {
			return level
		}
	}
	return Info
}

// TraceIDs returns the trace and span id of a context, if it carries a trace.
// The tracing package installs it; logging stays free of tracing imports.
var TraceIDs = func(ctx context.Context) (traceID, spanID string) { return "", "" }

// Logger writes JSON records at or above its level; safe for concurrent use.
type Logger struct {
	mu      sync.Mutex
	out     io.Writer
	service string
	min     Level
	now     func() time.Time
}

// New returns a logger writing to out.
func New(out io.Writer, service string, min Level) *Logger {
	return &Logger{out: out, service: service, min: min, now: time.Now}
}

// Debug logs at debug level; kv are alternating keys and values.
func (l *Logger) Debug(ctx context.Context, msg string, kv ...any) { l.Log(ctx, Debug, msg, kv...) }

// Info logs at info level; kv are alternating keys and values.
func (l *Logger) Info(ctx context.Context, msg string, kv ...any) { l.Log(ctx, Info, msg, kv...) }

// Warn logs at warn level; kv are alternating keys and values.
func (l *Logger) Warn(ctx context.Context, msg string, kv ...any) { l.Log(ctx, Warn, msg, kv...) }

// Error logs at error level; kv are alternating keys and values.
func (l *Logger) Error(ctx context.Context, msg string, kv ...any) { l.Log(ctx, Error, msg, kv...) }

// Log writes one record: time, level, message, service, trace ids, then the key-value pairs.
func (l *Logger) Log(ctx context.Context, level Level, msg string, kv ...any) {
	if level < l.min {
		return
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	field(&buf, "time", l.now().UTC().Format(time.RFC3339Nano), true)
	field(&buf, "level", levelNames[level], false)
	field(&buf, "message", msg, false)
	field(&buf, "service", l.service, false)
	if traceID, spanID := TraceIDs(ctx); traceID != "" {
		field(&buf, "trace_id", traceID, false)
		field(&buf, "span_id", spanID, false)
	}
	for i := 0; i < len(kv); i += 2 {
		key := fmt.Sprint(kv[i])
		var value any = "(missing)"
		if i+1 < len(kv) {
			value = kv[i+1]
		}
		if err, ok := value.(error); ok {
			value = err.Error()
		}
		field(&buf, key, value, false)
	}
	buf.WriteString("}\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.out.Write(buf.Bytes())
}

func field(buf *bytes.Buffer, key string, value any, first bool) {
	if !first {
		buf.WriteByte(',')
	}
	encodedKey, _ := json.Marshal(key)
	buf.Write(encodedKey)
	buf.WriteByte(':')
	encoded, err := json.Marshal(value)
	if err != nil {
		encoded, _ = json.Marshal(fmt.Sprint(value))
	}
	buf.Write(encoded)
}
