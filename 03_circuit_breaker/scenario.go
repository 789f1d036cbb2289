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
	outageStart time.Duration // when the outage starts, after the run starts
	outage      time.Duration // how long it lasts; 0 for none
	timeout     time.Duration // how long the breaker stays open
}

// Call i is due at i*beat, and the service answers in about half a beat.
const (
	beat          = 100 * time.Millisecond
	latency       = 48 * time.Millisecond
	latencyJitter = 4 * time.Millisecond
)

// Both breakers open after tripAfter failures in a row, and once half-open
// they let trials calls through, which must all succeed to close them.
const (
	tripAfter = 3
	trials    = 2
)

// How a run stays replayable. Which calls fail depends only on their
// number: the outage is a range of calls, and the random failures come
// from a seeded source, drawn call after call. The one thing that depends
// on the clock is when an open breaker turns half-open: Timeout after it
// opened, at the first call that looks. So when a breaker opens, its caller
// moves its next calls to half a beat after that moment, a beat apart: with
// a Timeout that is a multiple of the beat, the breaker then half-opens
// half a beat after one call and half a beat before the next. Only a call
// that is meant to meet the open breaker and comes more than half a beat
// late can change the run, and the run checks every such call (see
// runResult.slack).

// services are one caller's copy of the dependency: the same service, up
// or in its outage.
type services struct{ up, down *flaky.Service }

func (s scenario) services() services {
	return services{
		// A small random failure rate keeps the healthy stretches
		// realistic: one stray failure must not trip the breaker.
		up: flaky.MustNew(flaky.Config{Seed: s.seed, FailureRate: 0.05, Latency: latency, LatencyJitter: latencyJitter}),
		// In its outage the service still takes its time to fail.
		down: flaky.MustNew(flaky.Config{Seed: s.seed, Latency: latency, LatencyJitter: latencyJitter,
			OutageDuration: 24 * time.Hour}),
	}
}

func (sv services) stats() flaky.Stats {
	up, down := sv.up.Stats(), sv.down.Stats()
	return flaky.Stats{Calls: up.Calls + down.Calls, Successes: up.Successes + down.Successes, Failures: up.Failures + down.Failures}
}

// settings configures both breakers identically.
func (s scenario) settings(onStateChange func(name string, from, to breaker.State)) breaker.Settings {
	return breaker.Settings{
		Name:          "flaky",
		MaxRequests:   trials,
		Timeout:       s.timeout,
		ReadyToTrip:   func(c breaker.Counts) bool { return c.ConsecutiveFailures >= tripAfter },
		OnStateChange: onStateChange,
	}
}

// inOutage reports whether call i (from 0) is inside the outage.
func (s scenario) inOutage(i int) bool {
	at := time.Duration(i) * beat
	return s.outage > 0 && at >= s.outageStart && at < s.outageStart+s.outage
}

// outageCalls is the number of calls inside the outage.
func (s scenario) outageCalls() int {
	n := 0
	for i := range s.calls {
		if s.inOutage(i) {
			n++
		}
	}
	return n
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
	outage  bool          // inside the outage
	waited  time.Duration // how long the caller waited for an answer
}

// transition is a change of state, the call that caused it and when.
type transition struct {
	call     int
	from, to breaker.State
	at       time.Time
}

func (t transition) String() string { return fmt.Sprintf("call %d: %v -> %v", t.call, t.from, t.to) }

// runResult is everything one caller's run reports.
type runResult struct {
	marks       []mark
	stats       flaky.Stats // what the service saw
	fastFails   int
	transitions []transition
	log         string // the slog lines of the transitions

	// slack is the smallest margin by which a call meant to meet the open
	// breaker came before the breaker could have turned half-open, and
	// slackCall is that call (1-based; 0 if there was none). A negative
	// slack means that call may have met a half-open breaker instead, and
	// the run may differ from a replay.
	slack     time.Duration
	slackCall int
}

// meanWait is the mean time a caller waited for an answer, over all calls
// or only those inside the outage.
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
	transitions []transition
}

