package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
	"reliability/04_bulkhead/bulkhead"
	"reliability/06_composed_mini/compose"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// The schedule. One request every beat, on its own goroutine, whether the
// previous one has finished or not, like traffic from many users. The
// service has replicas, and a call sometimes lands on a sick one, which
// hangs and then fails; during the outage every replica is sick. The
// outage follows the schedule: a request scheduled inside it finds the
// service down for every one of its attempts.
//
// Every decision that depends on the clock is kept well away from the
// moment it is compared with, so that a timer that fires a little late on
// a busy machine changes no count and a seed replays the same run. The
// tightest margins: a healthy call takes 1ms of its 40ms timeout (39ms to
// spare); a request through the chain takes at most 135ms of its 200ms
// beat, so requests never overlap, and decides whether a third attempt
// fits its 150ms deadline with 55ms to spare; the breaker trips either
// 40ms into a beat (a failed trial) or 120ms to 135ms into it (three
// failed attempts) and, open for a whole number of beats, turns half-open
// at that same point of a later beat, 40ms after a request arrives or 65ms
// before the next one; a request behind the bulkhead frees its slot 65ms
// or more before the next one arrives. Up to five timers (three attempts
// and two waits) run one after another before such a decision, so the
// margins hold while no timer fires more than about 10ms late: see
// lateWarning. Which calls land on a sick replica is drawn per request and
// attempt, not in the order calls arrive, so the callers that retry
// without a timeout, whose requests overlap, meet the same fate on every
// run too.
const (
	beat          = 200 * time.Millisecond
	healthyBefore = time.Second     // the outage starts here
	recoveryAfter = 2 * time.Second // requests after the outage
)

// The service.
const (
	latency  = time.Millisecond       // a healthy call
	sickRate = 0.1                    // calls that land on a sick replica
	hang     = 240 * time.Millisecond // a sick call hangs, then fails
)

// The chain's numbers: 3 attempts of at most 40ms with waits of at most
// 5ms and 10ms take at most 135ms, inside the 150ms deadline.
const (
	attempts       = 3
	initialDelay   = 5 * time.Millisecond
	maxDelay       = 20 * time.Millisecond
	attemptTimeout = 40 * time.Millisecond
	deadline       = 150 * time.Millisecond
	tripAfter      = 3
	openFor        = 1600 * time.Millisecond
	trials         = 2
	bulkheadSlots  = 2 // requests in flight at once, for the bulkhead caller
)

// scenario is one replayable run of every caller.
type scenario struct {
	seed   uint64
	outage time.Duration // how long the service is down, a multiple of beat
}

func (s scenario) requests() int {
	return int((healthyBefore + s.outage + recoveryAfter) / beat)
}

// inOutage reports whether request i is scheduled inside the outage.
func (s scenario) inOutage(i int) bool {
	at := time.Duration(i) * beat
	return at >= healthyBefore && at < healthyBefore+s.outage
}

// outageRequests is how many requests are scheduled inside the outage.
// An outage that ends mid-beat includes the request in that beat: 3.5s
// from 1s is 18 requests, at 1s, 1.2s, ... 4.4s.
func (s scenario) outageRequests() int {
	n := 0
	for i := range s.requests() {
		if s.inOutage(i) {
			n++
		}
	}
	return n
}

// firstAfter is the first request scheduled after the outage.
func (s scenario) firstAfter() int { return int((healthyBefore + s.outage) / beat) }

// transient is what every retrying caller retries: the service's
// transient failures and attempts cut off by their timeout.
func transient(err error) bool {
	return errors.Is(err, flaky.ErrTransient) || errors.Is(err, timeout.ErrTimeout)
}

// policy is the retry policy of every caller. Its jitter is drawn from
// randN, so the seed decides every wait.
func policy(randN func(int64) int64) retry.Policy {
	return retry.Policy{MaxAttempts: attempts, InitialDelay: initialDelay, MaxDelay: maxDelay, Rand: randN}
}

// lockedRand is a seeded source that several goroutines may draw from.
type lockedRand struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newRand(seed, stream uint64) *lockedRand {
	return &lockedRand{rng: rand.New(rand.NewPCG(seed, stream))}
}

func (r *lockedRand) Int64N(n int64) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rng.Int64N(n)
}

