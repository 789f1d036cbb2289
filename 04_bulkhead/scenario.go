package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
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
	// sampleLag places each snapshot just after a request for A has
	// arrived (every sampleAt is on a beat), while a healthy A still holds
	// its slot. A's calls last 2ms to 3ms in every 10ms: a snapshot on the
	// beat itself, or at any moment picked without looking, would almost
	// never catch one, and the timeline would hide the very calls that the
	// bulkheads are there to protect.
	sampleLag = time.Millisecond
)

// What the callers are prepared to wait, in all, for an answer: A is the
// fast path with a tight budget, B a slower path with a looser one.
const (
	deadlineA = 20 * time.Millisecond
	deadlineB = 200 * time.Millisecond
)

// A healthy dependency answers in latency plus up to jitter, and fails
// one call in a hundred at random (the seed decides which), as a real
// one sometimes does: the demo says so, so that a healthy A at 98.9% is
// not mistaken for a bulkhead losing calls.
const (
	latency     = 2 * time.Millisecond
	jitter      = time.Millisecond
	failureRate = 0.01
	oneCallIn   = 100 // 1 / failureRate, for the narration
)

// How long a call may queue for a slot. The shared pool and A's own
// bulkhead let callers queue for longer than any of them will wait, so a
// queued caller leaves when its own deadline passes. B's own bulkhead
// lets nobody queue: when it is full, it refuses at once.
const (
	queueForSlot = time.Minute
	refuseAtOnce = 0
)

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
	requests   []request
	samples    []sample
	mostInside [2]int               // the most calls each dependency saw at once
	guards     []bulkhead.Interface // the bulkheads used: one shared, or A's and B's
}

// backend is one dependency on the virtual clock: a flaky service decides,
// in the order calls reach it, which ones fail, and the clock makes them
// wait for their answer.
type backend struct {
	svc        *flaky.Service
	latency    *rand.Rand // each call's latency, in the order calls reach it
	inside     int
	mostInside int
}

func newBackend(seed, stream uint64) *backend {
	return &backend{
		svc:     flaky.MustNew(flaky.Config{Seed: seed, FailureRate: failureRate}),
		latency: rand.New(rand.NewPCG(seed, stream)),
	}
}

// call is one request on its way through the run.
type call struct {
	index  int // in runResult.requests, which also orders calls that reach a dependency together
	req    request
	guard  bulkhead.Interface
	ctx    context.Context
	cancel context.CancelCauseFunc
	answer chan error // the dependency's answer, sent by the event loop
	inside bool       // in its dependency now; only the event loop reads and writes it
	ran    bool       // the bulkhead ran its op; only its own goroutine touches it
	done   atomic.Bool
}

// world is one run in progress.
type world struct {
	sim      *sim
	backends [2]*backend

	mu      sync.Mutex
	reached []*call // calls that reached their dependency during this event

	// Where the calls are, for settle's quick test: waiting for their
	// dependency's answer, or finished. The rest are queued in a bulkhead.
	answering, finished atomic.Int64
}

// errDeadline is the cause of a caller's context ending: its deadline on
// the virtual clock passed.
var errDeadline = errors.New("the caller's deadline passed")

// errMaxWaitFired is returned if a bulkhead's own maxWait timer, which
// runs on the real clock, refused a caller that was meant to leave at its
// deadline on the virtual one.
var errMaxWaitFired = errors.New("a bulkhead's maxWait timer, which runs on the real clock, " +
	"fired: the run took over a minute, and its numbers would not be a replay")

