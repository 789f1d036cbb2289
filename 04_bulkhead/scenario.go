package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"reliability/04_bulkhead/bulkhead"
	"reliability/flaky"
)

// The traffic. Every beat, one request for each dependency arrives: the
// one for A on the beat, the one for B half a beat later.
const (
	beat     = 10 * time.Millisecond
	requests = 120                    // per dependency: 1.2s of traffic
	slowFrom = 300 * time.Millisecond // B turns slow for requests arriving from here on
	sampleAt = 100 * time.Millisecond // the timeline shows the slots this often
)

// What the callers are prepared to wait, in all, for an answer: A is the
// fast path with a tight budget, B a slower path with a looser one.
const (
	deadlineA = 20 * time.Millisecond
	deadlineB = 200 * time.Millisecond
)

// maxWait is how long a call may queue for a slot, in every setup.
//
// The numbers are chosen so that no two events that matter fall on the
// same instant, which keeps a real-time run the same as the virtual-time
// run in the tests: requests arrive at 0 (A) and 5 (B) ms past each 10ms
// beat; healthy answers come 2 to 3ms after a call starts; a slow B call
// holds its slot until its caller's deadline, 5ms past a beat; a queued
// call leaves at its caller's deadline (A, 20ms) or at maxWait (B, 25ms),
// both on a beat; the timeline samples at 9ms past one.
const maxWait = 25 * time.Millisecond

// dependency names one of the two dependencies.
type dependency int

const (
	depA dependency = iota // fast, and stays fast
	depB                   // fast, then slow
)

func (d dependency) String() string { return [...]string{"A", "B"}[d] }

// scenario is one replayable run of the demo's traffic.
type scenario struct {
	seed    uint64
	workers int // slots in all: the shared pool's size, half each when split
}

// services are the dependencies of one run. B is two services, healthy
// before slowFrom and slow from then on, so each keeps its own counts.
type services struct {
	a, bHealthy, bSlow *flaky.Service
}

func (s scenario) services() services {
	healthy := func(seed uint64) *flaky.Service {
		return flaky.MustNew(flaky.Config{
			Seed: seed, FailureRate: 0.01, Latency: 2 * time.Millisecond, LatencyJitter: time.Millisecond,
		})
	}
	return services{
		a:        healthy(s.seed),
		bHealthy: healthy(s.seed + 1),
		// Far slower than any caller waits: every call ends at its
		// caller's deadline, holding its slot until then.
		bSlow: flaky.MustNew(flaky.Config{Seed: s.seed + 2, Latency: time.Second}),
	}
}

// outcome is how one request ended.
type outcome int

const (
	succeeded outcome = iota
	failed            // the dependency failed it or its deadline cut it off
	refused           // the bulkhead said ErrBulkheadFull
	gaveUp            // the caller's deadline passed while it waited for a slot
)

// request is one request as its caller saw it.
type request struct {
	dep     dependency
	at      time.Duration // arrival, from the start of the run
	latency time.Duration // until the caller had its answer, whatever it was
	outcome outcome
}

// sample is the state of the slots at one moment.
type sample struct {
	at                time.Duration
	inA, inB          int // calls inside A and inside B
	waiting           int
	rejected, gaveUpN uint64 // so far
}

// runResult is everything one run reports.
type runResult struct {
	requests []request
	samples  []sample
	services services
	guards   []bulkhead.Interface // the bulkheads used: one shared, or A's and B's
}

// run sends the traffic through guardA (for A) and guardB (for B), which
// are the same bulkhead for a shared pool.
func (s scenario) run(guardA, guardB bulkhead.Interface) runResult {
	r := runResult{services: s.services(), requests: make([]request, 2*requests)}
	r.guards = []bulkhead.Interface{guardA}
	if guardB != guardA {
		r.guards = append(r.guards, guardB)
	}
	start := time.Now()

	var wg sync.WaitGroup
	wg.Go(func() { r.samples = s.sampleSlots(start, r) })
	for i := range r.requests {
		req := request{dep: dependency(i % 2), at: time.Duration(i) * beat / 2}
		// Keep to the schedule whatever the previous request cost.
		time.Sleep(time.Until(start.Add(req.at)))
		guard := guardA
		if req.dep == depB {
			guard = guardB
		}
		wg.Go(func() { r.requests[i] = s.call(req, guard, r.services) })
	}
	wg.Wait()
	return r
}

// call makes one request through its guard and records how it ended.
func (s scenario) call(req request, guard bulkhead.Interface, svcs services) request {
	svc, deadline := svcs.a, deadlineA
	if req.dep == depB {
		svc, deadline = svcs.bHealthy, deadlineB
		if req.at >= slowFrom {
			svc = svcs.bSlow
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()

	ran := false
	start := time.Now()
	err := guard.Execute(ctx, func(ctx context.Context) error {
		ran = true
		return svc.Call(ctx)
	})
	req.latency = time.Since(start)
	switch {
	case err == nil:
		req.outcome = succeeded
	case ran:
		req.outcome = failed
	case errors.Is(err, bulkhead.ErrBulkheadFull):
		req.outcome = refused
	default:
		req.outcome = gaveUp
	}
	return req
}

// sampleSlots looks at the slots every sampleAt, 1ms before each mark,
// when no request is arriving, finishing or leaving a queue.
func (s scenario) sampleSlots(start time.Time, r runResult) []sample {
	var samples []sample
	end := time.Duration(requests)*beat + deadlineB
	for at := sampleAt; at <= end; at += sampleAt {
		time.Sleep(time.Until(start.Add(at - time.Millisecond)))
		sm := sample{
			at:  at,
			inA: r.services.a.Stats().InFlight,
			inB: r.services.bHealthy.Stats().InFlight + r.services.bSlow.Stats().InFlight,
		}
		for _, g := range r.guards {
			st := g.Stats()
			sm.waiting += st.Waiting
			sm.rejected += st.Rejected
			sm.gaveUpN += st.GaveUp
		}
		samples = append(samples, sm)
	}
	return samples
}
