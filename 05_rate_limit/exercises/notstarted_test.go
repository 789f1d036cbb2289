package exercises

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"reliability/05_rate_limit/ratelimit"
)

// An untouched stub, or an answer that still gives what the stub gives
// (a zero value, errNotImplemented, next unchanged), has not been started.
// The tests say so, with what they expect, instead of guessing at a
// mistake that was never made. The checks below recognise each stub's
// answer; each test calls its exercise's check where its first failure
// would be reported.

// notStarted fails t at once with the plain expectation.
func notStarted(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Fatalf("not started: "+format, args...)
}

// refillUntouched: Refill returns 0 even for tokens it only has to keep.
func refillUntouched() bool {
	return Refill(1.5, at(0), at(0), 1, 10) == 0 && Refill(0, at(0), at(2), 1, 10) == 0
}

// allowNUntouched: AllowN refuses everything, even n = 0 from a new
// bucket, even an hour later.
func allowNUntouched() bool {
	b := &Bucket{Rate: 1, Burst: 1}
	return !b.AllowN(at(0), 0) && !b.AllowN(at(0), 1) && !b.AllowN(at(3600), 1)
}

// startedWaitN fails t as not started when WaitN returned the stub's
// errNotImplemented.
func startedWaitN(t *testing.T, err error, want string) {
	t.Helper()
	if errors.Is(err, errNotImplemented) {
		notStarted(t, "WaitN returned %q; want %s", err, want)
	}
}

// startedLimit fails t as not started when Limit hands every request to
// next and never takes a token, as the stub's return next does.
func startedLimit(t *testing.T, want string) {
	t.Helper()
	lim := ratelimit.NewLimiter(1, 1)
	reached := 0
	h := Limit(lim, func() time.Time { return t0 }, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached++ }))
	for range 3 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if w.Code != http.StatusOK {
			return
		}
	}
	if reached == 3 && lim.TokensAt(t0) == 1 {
		notStarted(t, "Limit passes every request to next and takes no token; want %s", want)
	}
}

// clientsUntouched: Clients refuses a new client's first request and
// holds no one.
func clientsUntouched() bool {
	c := &Clients{Rate: 1, Burst: 1, Idle: time.Hour, Max: 10}
	return !c.Allow("probe", at(0)) && c.Len() == 0
}
