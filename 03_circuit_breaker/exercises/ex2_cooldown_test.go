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
		time.Sleep(time.Second - time.Millisecond)
		if err := b.Call(succeed); !errors.Is(err, breaker.ErrOpenState) {
			t.Fatalf("1ms before the cooldown ends a call should fail fast with breaker.ErrOpenState, got %v", err)
		}
	})
}

func TestEx2HalfOpenAfterCooldown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &CooldownBreaker{Threshold: 2, Cooldown: time.Second}
		tripCooldown(t, b)
		time.Sleep(time.Second + time.Millisecond)
		if got := b.State(); got != breaker.StateHalfOpen {
			t.Fatalf("once the 1s cooldown has passed the breaker should be half-open, got %v", got)
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
