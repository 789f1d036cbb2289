package main

import (
	"container/heap"
	"errors"
	"math/rand/v2"
	"time"

	"reliability/01_retry/retry"
	"reliability/06_composed_mini/compose"
	"reliability/flaky"
)

// The overload experiment (-overload). Clients send requests at a steady
// rate to one server of finite capacity (flaky.Server); for two seconds
// the server runs at a quarter of its speed. The question is what happens
// after those two seconds: with plain retries the server stays down, with
// any of four other defences it comes back.
//
// The run is a discrete-event simulation on a virtual clock: the server is
// flaky's capacity model, and the clients' decisions are made by the same
// objects the compose layers use (compose.Throttle for the retry budget,
// compose.AdaptiveThrottle, lesson 01's retry.Policy for the backoff),
// driven from the simulation's events instead of from goroutines. So the
// numbers are the same on every machine, and the whole experiment takes a
// fraction of a second. overload_test.go runs the real compose chains
// against flaky.Capacity in a testing/synctest bubble, with the same
// seeds, and checks that they reach the same verdicts with nearly the
// same numbers.
const (
	ovWorkers     = 8
	ovServiceTime = 40 * time.Millisecond // 8 workers: 200 requests/s
	ovRate        = 150                   // requests per second: 75% of capacity
	ovSlowStart   = 3 * time.Second
	ovSlowFor     = 2 * time.Second
	ovSlowFactor  = 4 // a quarter of the speed
	ovRunFor      = 15 * time.Second
	ovStep        = 500 * time.Millisecond // one column of the timeline

	ovAttemptTimeout = 250 * time.Millisecond // what a caller waits for one attempt
	ovDeadline       = time.Second            // for the whole request, retries included
	ovAttempts       = 3
	ovInitialDelay   = 50 * time.Millisecond

	ovQueueLimit = 25 // shedding: at full speed, a 125ms wait at most

	ovTripAfter = 5 // breaker: failures in a row
	ovOpenFor   = time.Second

	ovK           = 2
	ovWindow      = 500 * time.Millisecond
	ovMinRequests = 20

	ovBudgetTokens = 10 // gRPC's retry throttling: 10 tokens, 0.1 back
	ovBudgetRatio  = 0.1

	// ovRecovered is the share of its goodput before the trigger a run
	// must get back, and keep to the end, to count as recovered.
	ovRecovered = 0.9
)

// ovEpoch is where the virtual clock starts.
var ovEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// defence names what a run adds to the plain client.
type defence int

const (
	noDefence defence = iota
	budgetDefence
	breakerDefence
	adaptiveDefence
	sheddingDefence
)

// ovRun is one of the experiment's runs.
type ovRun struct {
	name     string
	about    string
	attempts int
	defence  defence
}

var ovRuns = []ovRun{
	{"no retries", "one attempt per request", 1, noDefence},
	{"retries x3", "up to 3 attempts, backoff from 50ms", ovAttempts, noDefence},
	{"retry budget", "retries x3, with gRPC's 10-token budget", ovAttempts, budgetDefence},
	{"breaker", "retries x3 -> timeout -> breaker (5 fails)", ovAttempts, breakerDefence},
	{"adaptive K=2", "retries x3 -> timeout -> adaptive throttle", ovAttempts, adaptiveDefence},
	{"shedding", "retries x3; the server drops expired work,", ovAttempts, sheddingDefence},
}

// ovResult is what one run measured.
type ovResult struct {
	run      ovRun
	requests int   // requests offered by the clients
	ok       []int // per column: requests arriving in it that succeeded
	offered  []int // per column: requests arriving in it
	failed   int   // requests not answered in time
	sent     int   // attempts that reached the server
	retries  int   // of those, retries
	local    int   // attempts refused on the client (breaker, throttle)
	server   flaky.CapacityStats
	queue    []int // per column: the longest queue
	history  []flaky.Sample
	goodput  []float64 // per column: ok / offered
	before   float64   // goodput before the trigger
	after    float64   // goodput over the last quarter of the run
	recover  time.Duration
}

// recovered reports whether the run got its goodput back.
func (r ovResult) recovered() bool { return r.recover >= 0 }

