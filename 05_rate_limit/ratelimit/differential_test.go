package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"
)

// The differential test is the proof behind the package's promise: for any
// sequence of calls and times, Limiter and x/time/rate's Limiter give the
// same answers. A trace is a list of operations drawn from a chooser (a
// seeded random source in normal runs, the fuzzer's bytes under go test
// -fuzz), replayed on both limiters side by side inside a synctest bubble,
// so that Allow, Tokens, Reserve and WaitN, which read the clock, see the
// same time. After every operation the test compares what both returned
// and the tokens both hold, bit for bit.

const (
	diffSeeds        = 16   // traces per normal run
	diffStepsPerSeed = 1000 // operations per trace: 16,000 in all
	maxHeldWaits     = 3    // WaitN calls blocked at once
	maxReservations  = 4    // reservations kept for a later cancel
)

// chooser supplies a trace's decisions.
type chooser interface {
	intn(n int) int // a number in [0, n)
	more() bool     // whether the trace may take another step
}

type randomChooser struct {
	r     *rand.Rand
	steps int
}

func (c *randomChooser) intn(n int) int { return c.r.IntN(n) }
func (c *randomChooser) more() bool {
	c.steps--
	return c.steps >= 0
}

// byteChooser turns fuzzer input into decisions; the trace ends when the
// bytes run out.
type byteChooser struct{ data []byte }

func (c *byteChooser) intn(n int) int {
	if len(c.data) == 0 {
		return 0
	}
	v := int(c.data[0]) % n
	c.data = c.data[1:]
	return v
}
func (c *byteChooser) more() bool { return len(c.data) > 0 }

func pick[T any](c chooser, options ...T) T { return options[c.intn(len(options))] }

// The values a trace draws from: the edge cases the promise names (a zero
// or negative limit, Inf and even +Inf, tiny and huge rates; burst 0 and a
// negative burst; n = 0, n above the burst, a negative n) mixed with
// ordinary ones.
var (
	diffLimits = []Limit{0, Inf, 1e-10, 0.001, 0.5, 1, 3, 7.3, 10, 100, 1e9, -1,
		Every(7 * time.Millisecond), Limit(math.Inf(1)), Limit(math.SmallestNonzeroFloat64)}
	diffBursts = []int{0, 1, 1, 2, 3, 5, 10, 1000, -1}
	// offsets of an explicit time from the bubble's clock: often the
	// present, sometimes the past (time going backwards), sometimes the
	// future.
	diffOffsets = []time.Duration{0, 0, 0, 0, -time.Nanosecond, -time.Millisecond, -time.Second,
		-time.Hour, time.Nanosecond, time.Millisecond, 7 * time.Millisecond, 100 * time.Millisecond,
		time.Second, time.Hour, 1000 * time.Hour}
	diffSleeps = []time.Duration{time.Nanosecond, time.Millisecond, 7 * time.Millisecond,
		50 * time.Millisecond, 100 * time.Millisecond, time.Second, 10 * time.Second}
)

func drawN(c chooser, burst int) int {
	return pick(c, 0, 1, 1, 1, 1, 2, 3, burst, burst, burst+1, -1)
}

// deadlineCtx is a context with a deadline that ends only when the trace
// says so. A real context.WithDeadline would end on a timer of its own,
// and when that timer and WaitN's fire at the same instant, which one
// wins is up to the scheduler; here the trace first lets time reach the
// deadline, waits for everything due then, and only then ends it.
type deadlineCtx struct {
	context.Context
	deadline time.Time
	done     chan struct{}
}

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *deadlineCtx) Done() <-chan struct{}       { return c.done }
func (c *deadlineCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// heldWait is a WaitN call on both limiters with one shared context.
type heldWait struct {
	desc    string
	started time.Time
	end     func() // ends the context: cancel, or the deadline passing
	dctx    *deadlineCtx
	hand    chan waitResult
	lib     chan waitResult
	ended   bool
}

type waitResult struct {
	err  error
	took time.Duration
}

// handClass and libClass name an error from WaitN. The hand-rolled one
// must wrap its sentinels; the library's have only their text.
func handClass(err error) string {
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, ErrBurstExceeded):
		return "burst exceeded"
	case errors.Is(err, ErrWouldExceedDeadline):
		return "would exceed deadline"
	case err == context.Canceled:
		return "canceled"
	case err == context.DeadlineExceeded:
		return "deadline exceeded"
	}
	return "unexpected: " + err.Error()
}

