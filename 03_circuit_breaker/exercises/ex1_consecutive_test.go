package exercises

import (
	"errors"
	"testing"

	"reliability/03_circuit_breaker/breaker"
)

func TestEx1OpensAfterThresholdConsecutiveFailures(t *testing.T) {
	b := &ConsecutiveBreaker{Threshold: 3}
	for i := 1; i <= 3; i++ {
		if err := b.Call(fail); !errors.Is(err, errDown) {
			t.Fatalf("call %d: a closed breaker should run fn and return its error %q, got %v", i, errDown, err)
		}
		want := breaker.StateClosed
		if i == 3 {
			want = breaker.StateOpen
		}
		if got := b.State(); got != want {
			t.Fatalf("after %d failures in a row (threshold 3) the breaker should be %v, got %v", i, want, got)
		}
	}
}

func TestEx1OpenRejectsWithoutCallingFn(t *testing.T) {
	b := &ConsecutiveBreaker{Threshold: 1}
	if err := b.Call(fail); !errors.Is(err, errDown) {
		t.Fatalf("the first call should reach the dependency and return %q, got %v", errDown, err)
	}
	called := false
	err := b.Call(func() error { called = true; return nil })
	if !errors.Is(err, breaker.ErrOpenState) {
		t.Errorf("an open breaker should return breaker.ErrOpenState, got %v", err)
	}
	if called {
		t.Errorf("an open breaker must not call fn: failing fast is the point")
	}
}

func TestEx1SuccessResetsTheStreak(t *testing.T) {
	b := &ConsecutiveBreaker{Threshold: 3}
	for i, fn := range []func() error{fail, fail, succeed, fail, fail} {
		if err := b.Call(fn); err == errNotImplemented || errors.Is(err, breaker.ErrOpenState) {
			t.Fatalf("call %d (fail, fail, succeed, fail, fail) should reach the dependency, got %v", i+1, err)
		}
	}
	if got := b.State(); got != breaker.StateClosed {
		t.Fatalf("a success in between resets the streak, so 2 failures in a row should leave it closed, got %v", got)
	}
	if err := b.Call(fail); !errors.Is(err, errDown) || b.State() != breaker.StateOpen {
		t.Fatalf("the third failure in a row should open the breaker, got error %v and state %v", err, b.State())
	}
}

func TestEx1ZeroThresholdMeansOne(t *testing.T) {
	var b ConsecutiveBreaker
	_ = b.Call(fail)
	if got := b.State(); got != breaker.StateOpen {
		t.Fatalf("with Threshold 0 (treated as 1) one failure should open the breaker, got %v", got)
	}
}

func TestEx1SafeForConcurrentUse(t *testing.T) {
	// Threshold failures arriving at once must all be counted: the last of
	// them opens the breaker. A count updated without the mutex loses some
	// (and go test -race reports it).
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
