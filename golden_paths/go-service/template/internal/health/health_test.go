package health

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestNotReadyUntilAccepting(t *testing.T) {
	readiness := NewReadiness(time.Second)
	if got := readiness.Failing(context.Background()); !reflect.DeepEqual(got, []string{"accepting"}) {
		t.Fatalf("got %v", got)
	}
	readiness.SetAccepting(true)
	if got := readiness.Failing(context.Background()); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

func TestFailingChecksAreNamed(t *testing.T) {
	readiness := NewReadiness(50 * time.Millisecond)
	readiness.SetAccepting(true)
	readiness.AddCheck("cache", func(context.Context) error { return nil })
	readiness.AddCheck("database", func(context.Context) error { return errors.New("down") })
	readiness.AddCheck("queue", func(context.Context) error { panic("boom") })
	readiness.AddCheck("slow", func(ctx context.Context) error {
		time.Sleep(time.Second)
		return nil
	})
	got := readiness.Failing(context.Background())
	if want := []string{"database", "queue", "slow"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
