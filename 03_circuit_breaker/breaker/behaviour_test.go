package breaker

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// implementations lists both breakers; every behavioural test runs over
// each, so the table doubles as a readable account of what gobreaker does.
var implementations = []struct {
	name string
	new  func(Settings) CircuitBreaker
}{
	{"handrolled", func(s Settings) CircuitBreaker { return New(s) }},
	{"library", func(s Settings) CircuitBreaker { return NewLibrary(s) }},
}

// forBoth runs test in a synctest bubble once per implementation.
func forBoth(t *testing.T, test func(t *testing.T, newCB func(Settings) CircuitBreaker)) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { test(t, impl.new) })
		})
	}
}

func succeed() error { return nil }
func failing() error { return errFail }

// run makes n calls with fn and requires each to return want.
func run(t *testing.T, cb CircuitBreaker, n int, fn func() error, want error) {
	t.Helper()
	for i := range n {
		require.ErrorIs(t, cb.Execute(fn), want, "call %d of %d", i+1, n)
	}
}

func trippedOnce(s Settings) Settings {
	s.ReadyToTrip = func(c Counts) bool { return c.ConsecutiveFailures >= 1 }
	return s
}

func TestDefaultsTripAfterMoreThanFiveConsecutiveFailures(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(Settings{Name: "svc"})
		assert.Equal(t, "svc", cb.Name())
		run(t, cb, 5, failing, errFail)
		require.Equal(t, StateClosed, cb.State(), "five failures are not more than five")
		run(t, cb, 1, failing, errFail)
		require.Equal(t, StateOpen, cb.State(), "the sixth failure trips")
	})
}

func TestSuccessResetsTheFailureStreak(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(Settings{})
		run(t, cb, 5, failing, errFail)
		run(t, cb, 1, succeed, nil)
		run(t, cb, 5, failing, errFail)
		require.Equal(t, StateClosed, cb.State())
		assert.Equal(t, Counts{Requests: 11, TotalSuccesses: 1, TotalFailures: 10, ConsecutiveFailures: 5}, cb.Counts())
	})
}

func TestOpenRejectsWithoutCallingFn(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{}))
		run(t, cb, 1, failing, errFail)
		called := false
		err := cb.Execute(func() error { called = true; return nil })
		require.ErrorIs(t, err, ErrOpenState)
		assert.False(t, called, "fn must not run while open")
		assert.Equal(t, Counts{}, cb.Counts(), "rejections are not counted")
	})
}

func TestOpenTurnsHalfOpenStrictlyAfterTimeout(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{Timeout: time.Second}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(time.Second)
		require.Equal(t, StateOpen, cb.State(), "at exactly Timeout the breaker is still open")
		time.Sleep(time.Nanosecond)
		require.Equal(t, StateHalfOpen, cb.State())
	})
}

func TestZeroTimeoutMeansSixtySeconds(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{Timeout: -time.Second}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(60 * time.Second)
		require.Equal(t, StateOpen, cb.State())
		time.Sleep(time.Millisecond)
		require.Equal(t, StateHalfOpen, cb.State())
	})
}

func TestHalfOpenAdmitsMaxRequestsThenCloses(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{MaxRequests: 3, Timeout: time.Second}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)

		// Two successes are not enough, and each keeps its trial slot.
		run(t, cb, 2, succeed, nil)
		require.Equal(t, StateHalfOpen, cb.State())
		run(t, cb, 1, succeed, nil)
		require.Equal(t, StateClosed, cb.State(), "MaxRequests consecutive successes close the breaker")
		assert.Equal(t, Counts{}, cb.Counts(), "a new state starts with clear counts")
	})
}

func TestHalfOpenRejectsBeyondMaxRequests(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{MaxRequests: 2, Timeout: time.Second}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)

		release := make(chan struct{})
		done := make(chan error, 2)
		for range 2 {
			go func() { done <- cb.Execute(func() error { <-release; return nil }) }()
		}
		synctest.Wait() // both trial calls are inside fn
		require.ErrorIs(t, cb.Execute(succeed), ErrTooManyRequests)
		close(release)
		require.NoError(t, <-done)
		require.NoError(t, <-done)
		require.Equal(t, StateClosed, cb.State())
	})
}

func TestZeroMaxRequestsMeansOne(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{Timeout: time.Second}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)
		release := make(chan struct{})
		done := make(chan error)
		go func() { done <- cb.Execute(func() error { <-release; return nil }) }()
		synctest.Wait()
		require.ErrorIs(t, cb.Execute(succeed), ErrTooManyRequests, "only one trial call at a time")
		close(release)
		require.NoError(t, <-done)
		require.Equal(t, StateClosed, cb.State(), "one success closes")
	})
}

func TestHalfOpenFailureReopens(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		// ReadyToTrip would never trip; in half-open it is not consulted.
		cb := newCB(Settings{MaxRequests: 3, Timeout: time.Second,
			ReadyToTrip: func(c Counts) bool { return c.TotalFailures == 1 }})
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)
		run(t, cb, 2, succeed, nil)
		run(t, cb, 1, failing, errFail)
		require.Equal(t, StateOpen, cb.State(), "one failed trial re-opens the breaker")
		time.Sleep(time.Second)
		require.Equal(t, StateOpen, cb.State(), "and the Timeout starts over")
	})
}

