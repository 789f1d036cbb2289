package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky"
)

// scenario is one replayable run: a caller that calls a flaky service on a
// fixed beat, through a breaker or without one, while the service goes
// through an outage.
type scenario struct {
	seed        uint64
	calls       int           // how many calls the caller makes
	every       time.Duration // the beat: call i starts at i*every
	outageStart time.Duration // when the outage starts, after the service starts
	outage      time.Duration // how long it lasts
	timeout     time.Duration // how long the breaker stays open
}

// service is the dependency. A small random failure rate keeps the healthy
// stretches realistic: one stray failure must not trip the breaker.
func (s scenario) service() *flaky.Service {
	return flaky.MustNew(flaky.Config{
		Seed:           s.seed,
		FailureRate:    0.05,
		Latency:        2 * time.Millisecond,
		LatencyJitter:  2 * time.Millisecond,
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
	outage  bool // scheduled inside the outage window
}

// runResult is everything a run reports.
type runResult struct {
	marks       []mark
	stats       flaky.Stats // what the service saw
	fastFails   int
	transitions []string // "call 17: closed -> open", in order
}

// recorder logs state changes and remembers them with the number of the
// call that caused them, so two runs can be compared.
type recorder struct {
	log         *slog.Logger
	start       time.Time // when the run started
	call        int       // the call being made
	transitions []string
}

func (r *recorder) onStateChange(name string, from, to breaker.State) {
	at := time.Since(r.start).Round(time.Millisecond)
	r.log.Info("state change", "breaker", name, "call", r.call, "at", at, "from", from, "to", to)
	r.transitions = append(r.transitions, fmt.Sprintf("call %d: %v -> %v", r.call, from, to))
}

// run makes the scenario's calls through cb, or straight to the service if
// cb is nil. rec must be the recorder cb reports to (nil without cb).
func (s scenario) run(cb breaker.CircuitBreaker, rec *recorder) runResult {
	ctx := context.Background()
	svc := s.service()
	start := time.Now()
	if rec != nil {
		rec.start = start
	}
	var res runResult
	for i := range s.calls {
		// Keep to the beat whatever the previous call cost, so a
		// fast-failed call does not pull the next one earlier.
		time.Sleep(time.Until(start.Add(time.Duration(i) * s.every)))
		m := mark{outage: s.inOutage(i)}
		var err error
		if cb == nil {
			err = svc.Call(ctx)
		} else {
			rec.call = i + 1
			m.state = cb.State()
			err = cb.Execute(func() error { return svc.Call(ctx) })
		}
		switch {
		case errors.Is(err, breaker.ErrOpenState), errors.Is(err, breaker.ErrTooManyRequests):
			m.outcome = rejected
			res.fastFails++
		case err != nil:
			m.outcome = failed
		default:
			m.outcome = succeeded
		}
		res.marks = append(res.marks, m)
	}
	res.stats = svc.Stats()
	if rec != nil {
		res.transitions = rec.transitions
	}
	return res
}
