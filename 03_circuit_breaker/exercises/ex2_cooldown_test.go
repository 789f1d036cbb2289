package exercises

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"reliability/03_circuit_breaker/breaker"
)

// tripCooldown opens b with Threshold failures.
func tripCooldown(t *testing.T, b *CooldownBreaker) {
	t.Helper()
	for i := range b.Threshold {
		if err := b.Call(fail); !errors.Is(err, errDown) {
			t.Fatalf("failure %d of %d should reach the dependency and return %q, got %v", i+1, b.Threshold, errDown, err)
		}
	}
	if got := b.State(); got != breaker.StateOpen {
		t.Fatalf("after %d failures in a row the breaker should be open, got %v", b.Threshold, got)
	}
}

func TestEx2StaysOpenDuringCooldown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &CooldownBreaker{Threshold: 2, Cooldown: time.Second}
		tripCooldown(t, b)
		time.Sleep(time.Second)
		if got := b.State(); got != breaker.StateOpen {
			t.Fatalf("at exactly the 1s cooldown the breaker should still be open (it half-opens once MORE than Cooldown has passed), got %v", got)
		}
		if err := b.Call(succeed); !errors.Is(err, breaker.ErrOpenState) {
			t.Fatalf("at exactly the 1s cooldown a call should still fail fast with breaker.ErrOpenState, got %v", err)
		}
	})
}

func TestEx2HalfOpenAfterCooldown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &CooldownBreaker{Threshold: 2, Cooldown: time.Second}
		tripCooldown(t, b)
		time.Sleep(500 * time.Millisecond)
		if err := b.Call(succeed); !errors.Is(err, breaker.ErrOpenState) {
			t.Fatalf("500ms into the 1s cooldown a call should fail fast with breaker.ErrOpenState, got %v", err)
		}
		time.Sleep(500*time.Millisecond + time.Millisecond)
		if got := b.State(); got != breaker.StateHalfOpen {
			t.Fatalf("1s + 1ms after it opened the breaker should be half-open, got %v (a call rejected while open must not restart the cooldown, or steady traffic keeps the breaker open for ever)", got)
		}
	})
}

func TestEx2TrialSuccessCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &CooldownBreaker{Threshold: 2, Cooldown: time.Second}
		tripCooldown(t, b)
		time.Sleep(2 * time.Second)
		if err := b.Call(succeed); err != nil {
			t.Fatalf("the trial call after the cooldown should run and succeed, got %v", err)
		}
		if got := b.State(); got != breaker.StateClosed {
			t.Fatalf("a successful trial should close the breaker, got %v", got)
		}
		if err := b.Call(fail); !errors.Is(err, errDown) || b.State() != breaker.StateClosed {
			t.Fatalf("after closing, the failure count starts from zero: one failure (threshold 2) should leave it closed, got error %v and state %v", err, b.State())
		}
	})
}

func TestEx2TrialFailureReopensForAWholeCooldown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &CooldownBreaker{Threshold: 2, Cooldown: time.Second}
		tripCooldown(t, b)
		time.Sleep(2 * time.Second)
		if err := b.Call(fail); !errors.Is(err, errDown) {
			t.Fatalf("the trial call should reach the dependency and return %q, got %v", errDown, err)
		}
		if got := b.State(); got != breaker.StateOpen {
			t.Fatalf("a failed trial should open the breaker again, got %v", got)
		}
		time.Sleep(time.Second - time.Millisecond)
		if got := b.State(); got != breaker.StateOpen {
			t.Fatalf("the cooldown restarts when the trial fails: 999ms later it should still be open, got %v", got)
		}
		time.Sleep(2 * time.Millisecond)
		if got := b.State(); got != breaker.StateHalfOpen {
			t.Fatalf("a full cooldown after the failed trial it should be half-open again, got %v", got)
		}
	})
}

func TestEx2IgnoresResultsOfCallsAdmittedBeforeItOpened(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &CooldownBreaker{Threshold: 2, Cooldown: time.Second}
		// Two slow calls start while the breaker is closed.
		slowSuccess := startHeld(b.Call, nil)
		defer slowSuccess.let()
		slowFailure := startHeld(b.Call, errDown)
		defer slowFailure.let()
		synctest.Wait()
		if !slowSuccess.entered.Load() || !slowFailure.entered.Load() {
			t.Fatalf("a closed breaker should let two slow calls into fn")
		}

		tripCooldown(t, b) // two quick failures open it meanwhile

		if err := slowSuccess.finish(); err != nil {
			t.Fatalf("the slow call's fn returned nil, so Call should return nil, got %v", err)
		}
		if got := b.State(); got != breaker.StateOpen {
			t.Fatalf("a success from a call that started before the breaker opened must not close it: want open, got %v", got)
		}

		time.Sleep(500 * time.Millisecond)
		if err := slowFailure.finish(); !errors.Is(err, errDown) {
			t.Fatalf("the slow call's fn failed, so Call should return %q, got %v", errDown, err)
		}
		time.Sleep(500*time.Millisecond + time.Millisecond)
		if got := b.State(); got != breaker.StateHalfOpen {
			t.Fatalf("a failure from a call that started before the breaker opened must not restart the cooldown: 1s + 1ms after the trip it should be half-open, got %v", got)
		}
	})
}

func TestEx2SafeForConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 50
		for round := range 10 {
			b := &CooldownBreaker{Threshold: n, Cooldown: time.Second}
			// Threshold failures at once: every one must be counted.
			for i, err := range together(n, func() error { return b.Call(fail) }) {
				if !errors.Is(err, errDown) {
					t.Fatalf("round %d: %d goroutines each made one failing call (threshold %d); every call should reach the dependency and return %q, but call %d returned %v",
						round, n, n, errDown, i, err)
				}
			}
			if got := b.State(); got != breaker.StateOpen {
				t.Fatalf("round %d: %d failures from %d goroutines at once (threshold %d) should open the breaker, got %v: some failures were not counted",
					round, n, n, n, got)
			}

			// After the cooldown a crowd of trials, all successful: the
			// first closes the breaker and nothing re-opens it.
			time.Sleep(time.Second + time.Millisecond)
			for i, err := range together(n, func() error { return b.Call(succeed) }) {
				if err != nil {
					t.Fatalf("round %d: after the cooldown every trial should run and succeed (exercise 2 does not limit them), but call %d returned %v", round, i, err)
				}
			}
			if got := b.State(); got != breaker.StateClosed {
				t.Fatalf("round %d: %d successful trials at once should leave the breaker closed, got %v", round, n, got)
			}
		}
	})
}