func TestIntervalClearsCountsWhileClosed(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(Settings{Interval: time.Minute})
		run(t, cb, 5, failing, errFail)
		time.Sleep(time.Minute)
		run(t, cb, 1, failing, errFail)
		require.Equal(t, StateOpen, cb.State(), "at exactly Interval the window still holds")

		cb = newCB(Settings{Interval: time.Minute})
		run(t, cb, 5, failing, errFail)
		time.Sleep(time.Minute + time.Nanosecond)
		assert.Equal(t, uint32(5), cb.Counts().ConsecutiveFailures, "Counts does not look at the clock")
		run(t, cb, 1, failing, errFail)
		require.Equal(t, StateClosed, cb.State(), "the old window's failures are forgotten")
		assert.Equal(t, Counts{Requests: 1, TotalFailures: 1, ConsecutiveFailures: 1}, cb.Counts())
	})
}

func TestNoIntervalNeverClears(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(Settings{})
		run(t, cb, 5, failing, errFail)
		time.Sleep(365 * 24 * time.Hour)
		run(t, cb, 1, failing, errFail)
		require.Equal(t, StateOpen, cb.State(), "a failure a year ago still counts")
	})
}

func TestClassifiers(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(Settings{
			IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, errBenign) },
			IsExcluded:   func(err error) bool { return errors.Is(err, errExcluded) },
		})
		run(t, cb, 1, failing, errFail)
		run(t, cb, 1, func() error { return errExcluded }, errExcluded)
		require.Equal(t, Counts{Requests: 2, TotalFailures: 1, TotalExclusions: 1, ConsecutiveFailures: 1}, cb.Counts(),
			"an excluded result leaves the streak alone")
		run(t, cb, 1, func() error { return errBenign }, errBenign)
		require.Equal(t, Counts{Requests: 3, TotalSuccesses: 1, TotalFailures: 1, TotalExclusions: 1, ConsecutiveSuccesses: 1}, cb.Counts(),
			"a benign error is returned to the caller but counted as a success")
	})
}

func TestExcludedResultFreesAHalfOpenSlot(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{MaxRequests: 2, Timeout: time.Second,
			IsExcluded: func(err error) bool { return errors.Is(err, errExcluded) }}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)
		run(t, cb, 2, func() error { return errExcluded }, errExcluded)
		run(t, cb, 1, succeed, nil)
		require.Equal(t, StateHalfOpen, cb.State())
		run(t, cb, 1, succeed, nil)
		require.Equal(t, StateClosed, cb.State(), "two counted successes close it; exclusions took no slot")
	})
}

func TestPanicCountsAsFailureAndRepanics(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{}))
		r := call(cb.Execute, func() error { panic("boom") })
		require.Equal(t, "boom", r.panicked, "Execute must panic again with the same value")
		require.Equal(t, StateOpen, cb.State(), "the panic counted as a failure")
	})
}

func TestPanicWithAnErrorValueIsAFailure(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{IsExcluded: func(err error) bool { return errors.Is(err, errExcluded) }}))
		r := call(cb.Execute, func() error { panic(errExcluded) })
		require.True(t, r.panicked == errExcluded, "Execute must panic again with the very same value, got %v", r.panicked)
		require.Equal(t, StateOpen, cb.State(),
			"the classifiers see a new error with the panic's text, which IsExcluded does not match: a failure")
	})
}

func TestLateResultDoesNotCountInTheNewState(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{Timeout: time.Second}))
		release := make(chan error)
		done := make(chan error)
		go func() { done <- cb.Execute(func() error { return <-release }) }()
		synctest.Wait() // the slow call was admitted while closed

		run(t, cb, 1, failing, errFail) // trips
		time.Sleep(2 * time.Second)
		require.Equal(t, StateHalfOpen, cb.State())

		release <- nil // the slow call succeeds, but it belongs to the closed state
		require.NoError(t, <-done)
		require.Equal(t, StateHalfOpen, cb.State(), "a stale success must not close the breaker")
		assert.Equal(t, Counts{}, cb.Counts(), "nor be counted at all")
	})
}

func TestOnStateChangeSeesEveryTransitionInOrder(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		var log transitionLog
		cb := newCB(trippedOnce(Settings{Name: "svc", Timeout: time.Second, OnStateChange: log.add}))
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)
		run(t, cb, 1, failing, errFail)
		time.Sleep(2 * time.Second)
		run(t, cb, 1, succeed, nil)
		assert.Equal(t, "svc:closed->open svc:open->half-open svc:half-open->open svc:open->half-open svc:half-open->closed", log.String())
	})
}

func TestLibraryMapsOnlyItsOwnSentinels(t *testing.T) {
	assert.Same(t, ErrOpenState, fromLibrary(gobreaker.ErrOpenState))
	assert.Same(t, ErrTooManyRequests, fromLibrary(gobreaker.ErrTooManyRequests))
	wrapped := errors.Join(errFail, gobreaker.ErrOpenState)
	assert.Same(t, wrapped, fromLibrary(wrapped), "an error from fn passes through untouched")
	assert.Equal(t, "circuit breaker is open", ErrOpenState.Error())
	assert.Equal(t, "too many requests", ErrTooManyRequests.Error())
}

func TestStateString(t *testing.T) {
	assert.Equal(t, "closed", StateClosed.String())
	assert.Equal(t, "half-open", StateHalfOpen.String())
	assert.Equal(t, "open", StateOpen.String())
	assert.Equal(t, "unknown state: 7", State(7).String())
}
