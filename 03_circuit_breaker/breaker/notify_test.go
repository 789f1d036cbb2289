package breaker

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests cover the one place Breaker departs from gobreaker on
// purpose: OnStateChange runs without the lock held. (With gobreaker, the
// first test would deadlock, so it runs on the hand-rolled breaker only.)

func TestCallbackMayCallStateAndCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *Breaker
		var seen []string
		b = New(trippedOnce(Settings{OnStateChange: func(_ string, from, to State) {
			seen = append(seen, from.String()+"->"+to.String()+" now "+b.State().String())
			assert.Equal(t, Counts{}, b.Counts(), "a new state starts with clear counts")
		}}))
		require.ErrorIs(t, b.Execute(failing), errFail)
		assert.Equal(t, []string{"closed->open now open"}, seen)
	})
}

func TestTransitionCausedByTheCallbackIsDeliveredAfterIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *Breaker
		var seen []string
		inside := false
		b = New(trippedOnce(Settings{Timeout: time.Second, OnStateChange: func(_ string, from, to State) {
			require.False(t, inside, "callbacks must not nest")
			inside = true
			defer func() { inside = false }()
			seen = append(seen, from.String()+"->"+to.String())
			if to == StateOpen {
				// Looking at the breaker after Timeout turns it half-open:
				// a transition made from inside the callback.
				time.Sleep(2 * time.Second)
				assert.Equal(t, StateHalfOpen, b.State())
			}
		}}))
		require.ErrorIs(t, b.Execute(failing), errFail)
		assert.Equal(t, []string{"closed->open", "open->half-open"}, seen,
			"both transitions, in order, before Execute returns")
	})
}

func TestPanickingCallbackDoesNotWedgeDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen []string
		b := New(trippedOnce(Settings{Timeout: time.Second, OnStateChange: func(_ string, from, to State) {
			seen = append(seen, from.String()+"->"+to.String())
			if len(seen) == 1 {
				panic("callback failed")
			}
		}}))
		r := call(b.Execute, failing)
		require.Equal(t, "callback failed", r.panicked, "the callback's panic reaches the caller")
		require.Equal(t, StateOpen, b.State(), "the trip itself stands")

		time.Sleep(2 * time.Second)
		require.Equal(t, StateHalfOpen, b.State())
		assert.Equal(t, []string{"closed->open", "open->half-open"}, seen, "later transitions are still delivered")
	})
}

// A callback that panics while reporting open -> half-open must not leave
// the breaker wedged. The panic comes out of Execute before the call is
// admitted, so fn does not run and no trial slot is taken; with
// MaxRequests 1, a slot taken by a call that never ran would make every
// later call fail with ErrTooManyRequests. gobreaker behaves the same.
func TestPanickingCallbackInExecuteDoesNotWedgeHalfOpen(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		panicked := false
		cb := newCB(trippedOnce(Settings{Timeout: time.Second, OnStateChange: func(_ string, _, to State) {
			if to == StateHalfOpen && !panicked {
				panicked = true
				panic("callback failed")
			}
		}}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)

		called := false
		r := call(cb.Execute, func() error { called = true; return nil })
		require.Equal(t, "callback failed", r.panicked, "the callback's panic reaches the caller")
		assert.False(t, called, "the call was not admitted, so fn must not run")
		assert.Equal(t, Counts{}, cb.Counts(), "nor be counted as a trial")
		require.NoError(t, cb.Execute(succeed), "the next call is admitted as the trial")
		require.Equal(t, StateClosed, cb.State(), "and its success closes the breaker")
	})
}

// A callback may itself call Execute (a health check when the breaker
// turns half-open, say). If that inner fn panics, the panic crosses the
// callback and the outer Execute; the inner call counts as a failed trial,
// and the breaker must still recover afterwards.
func TestCallbackWhoseExecutePanicsDoesNotWedgeTheBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *Breaker
		var seen []string
		b = New(trippedOnce(Settings{Timeout: time.Second, OnStateChange: func(_ string, from, to State) {
			seen = append(seen, from.String()+"->"+to.String())
			if len(seen) == 2 {
				_ = b.Execute(func() error { panic("health check exploded") })
			}
		}}))
		run(t, b, 1, failing, errFail)
		time.Sleep(2 * time.Second)

		called := false
		r := call(b.Execute, func() error { called = true; return nil })
		require.Equal(t, "health check exploded", r.panicked,
			"the inner call, not the outer one, should have been the half-open trial, and its panic reaches the caller")
		assert.False(t, called, "the outer call was never admitted")
		require.Equal(t, StateOpen, b.State(), "the panicking trial is a failure: open again")
		assert.Equal(t, []string{"closed->open", "open->half-open", "half-open->open"}, seen,
			"the transition queued behind the panicking callback is delivered by the next look")
		assert.Equal(t, Counts{}, b.Counts())

		time.Sleep(2 * time.Second)
		require.NoError(t, b.Execute(succeed), "after another Timeout the next trial is admitted")
		require.Equal(t, StateClosed, b.State())
	})
}

