package exercises

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"reliability/01_retry/retry"
	"reliability/03_circuit_breaker/breaker"
	"reliability/06_composed_mini/compose"
	"reliability/flaky"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	errTransient = errors.New("503 service unavailable")
	errBadInput  = errors.New("400 bad request")
)

// stuckAfter is how long, in real time, a test may run before the
// watchdog decides the code under test is stuck. The tests themselves
// take milliseconds: everything that waits runs in virtual time.
const stuckAfter = 5 * time.Second

// bubble runs f in a synctest bubble, where time is virtual, with two
// safety nets, so that a wrong answer that hangs fails within seconds and
// says why instead of stalling go test for ten minutes:
//
//   - if every goroutine in the bubble is blocked on something that can
//     never happen, synctest panics; bubble turns that into a failure of
//     this test, with hint as the likely cause;
//   - a goroutine waiting for a sync.Mutex does not count as blocked to
//     synctest, and a loop that never sleeps never lets virtual time move;
//     after stuckAfter of real time, a watchdog fails the test and ends the
//     test binary (nothing can unblock the bubble from outside it).
func bubble(t *testing.T, hint string, f func(t *testing.T)) {
	t.Helper()
	began := time.Now()
	watchdog := time.AfterFunc(stuckAfter, func() {
		failStuck(t.Name(), time.Since(began), "the code under test is stuck: a loop that never waits, "+
			"or a lock that is never released. "+hint)
	})
	defer watchdog.Stop()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		switch msg := fmt.Sprint(r); {
		case strings.Contains(msg, "all goroutines in bubble are blocked"):
			t.Fatalf("a call never returned, and nothing could ever wake it (%v). %s", r, hint)
		case strings.Contains(msg, "main bubble goroutine has exited"):
			t.Fatalf("the test ended with a goroutine still blocked (%v). %s", r, hint)
		default:
			panic(r)
		}
	}()
	synctest.Test(t, f)
}

// failStuck reports test name as failed, with why and the goroutines of
// the moment, and ends the test binary. It prints the result line the
// testing package would print, framed for test2json when go test runs
// with -json, so that the failure is the test's and not only the
// package's.
func failStuck(name string, after time.Duration, why string) {
	frame := ""
	if v := flag.Lookup("test.v"); v != nil && v.Value.String() == "test2json" {
		frame = "\x16" // test2json's marker for result lines
	}
	stacks := make([]byte, 1<<16)
	stacks = stacks[:runtime.Stack(stacks, true)]
	fmt.Printf("%s--- FAIL: %s (%.2fs)\n    %s is still running after %v of real time: %s\n\n"+
		"    The goroutines at this moment:\n\n%s\n%sFAIL\n",
		frame, name, after.Seconds(), name, after.Round(time.Second), why, stacks, frame)
	os.Exit(1)
}

// step is what the fake dependency does on one call: wait (until its
// context ends, if that comes first), then return err.
type step struct {
	wait time.Duration
	err  error
}

// service is a scripted dependency: call n does script[n-1], and calls
// past the end repeat the last step. It records how long each call lasted
// and what its context's deadline allowed.
type service struct {
	mu      sync.Mutex
	script  []step
	calls   int
	allowed []time.Duration // the time each call's context allowed; 0 = no deadline
	lasted  []time.Duration
}

func newService(script ...step) *service { return &service{script: script} }

func (s *service) Call(ctx context.Context) error {
	s.mu.Lock()
	s.calls++
	st := s.script[min(s.calls, len(s.script))-1]
	var allowed time.Duration
	if d, ok := ctx.Deadline(); ok {
		allowed = time.Until(d)
	}
	s.allowed = append(s.allowed, allowed)
	s.mu.Unlock()

	start := time.Now()
	err := st.err
	if ctx.Err() != nil {
		err = ctx.Err() // a request with a dead context fails at once
	} else if st.wait > 0 {
		t := time.NewTimer(st.wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			err = ctx.Err()
		}
	}
	s.mu.Lock()
	s.lasted = append(s.lasted, time.Since(start))
	s.mu.Unlock()
	return err
}