// sick reports whether attempt a (from 1) of request i lands on a sick
// replica: always during the outage, otherwise with probability sickRate,
// drawn from the seed, the request and the attempt alone.
func (s scenario) sick(i, a int) bool {
	if s.inOutage(i) {
		return true
	}
	return rand.New(rand.NewPCG(s.seed, uint64(i)<<16|uint64(a))).Float64() < sickRate
}

// caller is one of the side-by-side runs: how it wraps the service, and
// what happened to its requests.
type caller struct {
	name  string
	about string
	// wrap puts the caller's patterns around request i's call.
	wrap func(i int, svc compose.Call) compose.Call

	healthy, sick *flaky.Service // the service's replicas

	current atomic.Int64 // the request being made, for the breaker's log

	mu       sync.Mutex
	idle     sync.Cond // signalled when inFlight drops to 0; uses mu
	results  []result  // by request; calls is guarded by mu
	inFlight int       // calls at the service right now
	peak     int       // the most calls at the service at once
	changes  []string  // "req 10: closed -> open", in order

	log    strings.Builder // the breaker's transitions, as slog lines
	logger *slog.Logger    // writes to log, times from the run's start
}

// result is what one request saw.
type result struct {
	calls   int // calls that reached the service
	outcome outcome
	latency time.Duration
}

type outcome byte

const (
	succeeded outcome = '.'
	failed    outcome = 'x'
	fastFail  outcome = '-' // refused by a breaker or bulkhead: no call was made
)

func (s scenario) newCaller(name, about string) *caller {
	c := &caller{
		name:    name,
		about:   about,
		healthy: flaky.MustNew(flaky.Config{Latency: latency}),
		sick:    flaky.MustNew(flaky.Config{Latency: hang, OutageDuration: math.MaxInt64}),
		results: make([]result, s.requests()),
	}
	c.idle.L = &c.mu
	return c
}

// settle waits until no call of c's is at the service any more. A timeout
// returns at its deadline and leaves the call to finish on its own, so a
// request can be over while its last call is still winding down.
func (c *caller) settle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.inFlight > 0 {
		c.idle.Wait()
	}
}

// onStateChange logs a breaker transition with the request that caused it.
func (c *caller) onStateChange(_ string, from, to breaker.State) {
	req := c.current.Load()
	c.logger.Info("breaker", "run", c.name, "req", req, "from", from, "to", to)
	c.mu.Lock()
	c.changes = append(c.changes, fmt.Sprintf("req %d: %v -> %v", req, from, to))
	c.mu.Unlock()
}

// chainSettings is the full chain, for the hand-rolled and the failsafe-go
// caller alike. Each gets its own seeded source, so both draw the same
// waits; their requests never overlap, so the draws come in order.
func (s scenario) chainSettings(c *caller) compose.Settings {
	return compose.Settings{
		Deadline:       deadline,
		Retry:          new(policy(newRand(s.seed, 1).Int64N)),
		RetryIf:        transient,
		AttemptTimeout: attemptTimeout,
		Breaker: &compose.BreakerSettings{Name: c.name, Failures: tripAfter, OpenFor: openFor, Trials: trials,
			OnStateChange: c.onStateChange},
	}
}

// callers builds the side-by-side runs. The callers without a breaker
// overlap during the outage (their requests outlast the beat), so each of
// their requests draws its jitter from a source of its own.
func (s scenario) callers() ([]*caller, error) {
	perRequest := func(i int) retry.Policy { return policy(newRand(s.seed, 2+uint64(i)).Int64N) }

	bare := s.newCaller("bare", "the service, called directly")
	bare.wrap = func(_ int, svc compose.Call) compose.Call { return svc }

	retrying := s.newCaller("retry", fmt.Sprintf("%d attempts, waits up to %v and %v, full jitter",
		attempts, initialDelay, 2*initialDelay))
	retrying.wrap = func(i int, svc compose.Call) compose.Call {
		return compose.Chain(svc, compose.Retry(perRequest(i), compose.RetryIf(transient)))
	}

	timed := s.newCaller("retry+timeout", fmt.Sprintf("+ %v per attempt, %v per request", attemptTimeout, deadline))
	timed.wrap = func(i int, svc compose.Call) compose.Call {
		return compose.Chain(svc, compose.Timeout(deadline),
			compose.Retry(perRequest(i), compose.RetryIf(transient)), compose.Timeout(attemptTimeout))
	}

	hand := s.newCaller("chain", fmt.Sprintf("+ breaker: %d failures open it for %v, %d trials",
		tripAfter, openFor, trials))
	handChain, err := s.chainSettings(hand).HandRolled()
	if err != nil {
		return nil, err
	}
	hand.wrap = func(_ int, svc compose.Call) compose.Call { return handChain(svc) }

	lib := s.newCaller("failsafe-go", "the same chain, built with failsafe-go")
	libChain, err := s.chainSettings(lib).Failsafe()
	if err != nil {
		return nil, err
	}
	lib.wrap = func(_ int, svc compose.Call) compose.Call { return libChain(svc) }

	// The bulkhead sits outside the retries, so each request holds its slot
	// through all its attempts: it caps what the slow service can tie up.
	// A slot comes free 40ms or more before a request arrives.
	bh := s.newCaller("bulkhead", fmt.Sprintf("retry, at most %d requests in flight, no waiting", bulkheadSlots))
	slots, err := bulkhead.New(bulkheadSlots, 0)
	if err != nil {
		return nil, err
	}
	bh.wrap = func(i int, svc compose.Call) compose.Call {
		return compose.Chain(svc, compose.Bulkhead(slots), compose.Retry(perRequest(i), compose.RetryIf(transient)))
	}

	return []*caller{bare, retrying, timed, hand, lib, bh}, nil
}