// ovRequest is one request as its client sees it.
type ovRequest struct {
	arrived  time.Time
	deadline time.Time
	attempts int
	prev     time.Duration // the previous backoff
	done     bool
	ok       bool
}

// ovAttempt is one attempt in flight on the server.
type ovAttempt struct {
	req        *ovRequest
	generation uint64 // the breaker's, when it let the attempt through
	done       bool
}

// ovEvent is something the simulation does at a given time.
type ovEvent struct {
	at  time.Time
	seq int
	fn  func()
}

type ovQueue []*ovEvent

func (q ovQueue) Len() int { return len(q) }
func (q ovQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q ovQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *ovQueue) Push(x any)   { *q = append(*q, x.(*ovEvent)) }
func (q *ovQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// ovSim is one run in progress.
type ovSim struct {
	run    ovRun
	now    time.Time
	events ovQueue
	seq    int
	srv    *flaky.Server
	rng    *rand.Rand
	policy retry.Policy

	inFlight map[int]*ovAttempt
	requests []*ovRequest

	budget   *compose.Throttle
	breaker  *ovBreaker
	adaptive *compose.AdaptiveThrottle

	sent, local int
}

// errOvTimeout is an attempt's timeout, as the throttles are told of it.
var errOvTimeout = errors.New("attempt timed out")

// simulate runs r with the given seed. The arrivals and the jitter come
// from the seed, so every run of a seed sees the same requests arrive at
// the same instants.
func simulate(r ovRun, seed uint64) ovResult {
	srv, err := flaky.NewServer(flaky.CapacityConfig{
		Seed:        seed,
		Workers:     ovWorkers,
		ServiceTime: ovServiceTime,
		QueueLimit:  map[bool]int{true: ovQueueLimit}[r.defence == sheddingDefence],
		DropExpired: r.defence == sheddingDefence,
		SlowStart:   ovSlowStart,
		SlowFor:     ovSlowFor,
		SlowFactor:  ovSlowFactor,
		SampleEvery: ovStep,
	}, ovEpoch)
	if err != nil {
		panic(err) // the configuration is a literal
	}
	jitter := rand.New(rand.NewPCG(seed, 0x0b1e))
	s := &ovSim{
		run:      r,
		now:      ovEpoch,
		srv:      srv,
		rng:      rand.New(rand.NewPCG(seed, 0xa771)),
		inFlight: map[int]*ovAttempt{},
		policy: retry.Policy{
			MaxAttempts:  r.attempts,
			InitialDelay: ovInitialDelay,
			Jitter:       retry.FullJitter,
			Rand:         jitter.Int64N,
		},
	}
	switch r.defence {
	case budgetDefence:
		s.budget, err = compose.NewThrottle(ovBudgetTokens, ovBudgetRatio)
	case breakerDefence:
		s.breaker = &ovBreaker{tripAfter: ovTripAfter, openFor: ovOpenFor}
	case adaptiveDefence:
		draws := rand.New(rand.NewPCG(seed, 0xada9))
		s.adaptive, err = compose.NewAdaptiveThrottle(compose.AdaptiveSettings{
			K: ovK, Window: ovWindow, MinRequests: ovMinRequests, Rand: draws.Float64,
			Now: func() time.Time { return s.now },
		})
	}
	if err != nil {
		panic(err)
	}

	s.nextArrival(0)
	s.loop()
	return s.result()
}

// nextArrival schedules the request after one at t: Poisson arrivals,
// exponential gaps with a mean of 1/ovRate. One at a time keeps the event
// queue short.
func (s *ovSim) nextArrival(t time.Duration) {
	t += time.Duration(s.rng.ExpFloat64() / ovRate * float64(time.Second))
	if t >= ovRunFor {
		return
	}
	at := ovEpoch.Add(t)
	s.at(at, func() {
		s.arrive(at)
		s.nextArrival(t)
	})
}

// at schedules fn at t.
func (s *ovSim) at(t time.Time, fn func()) {
	s.seq++
	heap.Push(&s.events, &ovEvent{at: t, seq: s.seq, fn: fn})
}

// loop runs the events in time order, the server's among them: a worker
// that finishes at t is free for an arrival at t.
func (s *ovSim) loop() {
	for s.events.Len() > 0 {
		next := s.events[0].at
		if t, ok := s.srv.Next(); ok && !t.After(next) {
			s.now = t
			s.finished(s.srv.Advance(t))
			continue
		}
		ev := heap.Pop(&s.events).(*ovEvent)
		s.now = ev.at
		ev.fn()
	}
	// Every request has ended. Let the server finish what it still holds,
	// so that the wasted work it is committed to is counted too.
	for {
		t, ok := s.srv.Next()
		if !ok {
			break
		}
		s.now = t
		s.finished(s.srv.Advance(t))
	}
}

// arrive is a new request.
func (s *ovSim) arrive(at time.Time) {
	r := &ovRequest{arrived: at, deadline: at.Add(ovDeadline)}
	s.requests = append(s.requests, r)
	if s.budget != nil {
		s.budget.OnRequest()
	}
	s.attempt(r)
}

// attempt makes r's next attempt, if the client's defences let it.
func (s *ovSim) attempt(r *ovRequest) {
	// The Retry layer asks the budget when a retry is about to start,
	// after its backoff: ErrRetryThrottled is final.
	if s.budget != nil && r.attempts > 0 && !s.budget.AllowRetry() {
		s.end(r, false)
		return
	}
	var generation uint64
	if s.breaker != nil {
		g, ok := s.breaker.allow(s.now)
		if !ok {
			s.local++
			s.end(r, false) // ErrOpenState is final
			return
		}
		generation = g
	}
	if s.adaptive != nil && !s.adaptive.Allow() {
		s.local++
		s.end(r, false) // ErrThrottledLocally is final
		return
	}
	r.attempts++
	s.sent++
	deadline := s.now.Add(ovAttemptTimeout)
	if r.deadline.Before(deadline) {
		deadline = r.deadline
	}
	a := &ovAttempt{req: r, generation: generation}
	id, err := s.srv.Arrive(s.now, deadline)
	if err != nil { // the queue is full: refused at once
		s.failed(a)
		return
	}
	s.inFlight[id] = a
	s.at(deadline, func() {
		if !a.done {
			delete(s.inFlight, id)
			s.failed(a)
		}
	})
}

// finished hears from the server. Only an answer in time reaches a
// client still waiting; a late one or a dropped one found its caller
// gone, and the attempt's timeout has already been counted.
func (s *ovSim) finished(done []flaky.Finished) {
	for _, f := range done {
		a, ok := s.inFlight[f.ID]
		if !ok {
			continue
		}
		delete(s.inFlight, f.ID)
		if f.Outcome != flaky.InTime || a.done {
			continue
		}
		a.done = true
		if s.budget != nil {
			s.budget.OnResult(true)
		}
		if s.breaker != nil {
			s.breaker.record(s.now, a.generation, true)
		}
		if s.adaptive != nil {
			s.adaptive.Done(nil)
		}
		s.end(a.req, true)
	}
}

// failed is an attempt that timed out or was refused: tell the
// defences, then retry as the policy says, never past the request's
// deadline.
func (s *ovSim) failed(a *ovAttempt) {
	a.done = true
	r := a.req
	if s.budget != nil {
		s.budget.OnResult(false)
	}
	if s.breaker != nil {
		s.breaker.record(s.now, a.generation, false)
	}
	if s.adaptive != nil {
		s.adaptive.Done(errOvTimeout)
	}
	if r.attempts >= s.run.attempts || !s.now.Before(r.deadline) {
		s.end(r, false)
		return
	}
	delay := s.policy.Delay(r.attempts, r.prev, nil)
	r.prev = delay
	if r.deadline.Sub(s.now) <= delay { // retry.Do's rule: no time left
		s.end(r, false)
		return
	}
	s.at(s.now.Add(delay), func() { s.attempt(r) })
}

func (s *ovSim) end(r *ovRequest, ok bool) {
	r.done, r.ok = true, ok
}

// result sums the run up.
func (s *ovSim) result() ovResult {
	cols := int(ovRunFor / ovStep)
	res := ovResult{
		run:      s.run,
		requests: len(s.requests),
		ok:       make([]int, cols),
		offered:  make([]int, cols),
		queue:    make([]int, cols),
		sent:     s.sent,
		local:    s.local,
		server:   s.srv.Stats(),
		history:  s.srv.History(),
	}
	for _, r := range s.requests {
		c := int(r.arrived.Sub(ovEpoch) / ovStep)
		res.offered[c]++
		if r.ok {
			res.ok[c]++
		} else {
			res.failed++
		}
		res.retries += max(0, r.attempts-1)
	}
	for i, h := range s.srv.History() {
		if i < cols {
			res.queue[i] = h.Stats.Queued
		}
	}
	res.goodput, res.before, res.after, res.recover = goodputVerdict(res.ok, res.offered)
	return res
}

// goodputVerdict turns the requests answered in time (ok) and made
// (offered), per column of arrivals, into the goodput of each column, the
// goodput before the slowdown and over the last quarter of the run, and
// when the run recovered: the first column, from the end of the slowdown
// on, from which every column keeps at least ovRecovered of the goodput
// before (-1: none).
func goodputVerdict(ok, offered []int) (goodput []float64, before, after float64, recover time.Duration) {
	cols := len(ok)
	goodput = make([]float64, cols)
	for c := range cols {
		goodput[c] = ratio(ok[c], offered[c])
	}
	before = share(ok, offered, 0, int(ovSlowStart/ovStep))
	after = share(ok, offered, cols-cols/4, cols)
	recover = -1
	end := int((ovSlowStart + ovSlowFor) / ovStep)
	for c := cols - 1; c >= end; c-- {
		if goodput[c] < ovRecovered*before {
			break
		}
		recover = time.Duration(c-end) * ovStep
	}
	return goodput, before, after, recover
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// share is the ratio of the sums of ok and offered over columns [from, to).
func share(ok, offered []int, from, to int) float64 {
	a, b := 0, 0
	for c := from; c < to; c++ {
		a += ok[c]
		b += offered[c]
	}
	return ratio(a, b)
}

// ovBreaker is the breaker of the chain in the simulation, with the rule
// of lesson 03's breaker.New as compose.Settings.HandRolled configures it:
// it opens after tripAfter failed attempts in a row, stays open for
// openFor, then lets one trial attempt through; the trial's success closes
// it and its failure opens it again. Like lesson 03's, it counts a result
// only in the generation (the stretch of one state) it was let through
// in, so attempts sent before it opened cannot close it again. Lesson
// 03's breaker reads time.Now, which a simulation cannot move, hence this
// copy of its rule; overload_test.go checks it against the real one.
type ovBreaker struct {
	tripAfter  int
	openFor    time.Duration
	state      int // 0 closed, 1 open, 2 half-open
	failures   int
	openedAt   time.Time
	trial      bool // the half-open trial is in flight
	generation uint64
}

// moveOn turns an open breaker half-open once openFor has passed: strictly
// after, as lesson 03's (and gobreaker) do.
func (b *ovBreaker) moveOn(now time.Time) {
	if b.state == 1 && now.After(b.openedAt.Add(b.openFor)) {
		b.set(2, now)
	}
}

func (b *ovBreaker) allow(now time.Time) (uint64, bool) {
	b.moveOn(now)
	switch {
	case b.state == 1, b.state == 2 && b.trial:
		return 0, false
	case b.state == 2:
		b.trial = true
	}
	return b.generation, true
}

func (b *ovBreaker) record(now time.Time, generation uint64, ok bool) {
	b.moveOn(now)
	if generation != b.generation {
		return
	}
	switch {
	case ok && b.state == 2:
		b.set(0, now)
	case ok:
		b.failures = 0
	case b.state == 2:
		b.set(1, now)
	default:
		b.failures++
		if b.failures >= b.tripAfter {
			b.set(1, now)
		}
	}
}

func (b *ovBreaker) set(state int, now time.Time) {
	b.state, b.failures, b.trial = state, 0, false
	b.generation++
	if state == 1 {
		b.openedAt = now
	}
}

// ovCell draws one column of the goodput timeline.
func ovCell(g float64) string {
	switch {
	case g >= ovRecovered:
		return "█"
	case g >= 0.6:
		return "▆"
	case g >= 0.3:
		return "▃"
	case g > 0:
		return "▁"
	}
	return "·"
}