func (r *recorder) onStateChange(_ string, from, to breaker.State) {
	r.log.Info("state change", "call", r.call, "from", from, "to", to)
	r.transitions = append(r.transitions, transition{r.call, from, to, time.Now()})
}

// caller is one of the three callers: its own copy of the service, and the
// breaker in front of it (nil for none).
type caller struct {
	svc    services
	cb     breaker.CircuitBreaker
	rec    *recorder
	logOut strings.Builder
	res    runResult
}

func (s scenario) newCaller(newCB func(breaker.Settings) breaker.CircuitBreaker) *caller {
	c := &caller{svc: s.services()}
	if newCB != nil {
		// A narrator of its own, created as the run starts, stamps each
		// transition with the time since the start of this run.
		c.rec = &recorder{log: narrate.New(&c.logOut, false).Logger()}
		c.cb = newCB(s.settings(c.rec.onStateChange))
	}
	return c
}

// callOnce makes call number i (from 0) and returns when it reached the
// service (zero if it did not) and when it returned.
func (c *caller) callOnce(ctx context.Context, s scenario, i int) (reached, end time.Time) {
	m := mark{outage: s.inOutage(i)}
	svc := c.svc.up
	if m.outage {
		svc = c.svc.down
	}
	callService := func() error {
		reached = time.Now()
		return svc.Call(ctx)
	}
	start := time.Now()
	var err error
	if c.cb == nil {
		err = callService()
	} else {
		c.rec.call = i + 1
		m.state = c.cb.State()
		err = c.cb.Execute(callService)
	}
	end = time.Now()
	m.waited = end.Sub(start)
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
	return reached, end
}

// runCalls makes the caller's calls, one a beat, starting at start.
func (c *caller) runCalls(ctx context.Context, s scenario, start time.Time) {
	c.res.slack = s.timeout
	due := start
	// While the breaker is open: calls due before openUntil are meant to
	// meet it open, and it cannot turn half-open before halfOpenFrom.
	var openUntil, halfOpenFrom time.Time
	for i := range s.calls {
		time.Sleep(time.Until(due))
		seen := 0
		if c.rec != nil {
			seen = len(c.rec.transitions)
		}
		reached, end := c.callOnce(ctx, s, i)
		if due.Before(openUntil) {
			slack := halfOpenFrom.Sub(end)
			if m := c.res.marks[i]; m.state != breaker.StateOpen {
				slack = min(slack, -time.Nanosecond)
			}
			if slack < c.res.slack {
				c.res.slack, c.res.slackCall = slack, i+1
			}
		}
		due = due.Add(beat)
		if c.rec == nil {
			continue
		}
		for _, t := range c.rec.transitions[seen:] {
			if t.to != breaker.StateOpen {
				continue
			}
			// The breaker opened when this call's answer came back: at
			// the earliest latency after the call reached the service, at
			// the latest when the callback saw it. Move the next calls so
			// that the Timeout ends half a beat after one of them.
			due = t.at.Add(beat / 2)
			openUntil = t.at.Add(s.timeout)
			halfOpenFrom = reached.Add(latency + s.timeout)
		}
	}
}

// run makes the scenario's calls three times over, side by side: the
// caller without a breaker, the one through the hand-rolled breaker and the
// one through gobreaker, each with its own copy of the service, on the
// same beat.
func (s scenario) run() (plain, hand, lib runResult) {
	ctx := context.Background()
	callers := []*caller{
		s.newCaller(nil),
		s.newCaller(func(st breaker.Settings) breaker.CircuitBreaker { return breaker.New(st) }),
		s.newCaller(func(st breaker.Settings) breaker.CircuitBreaker { return breaker.NewLibrary(st) }),
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range callers {
		wg.Go(func() { c.runCalls(ctx, s, start) })
	}
	wg.Wait()
	for _, c := range callers {
		c.res.stats = c.svc.stats()
		if c.rec != nil {
			c.res.transitions = c.rec.transitions
			c.res.log = c.logOut.String()
		}
	}
	return callers[0].res, callers[1].res, callers[2].res
}