// run sends the traffic through guardA (for A) and guardB (for B), which
// are the same bulkhead for a shared pool.
func (s scenario) run(guardA, guardB bulkhead.Interface) (runResult, error) {
	r := runResult{requests: make([]request, 2*requests)}
	r.guards = []bulkhead.Interface{guardA}
	if guardB != guardA {
		r.guards = append(r.guards, guardB)
	}
	calls := make([]*call, len(r.requests))
	w := &world{sim: newSim()}
	w.backends[depA] = newBackend(s.seed, 1)
	w.backends[depB] = newBackend(s.seed+1, 2)
	w.sim.afterEach = w.enterDependencies
	w.sim.quiet = func(spawned int) bool {
		queued := 0
		for _, g := range r.guards {
			queued += g.Waiting()
		}
		return w.answering.Load()+w.finished.Load()+int64(queued) == int64(spawned)
	}

	end := time.Duration(requests)*beat + deadlineB
	for at := sampleAt + sampleLag; at <= end+sampleLag; at += sampleAt {
		w.sim.at(at, rankSample, func() bool {
			r.samples = append(r.samples, w.sample(at, r.guards))
			return false
		})
	}
	for i := range calls {
		req := request{dep: dependency(i % 2), at: time.Duration(i) * beat / 2}
		c := &call{index: i, req: req, guard: guardA, answer: make(chan error, 1)}
		if req.dep == depB {
			c.guard = guardB
		}
		calls[i] = c
		w.sim.at(req.at, rankArrive, func() bool {
			w.arrive(c)
			return true
		})
	}
	w.sim.run()

	maxWaitFired := false
	for i, c := range calls {
		r.requests[i] = c.req
		// guardA, the shared pool or A's own bulkhead, queues callers
		// for longer than their deadline: it cannot have refused one
		// unless its real-time timer fired.
		maxWaitFired = maxWaitFired || c.guard == guardA && c.req.outcome == refused
	}
	for d, b := range w.backends {
		r.mostInside[d] = b.mostInside
	}
	if maxWaitFired {
		return r, errMaxWaitFired
	}
	return r, nil
}

// arrive starts a call: its deadline starts running, and its goroutine
// asks the bulkhead for a slot.
func (w *world) arrive(c *call) {
	deadline := deadlineA
	if c.req.dep == depB {
		deadline = deadlineB
	}
	c.ctx, c.cancel = context.WithCancelCause(context.Background())
	w.sim.at(c.req.at+deadline, rankLeave, func() bool {
		c.cancel(errDeadline)
		w.leave(c)
		return !c.done.Load()
	})
	w.sim.spawn(func() { w.serve(c) })
}

// serve is the caller: it makes the request through its bulkhead and
// records how it ended.
func (w *world) serve(c *call) {
	defer func() {
		c.done.Store(true)
		w.finished.Add(1)
	}()
	err := c.guard.Execute(c.ctx, func(ctx context.Context) error {
		c.ran = true
		return w.callDependency(ctx, c)
	})
	c.req.latency = w.sim.Now() - c.req.at
	switch {
	case err == nil:
		c.req.outcome = succeeded
	case c.ran:
		c.req.outcome = failed
	case errors.Is(err, bulkhead.ErrBulkheadFull):
		c.req.outcome = refused
	default:
		c.req.outcome = gaveUp
	}
}

// callDependency is the op the bulkhead runs: it waits for the
// dependency's answer or for the caller's deadline.
func (w *world) callDependency(ctx context.Context, c *call) error {
	w.mu.Lock()
	w.reached = append(w.reached, c)
	w.mu.Unlock()
	w.answering.Add(1)
	defer w.answering.Add(-1)
	select {
	case err := <-c.answer:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enterDependencies runs after every event: each call that reached its
// dependency during the event is let in, and its answer is scheduled.
// The calls are taken in a fixed order, so the flaky services and the
// latencies draw in the same order on every run.
func (w *world) enterDependencies() {
	w.mu.Lock()
	reached := w.reached
	w.reached = nil
	w.mu.Unlock()
	slices.SortFunc(reached, func(a, b *call) int { return a.index - b.index })
	for _, c := range reached {
		b := w.backends[c.req.dep]
		c.inside = true
		b.inside++
		b.mostInside = max(b.mostInside, b.inside)
		if c.req.dep == depB && c.req.at >= slowFrom {
			continue // a slow B never answers: only the deadline ends the call
		}
		answer := b.svc.Call(context.Background()) // decides at once; the wait is the clock's
		d := latency + time.Duration(b.latency.Float64()*float64(jitter))
		w.sim.at(w.sim.Now()+d, rankLeave, func() bool {
			if !c.inside {
				return false // its deadline came first
			}
			c.answer <- answer
			w.leave(c)
			return true
		})
	}
}

// leave takes c out of its dependency, if it is in it.
func (w *world) leave(c *call) {
	if c.inside {
		c.inside = false
		w.backends[c.req.dep].inside--
	}
}

// sample reads the slots and the bulkheads' counters at one moment.
func (w *world) sample(at time.Duration, guards []bulkhead.Interface) sample {
	sm := sample{at: at, inA: w.backends[depA].inside, inB: w.backends[depB].inside}
	for _, g := range guards {
		st := g.Stats()
		sm.waiting += st.Waiting
		sm.rejected += st.Rejected
		sm.gaveUpN += st.GaveUp
	}
	return sm
}