func (s *service) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// errProbe is what the service of a probe returns.
var errProbe = errors.New("probe: the service answered")

// A probe asks one of the exercises' functions the simplest question there
// is, one that every attempt at an answer gets right at once and without
// waiting, and reports whether the function still answers like its stub:
// errNotImplemented or a zero value, without having called anything. want
// is what the function is for, in plain words.
type probe struct {
	want    string
	stubbed func() bool
}

var probes = map[string]probe{
	"Build": {
		"Build(svc, retry, timeout, breaker) returns svc wrapped in the three layers, in the order " +
			"where each attempt has its own timeout, the breaker sees every attempt, and an open breaker " +
			"ends the call at once",
		func() bool {
			var called atomic.Bool
			svc := func(context.Context) error { called.Store(true); return errProbe }
			same := func(next compose.Call) compose.Call { return next }
			call := Build(svc, same, same, same)
			if call == nil {
				return true
			}
			err := call(context.Background())
			return !called.Load() && (err == nil || errors.Is(err, errNotImplemented))
		},
	},
	"Retryable": {
		"Retryable(err) is true for an error worth another attempt (a transient failure, a timeout, an " +
			"error you have never seen) and false for nil, a breaker's refusal, a permanent error and a " +
			"cancellation",
		func() bool {
			return !Retryable(errTransient) && !Retryable(flaky.ErrTransient) && !Retryable(context.DeadlineExceeded)
		},
	},
	"DoThroughBreaker": {
		"DoThroughBreaker calls op through the breaker, retrying as the policy says the errors Retryable " +
			"accepts, and ends the call at once on any other",
		func() bool {
			var called atomic.Bool
			op := func(context.Context) error { called.Store(true); return nil }
			err := DoThroughBreaker(context.Background(), retry.Policy{MaxAttempts: 1}, breaker.New(breaker.Settings{}), op)
			return !called.Load() && (err == nil || errors.Is(err, errNotImplemented))
		},
	},
	"NewRatioBudget": {
		"NewRatioBudget(ratio, maxSaved) returns a budget that starts with maxSaved retries saved, earns " +
			"ratio of a retry per request and spends one per allowed retry",
		func() bool {
			b, err := NewRatioBudget(0.1, 5)
			return b == nil && (err == nil || errors.Is(err, errNotImplemented))
		},
	},
	"Split.Timeout": {
		"Split.Timeout gives the next attempt its share of the time left: what remains after the waits " +
			"still to come, shared by the attempts still to come, at most PerAttempt",
		func() bool {
			d, err := Split{Attempts: 1, PerAttempt: time.Second}.Timeout(context.Background(), 1)
			return d == 0 && (err == nil || errors.Is(err, errNotImplemented))
		},
	},
	"Split.Do": {
		"Split.Do calls op up to Attempts times, each under the timeout Split.Timeout gives, waiting " +
			"Backoff between attempts",
		func() bool {
			var called atomic.Bool
			op := func(context.Context) error { called.Store(true); return errProbe }
			err := Split{Attempts: 1, PerAttempt: time.Second}.Do(context.Background(), op)
			return !called.Load() && (err == nil || errors.Is(err, errNotImplemented))
		},
	},
}

// started fails the test at once while any of fns, the functions it needs,
// still answers like its stub: until there is code, there is no mistake to
// name, only the task. A probe that panics counts as started: the test
// itself will say what went wrong.
func started(t *testing.T, fns ...string) {
	t.Helper()
	for _, fn := range fns {
		p, ok := probes[fn]
		if !ok {
			panic("no probe for " + fn)
		}
		if stubbed(p) {
			t.Fatalf("not started: %s still answers like its stub. Want: %s.", fn, p.want)
		}
	}
}

func stubbed(p probe) (yes bool) {
	defer func() {
		if recover() != nil {
			yes = false
		}
	}()
	return p.stubbed()
}