func libClass(err error) string {
	switch {
	case err == nil:
		return "nil"
	case strings.Contains(err.Error(), "exceeds limiter's burst"):
		return "burst exceeded"
	case strings.Contains(err.Error(), "would exceed context deadline"):
		return "would exceed deadline"
	case err == context.Canceled:
		return "canceled"
	case err == context.DeadlineExceeded:
		return "deadline exceeded"
	}
	return "unexpected: " + err.Error()
}

// sameFloat compares two token counts bit for bit (NaN equals NaN: a +Inf
// rate makes both limiters compute 0 * +Inf).
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// coverage tallies what the traces reached, so that a generator that
// stops reaching a corner fails the test instead of passing quietly.
type coverage struct {
	mu     sync.Mutex
	counts map[string]int
}

func newCoverage() *coverage { return &coverage{counts: map[string]int{}} }

func (c *coverage) note(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[what]++
}

// runTrace replays one trace on both limiters and fails t at the first
// difference. It must run inside a synctest bubble. It returns the number
// of operations replayed.
func runTrace(t *testing.T, c chooser, cov *coverage) int {
	t.Helper()
	var hand *Limiter
	var lib *rate.Limiter
	var desc string
	if c.intn(12) == 0 {
		hand, lib, desc = &Limiter{}, &rate.Limiter{}, "zero Limiter"
	} else {
		l, b := pick(c, diffLimits...), pick(c, diffBursts...)
		hand, lib = NewLimiter(l, b), rate.NewLimiter(rate.Limit(l), b)
		desc = fmt.Sprintf("NewLimiter(%v, %d)", l, b)
	}

	type reservationPair struct {
		desc string
		hand *Reservation
		lib  *rate.Reservation
	}
	var (
		history      []string
		reservations []reservationPair
		held         []*heldWait
	)
	fail := func(format string, args ...any) {
		t.Helper()
		from := max(0, len(history)-20)
		t.Fatalf("%s\nlast operations (times relative to the start of the trace):\n  %s\n%s",
			desc, strings.Join(history[from:], "\n  "), fmt.Sprintf(format, args...))
	}
	start := time.Now()
	at := func(d time.Duration) time.Time { return time.Now().Add(d) }
	rel := func(tm time.Time) time.Duration { return tm.Sub(start) }
	log := func(format string, args ...any) {
		history = append(history, fmt.Sprintf("[%v] ", rel(time.Now()))+fmt.Sprintf(format, args...))
	}
	sameBool := func(what string, h, l bool) {
		t.Helper()
		if h != l {
			fail("%s: hand-rolled %v, x/time/rate %v", what, h, l)
		}
	}
	sameDelay := func(what string, h, l time.Duration) {
		t.Helper()
		if h != l {
			fail("%s: hand-rolled %v, x/time/rate %v", what, h, l)
		}
	}
	// collect compares the held waits that have returned; both sides must
	// return in the same step, with the same error, after the same time.
	collect := func() {
		t.Helper()
		synctest.Wait()
		kept := held[:0]
		for _, w := range held {
			var hr, lr *waitResult
			select {
			case r := <-w.hand:
				hr = &r
			default:
			}
			select {
			case r := <-w.lib:
				lr = &r
			default:
			}
			switch {
			case hr == nil && lr == nil:
				kept = append(kept, w)
				continue
			case hr == nil:
				fail("%s: x/time/rate returned %v after %v, hand-rolled still waits", w.desc, lr.err, lr.took)
			case lr == nil:
				fail("%s: hand-rolled returned %v after %v, x/time/rate still waits", w.desc, hr.err, hr.took)
			}
			if hc, lc := handClass(hr.err), libClass(lr.err); hc != lc || hr.took != lr.took {
				fail("%s returned differently:\n  hand-rolled  %s after %v\n  x/time/rate  %s after %v",
					w.desc, hc, hr.took, lc, lr.took)
			}
			log("%s returned %s after %v", w.desc, handClass(hr.err), hr.took)
			switch {
			case hr.err == nil && hr.took > 0:
				cov.note("wait returned after a delay")
			case hr.err != nil && hr.took > 0:
				cov.note("wait ended by its context, tokens given back")
			}
		}
		held = kept
	}

	steps := 0
trace:
	for c.more() {
		op := c.intn(24)
		// An operation that cannot happen becomes one that can, so that
		// every step drawn does something.
		switch {
		case op >= 19 && op < 21 && len(held) == maxHeldWaits:
			op = 21
		case op >= 21 && len(held) == 0:
			op = 19
		case op >= 12 && op < 14 && len(reservations) == 0:
			op = 10
		}
		burst := hand.Burst()
		switch {
		case op < 4: // AllowN at an explicit time
			off, n := pick(c, diffOffsets...), drawN(c, burst)
			if departs(hand, at(off), n) {
				break trace
			}
			h, l := hand.AllowN(at(off), n), lib.AllowN(at(off), n)
			log("AllowN(now%+v, %d) = %v", off, n, h)
			sameBool(fmt.Sprintf("AllowN(now%+v, %d)", off, n), h, l)
			cov.note(fmt.Sprintf("allow %v", h))
			if off < 0 {
				cov.note("a time earlier than the one before")
			}
		case op < 5:
			if departs(hand, time.Now(), 1) {
				break trace
			}
			h, l := hand.Allow(), lib.Allow()
			log("Allow() = %v", h)
			sameBool("Allow()", h, l)
		case op < 7: // TokensAt, sometimes in the past or the future
			off := pick(c, diffOffsets...)
			h, l := hand.TokensAt(at(off)), lib.TokensAt(at(off))
			log("TokensAt(now%+v) = %v", off, h)
			if !sameFloat(h, l) {
				fail("TokensAt(now%+v): hand-rolled %v, x/time/rate %v", off, h, l)
			}
		case op < 10: // ReserveN, or Reserve
			var hr *Reservation
			var lr *rate.Reservation
			var what string
			if op == 9 {
				if departs(hand, time.Now(), 1) {
					break trace
				}
				what = "Reserve()"
				hr, lr = hand.Reserve(), lib.Reserve()
			} else {
				off, n := pick(c, diffOffsets...), drawN(c, burst)
				if departs(hand, at(off), n) {
					break trace
				}
				what = fmt.Sprintf("ReserveN(now%+v, %d)", off, n)
				hr, lr = hand.ReserveN(at(off), n), lib.ReserveN(at(off), n)
			}
			sameBool(what+".OK()", hr.OK(), lr.OK())
			for _, off := range []time.Duration{0, pick(c, diffOffsets...)} {
				sameDelay(fmt.Sprintf("%s.DelayFrom(now%+v)", what, off), hr.DelayFrom(at(off)), lr.DelayFrom(at(off)))
			}
			sameDelay(what+".Delay()", hr.Delay(), lr.Delay())
			log("%s: OK %v, delay %v", what, hr.OK(), hr.Delay())
			switch {
			case !hr.OK():
				cov.note("reservation not OK")
			case hr.Delay() > 0:
				cov.note("reservation with a delay")
			}
			what = fmt.Sprintf("reservation %d (%s)", steps, what)
			reservations = append(reservations, reservationPair{what, hr, lr})
			if len(reservations) > maxReservations {
				reservations = reservations[1:]
			}
		case op < 12: // time passes
			d := pick(c, diffSleeps...)
			time.Sleep(d)
			log("sleep %v", d)
		case op < 14: // a reservation is cancelled, maybe not for the first time
			i := c.intn(len(reservations))
			p := reservations[i]
			before := hand.Tokens()
			if c.intn(3) == 0 {
				p.hand.Cancel()
				p.lib.Cancel()
				log("%s.Cancel()", p.desc)
			} else {
				off := pick(c, diffOffsets...)
				p.hand.CancelAt(at(off))
				p.lib.CancelAt(at(off))
				log("%s.CancelAt(now%+v)", p.desc, off)
			}
			if hand.Tokens() > before {
				cov.note("cancel gave tokens back")
			}
		case op < 16: // the limit changes
			l := pick(c, diffLimits...)
			if c.intn(2) == 0 {
				hand.SetLimit(l)
				lib.SetLimit(rate.Limit(l))
				log("SetLimit(%v)", l)
			} else {
				off := pick(c, diffOffsets...)
				hand.SetLimitAt(at(off), l)
				lib.SetLimitAt(at(off), rate.Limit(l))
				log("SetLimitAt(now%+v, %v)", off, l)
			}
			cov.note(fmt.Sprintf("limit set to %v", l))
		case op < 17: // the burst changes
			b := pick(c, diffBursts...)
			if c.intn(2) == 0 {
				hand.SetBurst(b)
				lib.SetBurst(b)
				log("SetBurst(%d)", b)
			} else {
				off := pick(c, diffOffsets...)
				hand.SetBurstAt(at(off), b)
				lib.SetBurstAt(at(off), b)
				log("SetBurstAt(now%+v, %d)", off, b)
			}
		case op < 19: // more tokens asked of Tokens and AllowN at once
			h, l := hand.Tokens(), lib.Tokens()
			if !sameFloat(h, l) {
				fail("Tokens(): hand-rolled %v, x/time/rate %v", h, l)
			}
			log("Tokens() = %v", h)
		case op < 21: // a WaitN starts
			for _, n := range []int{0, 1, 2, 3, burst, burst + 1, -1} { // drawN's
				if departs(hand, time.Now(), n) {
					break trace
				}
			}
			w := startWait(c, hand, lib, burst, steps)
			log("%s starts", w.desc)
			held = append(held, w)
			collect()
		default: // a held wait's context ends
			w := held[c.intn(len(held))]
			if w.ended {
				// Already ended and returned? collect removed it. Ended
				// but still here cannot happen: ending wakes it.
				fail("%s: its context ended but it did not return", w.desc)
			}
			if w.dctx != nil {
				// Let time reach the deadline first, and everything due by
				// then happen, as it would with a real deadline.
				time.Sleep(max(0, time.Until(w.dctx.deadline)))
				collect()
				if !contains(held, w) {
					break
				}
			}
			w.ended = true
			w.end()
			log("%s: context ends", w.desc)
		}
		collect()

		if h, l := hand.Limit(), lib.Limit(); !sameFloat(float64(h), float64(l)) {
			fail("Limit(): hand-rolled %v, x/time/rate %v", h, l)
		}
		if h, l := hand.Burst(), lib.Burst(); h != l {
			fail("Burst(): hand-rolled %v, x/time/rate %v", h, l)
		}
		if h, l := hand.Tokens(), lib.Tokens(); !sameFloat(h, l) {
			fail("tokens now differ: hand-rolled %v, x/time/rate %v", h, l)
		}
		switch hand.Limit() {
		case Inf:
			cov.note("limit Inf")
		case 0:
			cov.note("limit 0")
		case 1e-10:
			cov.note("limit 1e-10")
		}
		steps++
	}

	// End every wait still held, so the bubble ends with no goroutine left.
	for _, w := range held {
		w.end()
	}
	collect()
	if len(held) > 0 {
		fail("%d waits did not return after their contexts ended", len(held))
	}
	return steps
}

