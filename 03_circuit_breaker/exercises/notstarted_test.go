package exercises

import (
	"context"
	"errors"
	"testing"
	"time"

	"reliability/03_circuit_breaker/breaker"
)

// An untouched stub, or an answer that still gives what the stub gives
// (errNotImplemented, StateClosed, false), has not been started: there is
// no mistake to name yet, only the task. Every test calls started with
// the names it checks before anything else (after lockwatch.Guard, so
// that an answer stuck on its lock still fails within seconds), and fails
// at once with the plain expectation while one of them still answers like
// its stub.

// stubProbe asks an exercise the simplest question there is and reports
// whether it answered like its stub, and says what a started answer does.
type stubProbe struct {
	stubbed func() bool
	want    string
}

// callProbe reports whether call answered like the breakers' stub: it
// returned nil or errNotImplemented without running fn, on a new breaker.
func callProbe(call func(func() error) error) bool {
	ran := false
	err := call(func() error { ran = true; return nil })
	return !ran && (err == nil || errors.Is(err, errNotImplemented))
}

var stubProbes = map[string]stubProbe{
	"ConsecutiveBreaker": {
		func() bool { return callProbe((&ConsecutiveBreaker{Threshold: 3}).Call) },
		"a closed breaker runs fn and returns its error; after Threshold failures in a row " +
			"it opens, and Call returns breaker.ErrOpenState without running fn",
	},
	"CooldownBreaker": {
		func() bool { return callProbe((&CooldownBreaker{Threshold: 3, Cooldown: time.Second}).Call) },
		"a closed breaker runs fn and returns its error; it opens after Threshold failures " +
			"in a row, and after Cooldown lets a trial call through (half-open)",
	},
	"TrialGate": {
		func() bool { return !(&TrialGate{MaxProbes: 2}).Admit() },
		"a new gate admits MaxProbes trial calls (Admit returns true), then refuses; " +
			"MaxProbes successes close it, one failure re-opens it",
	},
	"FailureRatioTrip": {
		func() bool {
			trip := FailureRatioTrip(1, 0.5)
			for _, c := range []breaker.Counts{
				{Requests: 10, TotalFailures: 10, ConsecutiveFailures: 10},
				{Requests: 4, TotalSuccesses: 2, TotalFailures: 2},
			} {
				if trip(c) {
					return false
				}
			}
			return true
		},
		"a ReadyToTrip that is true once at least minResults calls have finished and " +
			"failures / finished >= ratio: 10 failures out of 10 trips at ratio 0.5",
	},
	"IsSuccessful": {
		func() bool { return !IsSuccessful(nil) && !IsSuccessful(&HTTPError{StatusCode: 404}) },
		"true for nil and for an *HTTPError with a 4xx status other than 429, " +
			"false for everything else",
	},
	"IsExcluded": {
		func() bool { return !IsExcluded(context.Canceled) },
		"true for context.Canceled (the caller gave up), false for everything else",
	},
}

// started fails t at once while one of names, the exercise types and
// functions the test checks, still answers like its stub. A probe that
// panics counts as started: the test itself will say what went wrong.
func started(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		p, ok := stubProbes[name]
		if !ok {
			panic("no probe for " + name)
		}
		if stubbed(p) {
			t.Fatalf("not started: %s still answers like its stub. Want: %s.", name, p.want)
		}
	}
}

func stubbed(p stubProbe) (yes bool) {
	defer func() {
		if recover() != nil {
			yes = false
		}
	}()
	return p.stubbed()
}
