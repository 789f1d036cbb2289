package exercises

import (
	"errors"
	"testing"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

func TestEx1OpensAfterThresholdConsecutiveFailures(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	for _, threshold := range []int{1, 3, 5} {
		b := &ConsecutiveBreaker{Threshold: threshold}
		for i := 1; i <= threshold; i++ {
			if err := b.Call(fail); err != errDown {
				t.Fatalf("threshold %d, call %d: a closed breaker should run fn and return its error %q itself, unchanged, got %v",
					threshold, i, errDown, err)
			}
			want := breaker.StateClosed
			if i == threshold {
				want = breaker.StateOpen
			}
			if got := b.State(); got != want {
				hint := "it opens when the count reaches the threshold: >=, not >"
				if want == breaker.StateClosed {
					hint = "it opens when the count reaches the threshold, not one failure before"
				}
				t.Fatalf("after %d failures in a row (threshold %d) the breaker should be %v, got %v (%s)",
					i, threshold, want, got, hint)
			}
		}
	}
}

func TestEx1SuccessPassesThrough(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	b := &ConsecutiveBreaker{Threshold: 2}
	called := 0
	for i := 1; i <= 3; i++ {
		if err := b.Call(func() error { called++; return nil }); err != nil {
			t.Fatalf("call %d: fn succeeded, so Call should return nil, got %v", i, err)
		}
	}
	if called != 3 || b.State() != breaker.StateClosed {
		t.Fatalf("3 successful calls should all run fn once each and leave the breaker closed: fn ran %d times, state %v", called, b.State())
	}
}

func TestEx1OpenRejectsWithoutCallingFn(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	b := &ConsecutiveBreaker{Threshold: 1}
	if err := b.Call(fail); !errors.Is(err, errDown) {
		t.Fatalf("the first call should reach the dependency and return %q, got %v", errDown, err)
	}
	for i := range 3 {
		called := false
		err := b.Call(func() error { called = true; return nil })
		if err != breaker.ErrOpenState {
			t.Errorf("call %d after the trip: an open breaker should return breaker.ErrOpenState, got %v", i+1, err)
		}
		if called {
			t.Errorf("call %d after the trip: an open breaker must not call fn: failing fast is the point", i+1)
		}
	}
	if got := b.State(); got != breaker.StateOpen {
		t.Errorf("exercise 1's breaker never closes again: calls rejected while open must leave it open, got %v", got)
	}
}

func TestEx1SuccessResetsTheStreak(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	b := &ConsecutiveBreaker{Threshold: 3}
	for i, fn := range []func() error{fail, fail, succeed, fail, fail} {
		if err := b.Call(fn); err == errNotImplemented || errors.Is(err, breaker.ErrOpenState) {
			t.Fatalf("call %d of fail, fail, succeed, fail, fail (threshold 3) should reach the dependency, got %v: a success in between resets the streak",
				i+1, err)
		}
	}
	if got := b.State(); got != breaker.StateClosed {
		t.Fatalf("a success in between resets the streak, so 2 failures in a row (threshold 3) should leave it closed, got %v", got)
	}
	if err := b.Call(fail); !errors.Is(err, errDown) || b.State() != breaker.StateOpen {
		t.Fatalf("the third failure in a row should open the breaker, got error %v and state %v", err, b.State())
	}
}

func TestEx1ThresholdBelowOneMeansOne(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	for _, threshold := range []int{0, -3} {
		b := ConsecutiveBreaker{Threshold: threshold}
		if got := b.State(); got != breaker.StateClosed {
			t.Fatalf("Threshold %d (treated as 1): a new breaker has seen no failure and should be closed, got %v", threshold, got)
		}
		if err := b.Call(succeed); err != nil {
			t.Fatalf("Threshold %d (treated as 1): the first call should run fn and succeed, got %v", threshold, err)
		}
		_ = b.Call(fail)
		if got := b.State(); got != breaker.StateOpen {
			t.Fatalf("Threshold %d (treated as 1): one failure should open the breaker, got %v", threshold, got)
		}
	}
}

func TestEx1LateSuccessDoesNotClose(t *testing.T) {
	started(t, "ConsecutiveBreaker")
	// A call is admitted while closed; before its fn returns, another call
	// fails and opens the breaker. The slow call's success then arrives:
	// it resets the failure count, but it must not close the breaker,
	// which in exercise 1 never closes again.
	lockwatch.Guard(t)
	b := &ConsecutiveBreaker{Threshold: 1}
	slow := startHeld(b.Call, &b.mu, nil)
	defer slow.let()
	select {
	case <-slow.entered:
	case err := <-slow.done:
		t.Fatalf("a closed breaker should call fn, but Call returned %v without calling it", err)
	case <-after(realTimeout):
		t.Fatalf("Call neither called fn nor returned within %v", realTimeout)
	}
	if slow.lockedInFn.Load() {
		t.Fatalf("mu is locked while fn runs: is the mutex held while fn runs? A slow dependency would then make every other caller wait")
	}
	if err := b.Call(fail); !errors.Is(err, errDown) {
		t.Fatalf("while another call was still running, a failing call should reach the dependency and return %q, got %v", errDown, err)
	}
	if got := b.State(); got != breaker.StateOpen {
		t.Fatalf("one failure (threshold 1) should open the breaker, got %v", got)
	}
	if err := slow.finish(); err != nil {
		t.Fatalf("the slow call's fn returned nil, so Call should return nil, got %v", err)
	}
	if got := b.State(); got != breaker.StateOpen {
		t.Fatalf("a success from a call admitted before the trip, returning after it, must not close the breaker (exercise 1's breaker never closes again), got %v: is the state derived from the failure count, which the success reset? Keep an open flag", got)
	}
	if err := b.Call(succeed); err != breaker.ErrOpenState {
		t.Fatalf("after a late success the breaker should still reject calls with breaker.ErrOpenState, got %v", err)
	}
}

// The next four tests force the interleavings that concurrency mistakes
// need, so they fail the same way every run, with or without -race.

func TestEx1FnRunsWithoutTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	b := &ConsecutiveBreaker{Threshold: 3}
	if problem := fnRunsUnlocked(b.Call, b.State, &b.mu); problem != "" {
		t.Fatal(problem)
	}
}