// departs reports whether taking n tokens from l at t is the one case in
// which the package departs from x/time/rate on purpose: a wait of
// exactly 2^63ns, which the library turns into "act now"
// (TestWaitOfExactly2To63Nanoseconds). A trace that reaches it ends
// there.
func departs(l *Limiter, t time.Time, n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit == Inf || l.limit <= 0 {
		return false
	}
	left := l.tokensAt(t) - float64(n)
	return left < 0 && (-left/float64(l.limit))*float64(time.Second) == float64(math.MaxInt64)
}

func contains(held []*heldWait, w *heldWait) bool {
	for _, h := range held {
		if h == w {
			return true
		}
	}
	return false
}

// startWait starts WaitN (or Wait) on both limiters with the same context:
// one that is never done, one that is cancelled later, one with a deadline
// that ends later, or one already cancelled.
func startWait(c chooser, hand *Limiter, lib *rate.Limiter, burst, step int) *heldWait {
	n := drawN(c, burst)
	w := &heldWait{started: time.Now(), hand: make(chan waitResult, 1), lib: make(chan waitResult, 1)}
	var ctx context.Context
	switch kind := c.intn(6); kind {
	case 0, 1:
		cctx, cancel := context.WithCancel(context.Background())
		ctx, w.end = cctx, cancel
		w.desc = fmt.Sprintf("wait %d: WaitN(cancellable, %d)", step, n)
	case 2, 3:
		off := pick(c, 0, time.Millisecond, 7*time.Millisecond, 100*time.Millisecond,
			time.Second, time.Hour, -time.Millisecond)
		d := &deadlineCtx{Context: context.Background(), deadline: time.Now().Add(off), done: make(chan struct{})}
		ctx, w.dctx = d, d
		w.end = sync.OnceFunc(func() { close(d.done) })
		w.desc = fmt.Sprintf("wait %d: WaitN(deadline now%+v, %d)", step, off, n)
	case 4:
		cctx, cancel := context.WithCancel(context.Background())
		cancel()
		ctx, w.end = cctx, cancel
		w.desc = fmt.Sprintf("wait %d: WaitN(cancelled, %d)", step, n)
	default:
		// Background never ends; end cancels nothing, so the trace must
		// not hold such a wait forever: it uses a cancellable context
		// whose cancel it never calls until the end of the trace. The
		// Wait shorthand is used here.
		cctx, cancel := context.WithCancel(context.Background())
		ctx, w.end = cctx, cancel
		n = 1
		w.desc = fmt.Sprintf("wait %d: Wait(cancellable)", step)
	}
	run := func(wait func(context.Context, int) error, into chan waitResult) {
		start := time.Now()
		var err error
		if strings.Contains(w.desc, "Wait(") {
			err = wait(ctx, 1)
		} else {
			err = wait(ctx, n)
		}
		into <- waitResult{err: err, took: time.Since(start)}
	}
	handWait := func(ctx context.Context, n int) error {
		if strings.Contains(w.desc, "Wait(") {
			return hand.Wait(ctx)
		}
		return hand.WaitN(ctx, n)
	}
	libWait := func(ctx context.Context, n int) error {
		if strings.Contains(w.desc, "Wait(") {
			return lib.Wait(ctx)
		}
		return lib.WaitN(ctx, n)
	}
	go run(handWait, w.hand)
	go run(libWait, w.lib)
	return w
}