// When a callback panics after fn returned, Execute panics with the
// callback's value, but fn's result is recorded once, as fn's result: the
// callback's panic must not be counted as a second, failed, result.
func TestCallbackPanicIsNotCountedAsFnsResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		b := New(trippedOnce(Settings{MaxRequests: 2, Timeout: time.Second, OnStateChange: func(_ string, from, to State) {
			if from == StateClosed {
				<-gate
			}
			panic("callback failed: " + from.String() + "->" + to.String())
		}}))

		// One goroutine trips the breaker and blocks inside the first
		// callback, so it stays the deliverer.
		tripped := make(chan result, 1)
		go func() { tripped <- call(b.Execute, failing) }()
		synctest.Wait()
		// Meanwhile the Timeout passes and a trial call is admitted in the
		// half-open state; open -> half-open waits in the queue.
		time.Sleep(2 * time.Second)
		require.Equal(t, StateHalfOpen, b.State())
		release := make(chan struct{})
		trial := make(chan result, 1)
		go func() { trial <- call(b.Execute, func() error { <-release; return nil }) }()
		synctest.Wait()

		// The first callback panics and gives up delivering; the trial's
		// success is recorded, and delivering the queued transition
		// panics again on the trial's goroutine.
		close(gate)
		require.Equal(t, "callback failed: closed->open", (<-tripped).panicked)
		close(release)
		require.Equal(t, "callback failed: open->half-open", (<-trial).panicked)
		assert.Equal(t, StateHalfOpen, b.State(), "one success of the two needed: still half-open")
		assert.Equal(t, Counts{Requests: 1, TotalSuccesses: 1, ConsecutiveSuccesses: 1}, b.Counts(),
			"the trial counted once, as the success it was")
	})
}

// TestCallbacksAreDeliveredOldestFirst queues two transitions behind a
// callback that is still running, then lets it finish: the deliverer must
// report them in the order they happened.
func TestCallbacksAreDeliveredOldestFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		var mu sync.Mutex
		var seen []string
		b := New(trippedOnce(Settings{Timeout: time.Second, OnStateChange: func(_ string, from, to State) {
			mu.Lock()
			seen = append(seen, from.String()+"->"+to.String())
			mu.Unlock()
			if from == StateClosed {
				<-gate
			}
		}}))

		tripped := make(chan error, 1)
		go func() { tripped <- b.Execute(failing) }()
		synctest.Wait() // the tripping goroutine is inside the first callback

		// This goroutine turns the breaker half-open and fails the trial:
		// two transitions, queued while the first callback still runs.
		time.Sleep(2 * time.Second)
		require.ErrorIs(t, b.Execute(failing), errFail, "the trial call runs")
		mu.Lock()
		assert.Equal(t, []string{"closed->open"}, seen, "the queued transitions wait for the deliverer")
		mu.Unlock()

		close(gate)
		require.ErrorIs(t, <-tripped, errFail)
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []string{"closed->open", "open->half-open", "half-open->open"}, seen)
	})
}

// TestCallbacksStayInOrderUnderContention hammers one breaker from many
// goroutines while every callback calls back into it. The transitions must
// form one chain (each starts where the previous ended), with no deadlock.
func TestCallbacksStayInOrderUnderContention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var chain []transition
		var b *Breaker
		b = New(Settings{
			MaxRequests: 2,
			Timeout:     3 * time.Millisecond,
			ReadyToTrip: func(c Counts) bool { return c.ConsecutiveFailures >= 2 },
			OnStateChange: func(_ string, from, to State) {
				_ = b.State()
				_ = b.Counts()
				mu.Lock()
				chain = append(chain, transition{from, to})
				mu.Unlock()
			},
		})

		var wg sync.WaitGroup
		for g := range 32 {
			wg.Go(func() {
				for i := range 200 {
					_ = b.Execute(func() error {
						time.Sleep(time.Duration(g%3) * time.Millisecond)
						if (g+i)%3 == 0 {
							return errFail
						}
						return nil
					})
					if i%10 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		final := b.State() // before taking mu: State may call the callback

		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, chain, "the load should have tripped the breaker")
		assert.Equal(t, StateClosed, chain[0].from)
		for i := 1; i < len(chain); i++ {
			require.Equal(t, chain[i-1].to, chain[i].from, "transition %d out of order: %v after %v", i, chain[i], chain[i-1])
		}
		assert.Equal(t, chain[len(chain)-1].to, final, "the last callback reports the final state")
	})
}
