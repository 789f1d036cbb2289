package breaker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sony/gobreaker/v2"
)

// The differential test is the proof behind the package's promise: for any
// sequence of calls, results and clock advances, Breaker and gobreaker v2
// go through the same states, return the same errors, report the same
// Counts and announce the same transitions. A trace is a list of steps
// drawn from a chooser (a seeded random source in normal runs, the fuzzer's
// bytes under go test -fuzz) and replayed on both breakers side by side
// inside a synctest bubble, so both see exactly the same clock.

const (
	diffSeeds        = 16   // traces per normal run
	diffStepsPerSeed = 1000 // steps per trace: 16,000 steps in all, every one executed
	maxPending       = 3    // calls held open inside fn at once
)

// Errors a call can return; the random Settings may classify errBenign
// as a success and errExcluded as an exclusion.
var (
	errFail     = errors.New("dependency failed")
	errBenign   = errors.New("client mistake")
	errExcluded = errors.New("caller gave up")
)

// outcome is how a call's fn ends.
type outcome int

const (
	outSuccess outcome = iota
	outFailure
	outBenign
	outExcluded
	outPanic      // panics with a string
	outPanicError // panics with an error value the classifiers would match
	numOutcomes
)

func (o outcome) String() string {
	return [...]string{"success", "failure", "benign", "excluded", "panic", "panic with error"}[o]
}

// run ends fn as o says.
func (o outcome) run() error {
	switch o {
	case outFailure:
		return errFail
	case outBenign:
		return errBenign
	case outExcluded:
		return errExcluded
	case outPanic:
		panic("boom")
	case outPanicError:
		// Were the panic's error passed on as it is, IsExcluded would set
		// it aside. Both breakers instead classify a new error with the
		// same text, which matches nothing: a failure.
		panic(errExcluded)
	}
	return nil
}

// chooser supplies a trace's decisions.
type chooser interface {
	// intn returns a number in [0, n).
	intn(n int) int
	// more reports whether the trace may take another step.
	more() bool
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

// pick returns one of options.
func pick[T any](c chooser, options ...T) T { return options[c.intn(len(options))] }

// randomSettings draws Settings that make all the interesting behaviour
// reachable in a few steps: small limits, short and zero durations, and
// every kind of classifier, including the defaults.
func randomSettings(c chooser) (Settings, string) {
	var s Settings
	var desc []string
	s.MaxRequests = uint32(c.intn(4))
	s.Interval = pick(c, 0, 10*time.Millisecond, 35*time.Millisecond, 100*time.Millisecond)
	s.Timeout = pick(c, 0, 20*time.Millisecond, 50*time.Millisecond)
	desc = append(desc, fmt.Sprintf("MaxRequests=%d Interval=%v Timeout=%v", s.MaxRequests, s.Interval, s.Timeout))

	switch k := c.intn(4); k {
	case 0:
		desc = append(desc, "ReadyToTrip=default")
	case 1:
		n := uint32(c.intn(4))
		s.ReadyToTrip = func(c Counts) bool { return c.ConsecutiveFailures > n }
		desc = append(desc, fmt.Sprintf("ReadyToTrip=consecutive>%d", n))
	case 2:
		s.ReadyToTrip = func(c Counts) bool {
			return c.Requests >= 3 && float64(c.TotalFailures)/float64(c.Requests) >= 0.6
		}
		desc = append(desc, "ReadyToTrip=ratio")
	case 3:
		s.ReadyToTrip = func(c Counts) bool { return c.TotalFailures >= 2 }
		desc = append(desc, "ReadyToTrip=total>=2")
	}
	if c.intn(2) == 1 {
		s.IsSuccessful = func(err error) bool { return err == nil || errors.Is(err, errBenign) }
		desc = append(desc, "IsSuccessful=benign")
	}
	if c.intn(2) == 1 {
		s.IsExcluded = func(err error) bool { return errors.Is(err, errExcluded) }
		desc = append(desc, "IsExcluded=excluded")
	}
	return s, strings.Join(desc, " ")
}

// transitionLog records OnStateChange calls.
type transitionLog struct {
	mu  sync.Mutex
	log []string
}

func (l *transitionLog) add(name string, from, to State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, fmt.Sprintf("%s:%v->%v", name, from, to))
}

func (l *transitionLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.log, " ")
}

// result is what one Execute returned, or the value it panicked with.
type result struct {
	err      error
	panicked any
}

// call runs exec(fn) and catches the re-panic Execute promises.
func call(exec func(func() error) error, fn func() error) (r result) {
	defer func() { r.panicked = recover() }()
	r.err = exec(fn)
	return r
}

