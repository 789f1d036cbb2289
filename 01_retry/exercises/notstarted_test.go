package exercises

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"
)

// An untouched stub, or an answer that still gives what the stub gives
// (0, false, errNotImplemented), has not been started: there is no
// mistake to name yet, only the task. Every test calls started with the
// function it checks before anything else, and fails at once with the
// plain expectation while that function still answers like its stub.

// stubProbe asks a function the simplest question there is and reports
// whether it answered like its stub, and says what a started answer does.
type stubProbe struct {
	stubbed func() bool
	want    string
}

// errProbe is what a probe's op returns.
var errProbe = errors.New("probe: op failed")

var stubProbes = map[string]stubProbe{
	"CappedDelay": {
		func() bool {
			for k := 1; k <= 4; k++ {
				if CappedDelay(100*ms, 10*time.Second, 2, k) != 0 {
					return false
				}
			}
			return true
		},
		"initial · multiplier^(k-1), capped at maxDelay: 100ms, 200ms, 400ms, 800ms for " +
			"initial 100ms, multiplier 2 and k = 1 to 4",
	},
	"FullJitter": {
		func() bool {
			called := false
			randN := func(n int64) int64 { called = true; return n - 1 }
			return FullJitter(time.Second, randN) == 0 && !called
		},
		"a delay drawn with randN, uniform in [0, capped]: with capped 1s, randN(n) answering " +
			"n-1 gives 1s",
	},
	"DecorrelatedJitter": {
		func() bool {
			called := false
			randN := func(int64) int64 { called = true; return 0 }
			return DecorrelatedJitter(100*ms, 10*time.Second, 100*ms, randN) == 0 && !called
		},
		"a delay drawn with randN, uniform in [base, min(maxDelay, 3·prev)]: at least base, " +
			"so 100ms when base is 100ms and randN answers 0",
	},
	"Retry": {
		func() (stub bool) {
			calls := 0
			err := Retry(context.Background(), 3, time.Second, func(context.Context) error {
				if calls++; calls > maxCalls {
					panic("a loop that never stops has started") // recovered by started
				}
				return errProbe
			})
			return calls == 0 && (err == nil || errors.Is(err, errNotImplemented))
		},
		"Retry calls op up to attempts times, waiting delay in between, and returns nil " +
			"once op succeeds; an op that always fails is called attempts times",
	},
	"MayRetry": {
		func() bool {
			for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPost} {
				r := httptest.NewRequest(method, "/orders", nil)
				if method == http.MethodPost {
					r.Header.Set("Idempotency-Key", "probe-1")
				}
				if MayRetry(r) {
					return false
				}
			}
			return true
		},
		"true for the idempotent methods (GET, PUT, DELETE ...) and for a request with an " +
			"Idempotency-Key, false for a POST without one",
	},
	"ParseRetryAfter": {
		func() bool {
			for _, v := range []string{"120", now.Add(time.Minute).Format(http.TimeFormat)} {
				if d, ok := ParseRetryAfter(v, now); d != 0 || ok {
					return false
				}
			}
			return true
		},
		`("120", now) gives (2m0s, true), an HTTP date a minute after now gives (1m0s, true), ` +
			"and a value that is neither gives (0, false)",
	},
}

// started fails t at once while fn, the function the test checks, still
// answers like its stub. The probe runs in a bubble of its own, so that an
// answer that waits costs no real time; one that panics, deadlocks or
// answers otherwise counts as started, and the test itself says what went
// wrong. Call it first in the test, outside any bubble.
func started(t *testing.T, fn string) {
	t.Helper()
	p, ok := stubProbes[fn]
	if !ok {
		panic("no probe for " + fn)
	}
	stub := false
	func() {
		defer func() { _ = recover() }() // a deadlock in the bubble
		synctest.Test(t, func(*testing.T) {
			defer func() { _ = recover() }() // a panic in the answer
			stub = p.stubbed()
		})
	}()
	if stub {
		t.Fatalf("not started: %s still answers like its stub. Want: %s.", fn, p.want)
	}
}