func TestEx1StateTakesTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	for _, open := range []bool{false, true} {
		b := &ConsecutiveBreaker{Threshold: 1}
		if open {
			_ = b.Call(fail)
		}
		if got := firstWhileHeld(&b.mu, nil, func() { b.State() }); got != "asked" {
			t.Fatalf("while another goroutine held mu, State() %s: it reads the state without the lock, a data race (go test -race reports it)",
				didText(got))
		}
	}
}

func TestEx1CallChecksTheStateUnderTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	// Closed: Call must take the lock to check the state before it runs fn.
	b := &ConsecutiveBreaker{Threshold: 1}
	entered := make(chan struct{})
	got := firstWhileHeld(&b.mu, entered, func() { _ = b.Call(func() error { close(entered); return nil }) })
	if got != "asked" {
		t.Fatalf("while another goroutine held mu, Call on a closed breaker %s: it checks the open flag without the lock",
			didText(got))
	}
	// Open: Call must take the lock to learn that it is open.
	_ = b.Call(fail)
	if got := firstWhileHeld(&b.mu, nil, func() { _ = b.Call(succeed) }); got != "asked" {
		t.Fatalf("while another goroutine held mu, Call on an open breaker %s: it reads the open flag without the lock",
			didText(got))
	}
}

func TestEx1CallRecordsTheResultUnderTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	for _, result := range []error{errDown, nil} {
		b := &ConsecutiveBreaker{Threshold: 1}
		if got := recordsUnderLock(b.Call, &b.mu, result); got != "asked" {
			t.Fatalf("fn returned %v while another goroutine held mu, and Call %s: it records the result without the lock",
				result, didText(got))
		}
	}
}

func TestEx1SafeForConcurrentUse(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "ConsecutiveBreaker")
	// Threshold failures arriving at once must all be counted: the last of
	// them opens the breaker. Mostly a net for go test -race.
	const n = 64
	for round := range 20 {
		b := &ConsecutiveBreaker{Threshold: n}
		errs := together(n, func() error { return b.Call(fail) })
		for i, err := range errs {
			if !errors.Is(err, errDown) {
				t.Fatalf("round %d: %d goroutines each made one failing call (threshold %d); every call should reach the dependency and return %q, but call %d returned %v",
					round, n, n, errDown, i, err)
			}
		}
		if got := b.State(); got != breaker.StateOpen {
			t.Fatalf("round %d: %d failures from %d goroutines at once (threshold %d) should open the breaker, got %v: some failures were not counted",
				round, n, n, n, got)
		}
	}
}