// side is one breaker under test with its calls held open inside fn.
type side struct {
	exec    func(func() error) error
	state   func() State
	counts  func() Counts
	log     *transitionLog
	pending []*heldCall
}

// heldCall is a call whose fn waits for the trace to choose its outcome,
// so that its result can arrive after the breaker has changed state.
type heldCall struct {
	release    chan outcome
	done       chan result
	generation uint64 // the hand-rolled generation that admitted it
}

func (s *side) start() *heldCall {
	h := &heldCall{release: make(chan outcome), done: make(chan result, 1)}
	go func() {
		h.done <- call(s.exec, func() error { return (<-h.release).run() })
	}()
	return h
}

// coverage tallies what the traces exercised, so traces that stop
// reaching the interesting corners make the test fail instead of passing
// quietly.
type coverage struct {
	mu          sync.Mutex
	transitions map[string]int
	errs        map[string]int
	lateResults int
}

func (c *coverage) note(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs[kind]++
}

// runTrace replays one trace on both breakers and fails t at the first
// difference. It must run inside a synctest bubble.
func runTrace(t *testing.T, c chooser, cov *coverage) int {
	t.Helper()
	settings, desc := randomSettings(c)

	var handLog, libLog transitionLog
	hs, ls := settings, settings
	hs.Name, ls.Name = "cb", "cb"
	hs.OnStateChange = handLog.add
	ls.OnStateChange = libLog.add
	hand := New(hs)
	lib := gobreaker.NewCircuitBreaker[struct{}](librarySettings(ls))

	useDo := false // alternates Execute and Do on the hand-rolled side
	handExec := func(fn func() error) error {
		useDo = !useDo
		if useDo {
			_, err := Do(hand, func() (int, error) { return 1, fn() })
			return err
		}
		return hand.Execute(fn)
	}
	libExec := func(fn func() error) error {
		_, err := lib.Execute(func() (struct{}, error) { return struct{}{}, fn() })
		return err
	}
	h := &side{exec: handExec, state: hand.State, counts: hand.Counts, log: &handLog}
	l := &side{
		exec:   libExec,
		state:  func() State { return State(lib.State()) },
		counts: func() Counts { return Counts(lib.Counts()) },
		log:    &libLog,
	}

	// generation peeks at the hand-rolled breaker's generation to tell
	// when a held call outlived the stretch of time that admitted it.
	generation := func() uint64 {
		hand.mu.Lock()
		defer hand.mu.Unlock()
		return hand.generation
	}

	var history []string
	fail := func(format string, args ...any) {
		t.Helper()
		from := max(0, len(history)-15)
		t.Fatalf("settings: %s\nlast steps:\n  %s\n%s", desc,
			strings.Join(history[from:], "\n  "), fmt.Sprintf(format, args...))
	}
	// same checks that both breakers answered a call alike.
	same := func(hr, lr result) {
		t.Helper()
		// Identity, not text: the panic value must come out unchanged.
		// (The values panicked with here are all comparable.)
		if hr.panicked != lr.panicked {
			fail("panics differ: hand-rolled %v, gobreaker %v", hr.panicked, lr.panicked)
		}
		want := fromLibrary(lr.err)
		if hr.err != want {
			fail("errors differ: hand-rolled %v, gobreaker %v", hr.err, lr.err)
		}
		switch {
		case hr.err == ErrOpenState:
			cov.note("open")
		case hr.err == ErrTooManyRequests:
			cov.note("too-many")
		case hr.panicked == errExcluded:
			cov.note("panic-error")
		case hr.panicked != nil:
			cov.note("panic")
		}
	}

	steps := 0
	for c.more() {
		op := c.intn(20)
		// A step that cannot happen becomes its twin, so every step drawn
		// does something: with maxPending calls held, one finishes instead
		// of another starting; with none held, one starts instead.
		switch {
		case op >= 14 && op < 17 && len(h.pending) == maxPending:
			op = 17
		case op >= 17 && len(h.pending) == 0:
			op = 14
		}
		switch {
		case op < 9: // a call that returns at once
			o := outcome(c.intn(int(numOutcomes)))
			history = append(history, "call "+o.String())
			same(call(h.exec, o.run), call(l.exec, o.run))

		case op < 12: // time passes
			d := pick(c, time.Nanosecond, time.Millisecond, 10*time.Millisecond,
				20*time.Millisecond, 35*time.Millisecond, 50*time.Millisecond, 61*time.Second)
			history = append(history, fmt.Sprintf("sleep %v", d))
			time.Sleep(d)

		case op < 14: // someone looks at the state
			history = append(history, "state")
			if hst, lst := h.state(), l.state(); hst != lst {
				fail("State() differs: hand-rolled %v, gobreaker %v", hst, lst)
			}

		case op < 17: // a call that will be held open inside fn
			history = append(history, "start held call")
			hc, lc := h.start(), l.start()
			synctest.Wait() // each is now blocked in fn or already rejected
			select {
			case hr := <-hc.done:
				same(hr, <-lc.done)
			default:
				select {
				case lr := <-lc.done:
					fail("gobreaker rejected a held call with %v, hand-rolled admitted it", lr.err)
				default:
				}
				hc.generation = generation()
				h.pending = append(h.pending, hc)
				l.pending = append(l.pending, lc)
			}

		default: // a held call finishes, maybe in a later generation
			i := c.intn(len(h.pending))
			o := outcome(c.intn(int(numOutcomes)))
			history = append(history, fmt.Sprintf("finish held call %d: %v", i, o))
			hc, lc := h.pending[i], l.pending[i]
			h.pending = append(h.pending[:i], h.pending[i+1:]...)
			l.pending = append(l.pending[:i], l.pending[i+1:]...)
			if hc.generation != generation() {
				cov.mu.Lock()
				cov.lateResults++ // its result must be ignored
				cov.mu.Unlock()
			}
			hc.release <- o
			lc.release <- o
			same(<-hc.done, <-lc.done)
		}

		if hc, lc := h.counts(), l.counts(); hc != lc {
			fail("Counts() differ:\n  hand-rolled %+v\n  gobreaker   %+v", hc, lc)
		}
		if hl, ll := h.log.String(), l.log.String(); hl != ll {
			fail("OnStateChange calls differ:\n  hand-rolled %s\n  gobreaker   %s", hl, ll)
		}
		steps++
	}

	// Let the held calls go so the bubble ends with no goroutine left.
	for i := range h.pending {
		h.pending[i].release <- outSuccess
		l.pending[i].release <- outSuccess
		same(<-h.pending[i].done, <-l.pending[i].done)
	}
	if hc, lc := h.counts(), l.counts(); hc != lc {
		fail("Counts() differ after the held calls ended:\n  hand-rolled %+v\n  gobreaker   %+v", hc, lc)
	}

	cov.mu.Lock()
	defer cov.mu.Unlock()
	for _, tr := range strings.Fields(h.log.String()) {
		cov.transitions[strings.TrimPrefix(tr, "cb:")]++
	}
	return steps
}