func TestDifferentialRandomTraces(t *testing.T) {
	cov := newCoverage()
	total := 0
	for seed := range uint64(diffSeeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := &randomChooser{r: rand.New(rand.NewPCG(seed, 5)), steps: diffStepsPerSeed}
				total += runTrace(t, c, cov)
			})
		})
	}
	t.Logf("replayed %d operations; reached %v", total, cov.counts)
	if t.Failed() {
		return
	}
	if total < 10_000 {
		t.Errorf("replayed %d operations, want at least 10,000", total)
	}
	for _, want := range []string{
		"allow true", "allow false", "a time earlier than the one before",
		"reservation not OK", "reservation with a delay", "cancel gave tokens back",
		"wait returned after a delay", "wait ended by its context, tokens given back",
		"limit Inf", "limit 0", "limit 1e-10",
	} {
		if cov.counts[want] == 0 {
			t.Errorf("no trace reached %q", want)
		}
	}
}

// FuzzDifferential runs the same comparison on traces the fuzzer writes:
//
//	go test -run '^$' -fuzz FuzzDifferential -fuzztime 100000x ./05_rate_limit/ratelimit/
//
// Its seed corpus runs in every normal go test.
func FuzzDifferential(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("reserve, cancel, wait, cancel again"))
	r := rand.New(rand.NewPCG(9, 9))
	for range 6 {
		b := make([]byte, 400)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		synctest.Test(t, func(t *testing.T) {
			runTrace(t, &byteChooser{data: data}, newCoverage())
		})
	})
}