// request makes request i through c.
func (c *caller) request(ctx context.Context, s scenario, i int) {
	r := &c.results[i]
	counted := func(ctx context.Context) error {
		c.mu.Lock()
		r.calls++
		a := r.calls
		c.inFlight++
		c.peak = max(c.peak, c.inFlight)
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			if c.inFlight--; c.inFlight == 0 {
				c.idle.Broadcast()
			}
			c.mu.Unlock()
		}()
		if s.sick(i, a) {
			return c.sick.Call(ctx)
		}
		return c.healthy.Call(ctx)
	}
	c.current.Store(int64(i))
	start := time.Now()
	err := c.wrap(i, counted)(ctx)
	r.latency = time.Since(start)
	switch {
	case err == nil:
		r.outcome = succeeded
	case errors.Is(err, breaker.ErrOpenState), errors.Is(err, breaker.ErrTooManyRequests),
		errors.Is(err, bulkhead.ErrBulkheadFull):
		r.outcome = fastFail
	default:
		r.outcome = failed
	}
}

// lateWarning is how late a timer may fire before the demo says that the
// machine is too busy for its counts to be trusted. The margins described
// at the top of this file are 39ms or more for one timer, but up to five
// timers run one after another before a decision (three attempts and two
// waits before the breaker trips, 65ms ahead of the next request), so
// each may be late by little more than a fifth of that.
const lateWarning = 10 * time.Millisecond

// watchTick is how often the timer watch samples the machine.
const watchTick = 5 * time.Millisecond

// run makes every request of every caller: request i of each caller starts
// at i beats, all callers at the same moment, each against its own copy
// of the service. It returns the latest that any timer fired during the
// run: a request's start, or a timer that a goroutine of its own sets
// every few milliseconds, which stands for the timers inside the requests
// (timeouts, waits, the service's latency) that cannot be watched one by
// one. In virtual time nothing is ever late.
func (s scenario) run(callers []*caller) (late time.Duration) {
	stop := make(chan struct{})
	watched := make(chan time.Duration)
	go func() { watched <- watchTimers(stop) }()

	// The breakers' logs count from the start of the run, not from when
	// the callers were built: in step mode a class may sit at the first
	// pause for minutes in between.
	for _, c := range callers {
		c.logger = narrate.New(&c.log, false).Logger()
	}
	ctx := context.Background()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range s.requests() {
		at := start.Add(time.Duration(i) * beat)
		time.Sleep(time.Until(at))
		late = max(late, time.Since(at))
		for _, c := range callers {
			wg.Go(func() { c.request(ctx, s, i) })
		}
	}
	wg.Wait()
	for _, c := range callers {
		c.settle()
	}
	close(stop)
	return max(late, <-watched)
}

// watchTimers sets a timer every watchTick until stop is closed, and
// returns the latest any of them fired.
func watchTimers(stop <-chan struct{}) (late time.Duration) {
	t := time.NewTimer(watchTick)
	defer t.Stop()
	due := time.Now().Add(watchTick)
	for {
		select {
		case <-stop:
			return late
		case <-t.C:
			late = max(late, time.Since(due))
			due = time.Now().Add(watchTick)
			t.Reset(watchTick)
		}
	}
}