func newCoverage() *coverage {
	return &coverage{transitions: map[string]int{}, errs: map[string]int{}}
}

func TestDifferentialRandomTraces(t *testing.T) {
	cov := newCoverage()
	total := 0
	for seed := range uint64(diffSeeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := &randomChooser{r: rand.New(rand.NewPCG(seed, 42)), steps: diffStepsPerSeed}
				total += runTrace(t, c, cov)
			})
		})
	}
	t.Logf("replayed %d steps; transitions %v; rejections and panics %v; stale results %d",
		total, cov.transitions, cov.errs, cov.lateResults)
	if t.Failed() {
		return
	}

	// The traces must have reached every corner the promise covers.
	if total < 10_000 {
		t.Errorf("replayed %d steps, want at least 10,000", total)
	}
	for _, tr := range []string{"closed->open", "open->half-open", "half-open->closed", "half-open->open"} {
		if cov.transitions[tr] == 0 {
			t.Errorf("no trace went %s", tr)
		}
	}
	for _, kind := range []string{"open", "too-many", "panic", "panic-error"} {
		if cov.errs[kind] == 0 {
			t.Errorf("no trace produced a %q result", kind)
		}
	}
	if cov.lateResults == 0 {
		t.Errorf("no trace delivered a result after the breaker moved on")
	}
}

// FuzzDifferential runs the same comparison on traces the fuzzer writes:
//
//	go test -run '^$' -fuzz FuzzDifferential ./03_circuit_breaker/breaker/
//
// Its seed corpus runs in every normal go test.
func FuzzDifferential(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("trip, wait, probe and close"))
	// Settings bytes first, then steps: MaxRequests 2, no Interval, 20ms
	// Timeout, trip on the first failure, then failures, a long sleep and
	// held calls that outlive the state they started in.
	f.Add([]byte{2, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 10, 6, 14, 15, 14, 0, 16, 17, 1, 17, 0, 0})
	r := rand.New(rand.NewPCG(7, 7))
	for range 4 {
		b := make([]byte, 300)
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
