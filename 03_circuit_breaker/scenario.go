package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// scenario is one replayable run: three callers that call a flaky service
// on a fixed beat while the service goes through an outage, one straight
// to the service and one through each breaker.
type scenario struct {
	seed        uint64
	calls       int           // how many calls each caller makes
	every       time.Duration // the beat: call i starts at i*every
	outageStart time.Duration // when the outage starts, after the service starts
	outage      time.Duration // how long it lasts
	timeout     time.Duration // how long the breaker stays open
}

// The service takes 9 to 11ms per call, about half of the 20ms beat. A
// breaker trips or re-opens when a call's answer comes back, so with a
// Timeout that is a multiple of the beat it turns half-open about halfway
// between two calls, never just as one is made. A call that wakes a few
// milliseconds late, as real timers do on a busy machine, then still meets
// the same state, and a seed replays the same run.
const (
	latency       = 9 * time.Millisecond
	latencyJitter = 2 * time.Millisecond
)

// service is the dependency. A small random failure rate keeps the healthy
// stretches realistic: one stray failure must not trip the breaker.
func (s scenario) service() *flaky.Service {
	return flaky.MustNew(flaky.Config{
		Seed:           s.seed,
		FailureRate:    0.05,
		Latency:        latency,
		LatencyJitter:  latencyJitter,
		OutageStart:    s.outageStart,
		OutageDuration: s.outage,
	})
}

// settings configures both breakers identically.
func (s scenario) settings(onStateChange func(name string, from, to breaker.State)) breaker.Settings {
	return breaker.Settings{
		Name: "flaky",
		// Two trial calls must succeed before traffic flows again.
		MaxRequests: 2,
		Timeout:     s.timeout,
		// Three failures in a row: a 5% random failure rate almost never
		// does that, an outage does it at once.
		ReadyToTrip:   func(c breaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		OnStateChange: onStateChange,
	}
}

// inOutage reports whether call i is scheduled inside the outage window.
func (s scenario) inOutage(i int) bool {
	at := time.Duration(i) * s.every
	return at >= s.outageStart && at < s.outageStart+s.outage
}

// outcome is what happened to one call, as the timeline draws it.
type outcome byte

const (
	succeeded outcome = '.'
	failed    outcome = 'x'
	rejected  outcome = '-' // failed fast: the breaker did not call the service
)

// mark is one call on the timeline.
type mark struct {
	state   breaker.State // the breaker's state when the call arrived
	outcome outcome
	outage  bool          // scheduled inside the outage window
	waited  time.Duration // how long the caller waited for an answer
}

// runResult is everything one caller's run reports.
type runResult struct {
	marks       []mark
	stats       flaky.Stats // what the service saw
	fastFails   int
	transitions []string // "call 18: closed -> open", in order
	log         string   // the slog lines of the transitions, time from the run's start
}

// meanWait is the mean time a caller waited for an answer, over all calls
// or only those scheduled inside the outage.
func (r runResult) meanWait(outageOnly bool) time.Duration {
	var sum time.Duration
	n := 0
	for _, m := range r.marks {
		if outageOnly && !m.outage {
			continue
		}
		sum += m.waited
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / time.Duration(n)
}

// recorder logs state changes and remembers them with the number of the
// call that caused them, so two runs can be compared.
type recorder struct {
	log         *slog.Logger
	call        int // the call being made
	transitions []string
}

func (r *recorder) onStateChange(name string, from, to breaker.State) {
	r.log.Info("state change", "breaker", name, "call", r.call, "from", from, "to", to)
	r.transitions = append(r.transitions, fmt.Sprintf("call %d: %v -> %v", r.call, from, to))
}

// caller is one of the three callers: its own copy of the service, and the
// breaker in front of it (nil for none).
type caller struct {
	svc    *flaky.Service
	cb     breaker.CircuitBreaker
	rec    *recorder
	logOut strings.Builder
	res    runResult
}

func (s scenario) newCaller(newCB func(breaker.Settings) breaker.CircuitBreaker) *caller {
	c := &caller{svc: s.service()}
	if newCB != nil {
		// A narrator of its own, created as the run starts, stamps each
		// transition with the time since the start of this run.
		c.rec = &recorder{log: narrate.New(&c.logOut, false).Logger()}
		c.cb = newCB(s.settings(c.rec.onStateChange))
	}
	return c
}

// call makes call number i (from 0).
func (c *caller) call(ctx context.Context, s scenario, i int) {
	m := mark{outage: s.inOutage(i)}
	var start time.Time
	var err error
	if c.cb == nil {
		start = time.Now()
		err = c.svc.Call(ctx)
	} else {
		c.rec.call = i + 1
		m.state = c.cb.State()
		start = time.Now()
		err = c.cb.Execute(func() error { return c.svc.Call(ctx) })
	}
	m.waited = time.Since(start)
	switch {
	case errors.Is(err, breaker.ErrOpenState), errors.Is(err, breaker.ErrTooManyRequests):
		m.outcome = rejected
		c.res.fastFails++
	case err != nil:
		m.outcome = failed
	default:
		m.outcome = succeeded
	}
	c.res.marks = append(c.res.marks, m)
}

// run makes the scenario's calls three times over, in lockstep: on every
// beat, the caller without a breaker, the one through the hand-rolled
// breaker and the one through gobreaker each make their call at the same
// moment, to their own copy of the service. Both breakers thus see the
// same clock, as in the package's differential test, and a timer that
// fires late delays both alike instead of making them disagree.
func (s scenario) run() (plain, hand, lib runResult) {
	ctx := context.Background()
	callers := []*caller{
		s.newCaller(nil),
		s.newCaller(func(st breaker.Settings) breaker.CircuitBreaker { return breaker.New(st) }),
		s.newCaller(func(st breaker.Settings) breaker.CircuitBreaker { return breaker.NewLibrary(st) }),
	}
	start := time.Now()
	for i := range s.calls {
		// Keep to the beat whatever the previous call cost, so a
		// fast-failed call does not pull the next one earlier.
		time.Sleep(time.Until(start.Add(time.Duration(i) * s.every)))
		var wg sync.WaitGroup
		for _, c := range callers {
			wg.Go(func() { c.call(ctx, s, i) })
		}
		wg.Wait()
	}
	for _, c := range callers {
		c.res.stats = c.svc.Stats()
		if c.rec != nil {
			c.res.transitions = c.rec.transitions
			c.res.log = c.logOut.String()
		}
	}
	return callers[0].res, callers[1].res, callers[2].res
}
