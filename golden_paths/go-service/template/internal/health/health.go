// Package health tells whether the service is alive and ready.
//
// Liveness (/healthz) only shows the process serves HTTP: it never checks dependencies, so a
// database outage does not make Kubernetes restart every replica. Readiness (/readyz) fails
// while the service starts or drains, and when a registered check fails.
package health

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Check reports whether a dependency is usable; it should honour ctx's deadline.
type Check func(ctx context.Context) error

// Readiness holds the accepting flag and the readiness checks.
type Readiness struct {
	accepting atomic.Bool
	timeout   time.Duration
	mu        sync.Mutex
	checks    map[string]Check
}

// NewReadiness returns a Readiness that is not accepting traffic yet.
func NewReadiness(timeout time.Duration) *Readiness {
	return &Readiness{timeout: timeout, checks: map[string]Check{}}
}

// SetAccepting marks the service as started (true) or draining (false).
func (r *Readiness) SetAccepting(accepting bool) { r.accepting.Store(accepting) }

// AddCheck registers a dependency check (e.g. a database ping) that must pass for readiness.
func (r *Readiness) AddCheck(name string, check Check) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks[name] = check
}

// Failing returns the sorted names of what is not ready; empty when the service is ready.
func (r *Readiness) Failing(ctx context.Context) []string {
	if !r.accepting.Load() {
		return []string{"accepting"}
	}
	r.mu.Lock()
	checks := make(map[string]Check, len(r.checks))
	for name, check := range r.checks {
		checks[name] = check
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		failing = []string{}
	)
	for name, check := range checks {
		wg.Add(1)
		go func(name string, check Check) {
			defer wg.Done()
			if !passes(ctx, check) {
				mu.Lock()
				failing = append(failing, name)
				mu.Unlock()
			}
		}(name, check)
	}
	wg.Wait()
	sort.Strings(failing)
	return failing
}

// passes runs one check, treating a panic or an overrun of the deadline as a failure.
func passes(ctx context.Context, check Check) (ok bool) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if recover() != nil {
				done <- context.Canceled
			}
		}()
		done <- check(ctx)
	}()
	select {
	case err := <-done:
		return err == nil
	case <-ctx.Done():
		return false
	}
}
