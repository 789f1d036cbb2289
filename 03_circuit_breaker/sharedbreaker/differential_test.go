package sharedbreaker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/redisenv"
)

// The differential test holds the shared breaker to its promise: for one
// replica it goes through the same states as lesson 03's breaker. Random
// traces of calls, results and clock advances are replayed on lesson 03's
// breaker inside a synctest bubble, and on the shared one with a clock the
// test moves (so the same trace replays on a real server), and every step
// must give the same error, state, counts and announced changes.

const (
	diffTraces = 16
	diffSteps  = 50
	diffUnit   = 100 * time.Millisecond
)

var (
	errBenign   = errors.New("client mistake")
	errExcluded = errors.New("caller gave up")
)

// diffStep is one step of a trace: a call that ends with result after
// taking during, or, when call is false, a pause of during.
type diffStep struct {
	call   bool
	result int // 0 success, 1 failure, 2 benign, 3 excluded, 4 panic
	during time.Duration
}

func (s diffStep) String() string {
	if !s.call {
		return fmt.Sprintf("wait %v", s.during)
	}
	return fmt.Sprintf("call (%s, %v)", [...]string{"success", "failure", "benign", "excluded", "panic"}[s.result], s.during)
}

// run ends a call as the step says.
func (s diffStep) run() error {
	switch s.result {
	case 1:
		return errFail
	case 2:
		return errBenign
	case 3:
		return errExcluded
	case 4:
		panic("boom")
	}
	return nil
}

// diffTrace draws Settings and steps from seed.
func diffTrace(seed uint64) (Settings, []diffStep) {
	r := rand.New(rand.NewPCG(seed, 17))
	s := Settings{
		Name:                   "diff",
		MaxRequests:            uint32(r.IntN(3)),
		Timeout:                time.Duration(1+r.IntN(5)) * diffUnit,
		MaxConsecutiveFailures: uint32(r.IntN(4)),
	}
	if r.IntN(2) == 0 {
		s.Interval = time.Duration(1+r.IntN(6)) * diffUnit
	}
	if r.IntN(2) == 0 {
		s.IsSuccessful = func(err error) bool { return err == nil || errors.Is(err, errBenign) }
	}
	if r.IntN(2) == 0 {
		s.IsExcluded = func(err error) bool { return errors.Is(err, errExcluded) }
	}
	steps := make([]diffStep, diffSteps)
	for i := range steps {
		st := diffStep{call: r.IntN(3) > 0}
		st.during = time.Duration(r.IntN(4)) * diffUnit / 2
		if st.call {
			// Failures are common, so that traces reach every state.
			st.result = []int{0, 0, 1, 1, 1, 2, 3, 4}[r.IntN(8)]
			if r.IntN(3) > 0 {
				st.during = 0
			}
		}
		steps[i] = st
	}
	return s, steps
}

// diffObs is what one step shows.
type diffObs struct {
	err         string
	state       breaker.State
	counts      breaker.Counts
	transitions string
}

// errKind names an error as the comparison sees it.
func errKind(err error, panicked bool) string {
	switch {
	case panicked:
		return "panic"
	case err == nil:
		return "nil"
	case errors.Is(err, breaker.ErrOpenState):
		return "open"
	case errors.Is(err, breaker.ErrTooManyRequests):
		return "too many"
	}
	return err.Error()
}

// recorder collects OnStateChange calls as text.
type recorder struct{ b strings.Builder }

func (r *recorder) note(_ string, from, to breaker.State) { fmt.Fprintf(&r.b, "%v>%v ", from, to) }

// reference replays steps on lesson 03's breaker in virtual time.
func reference(t *testing.T, s Settings, steps []diffStep) []diffObs {
	var obs []diffObs
	synctest.Test(t, func(t *testing.T) {
		var rec recorder
		ls := s.local()
		ls.OnStateChange = rec.note
		b := breaker.New(ls)
		for _, st := range steps {
			o := diffObs{err: "nil"}
			if st.call {
				var err error
				panicked := func() (p bool) {
					defer func() { p = recover() != nil }()
					err = b.Execute(func() error { time.Sleep(st.during); return st.run() })
					return false
				}()
				o.err = errKind(err, panicked)
			} else {
				time.Sleep(st.during)
			}
			o.state = b.State()
			o.counts = b.Counts()
			o.transitions = rec.b.String()
			obs = append(obs, o)
		}
	})
	return obs
}

// replay replays steps on the shared breaker, on srv, with a hand-moved
// clock.
func replay(t *testing.T, srv *redisenv.Server, key string, s Settings, steps []diffStep) []diffObs {
	var rec recorder
	s.OnStateChange = rec.note
	clock := newFakeClock()
	b := newReplica(t, srv, key, s, clock)
	ctx := context.Background()
	stateOf(t, b) // the first Interval starts now, as at breaker.New
	var obs []diffObs
	for _, st := range steps {
		o := diffObs{err: "nil"}
		if st.call {
			var err error
			panicked := func() (p bool) {
				defer func() { p = recover() != nil }()
				err = b.Execute(ctx, func() error { clock.Advance(st.during); return st.run() })
				return false
			}()
			o.err = errKind(err, panicked)
		} else {
			clock.Advance(st.during)
		}
		o.state, o.counts = peek(t, b)
		o.transitions = rec.b.String()
		obs = append(obs, o)
	}
	require.Zero(t, b.Stats().Fallback, "no call may fall back while the store is up")
	return obs
}

func TestOneReplicaMakesLesson03sTransitions(t *testing.T) {
	srv := redisenv.New(t)
	for seed := range uint64(diffTraces) {
		s, steps := diffTrace(seed)
		want := reference(t, s, steps)
		got := replay(t, srv, fmt.Sprintf("diff-%d", seed), s, steps)
		for i := range steps {
			if got[i] != want[i] {
				var trace strings.Builder
				for _, st := range steps[:i+1] {
					fmt.Fprintf(&trace, "\n  %v", st)
				}
				t.Fatalf("seed %d (MaxRequests %d, Interval %v, Timeout %v, MaxConsecutiveFailures %d), step %d:\n"+
					"shared   %+v\nlesson03 %+v\ntrace:%s",
					seed, s.MaxRequests, s.Interval, s.Timeout, s.MaxConsecutiveFailures, i,
					got[i], want[i], trace.String())
			}
		}
	}
}
