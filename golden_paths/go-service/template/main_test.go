package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServesThenDrainsOnCancel(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(string) string { return "" }, logs, listener) }()

	url := "http://" + listener.Addr().String()
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get(url + "/readyz"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
	for _, want := range []string{`"message":"started"`, `"message":"stopping"`, `"message":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("missing %s in logs:\n%s", want, logs)
		}
	}
}

func TestBadConfigurationFailsFast(t *testing.T) {
	getenv := func(name string) string {
		if name == "PORT" {
			return "not-a-port"
		}
		return ""
	}
	if err := run(context.Background(), getenv, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("got %v", err)
	}
}
