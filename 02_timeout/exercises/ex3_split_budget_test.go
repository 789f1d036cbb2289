package exercises

import (
	"context"
	"errors"
	"testing"
	"time"
)

// attemptDeadline calls AttemptContext and returns how far away the
// attempt's deadline is, failing the test on an error or a missing deadline.
func attemptDeadline(t *testing.T, ctx context.Context, perAttempt, minUseful time.Duration) time.Duration {
	t.Helper()
	actx, cancel, err := AttemptContext(ctx, perAttempt, minUseful)
	if err != nil {
		t.Fatalf("AttemptContext(%v, %v) returned %v, want an attempt context", perAttempt, minUseful, err)
	}
	if actx == nil || cancel == nil {
		t.Fatalf("AttemptContext returned no error but a nil context or CancelFunc")
	}
	defer cancel()
	deadline, ok := actx.Deadline()
	if !ok {
		t.Fatalf("the attempt's context has no deadline")
	}
	return time.Until(deadline)
}

func TestEx3SplitsTheBudget(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		overall, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()

		if got := attemptDeadline(t, overall, 2*time.Second, 200*time.Millisecond); got != 2*time.Second {
			t.Errorf("with 5s left, an attempt should get its full 2s; it got %v", got)
		}
		time.Sleep(4 * time.Second)
		if got := attemptDeadline(t, overall, 2*time.Second, 200*time.Millisecond); got != time.Second {
			t.Errorf("with 1s left, an attempt should get only that 1s, not 2s; it got %v", got)
		}
		time.Sleep(800 * time.Millisecond)
		if got := attemptDeadline(t, overall, 2*time.Second, 200*time.Millisecond); got != 200*time.Millisecond {
			t.Errorf("with exactly the 200ms minimum left, an attempt should still start and get those 200ms; it got %v", got)
		}
	})
}

func TestEx3RefusesTooLittleTime(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		overall, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		time.Sleep(4900 * time.Millisecond)

		actx, acancel, err := AttemptContext(overall, 2*time.Second, 200*time.Millisecond)
		if !errors.Is(err, ErrBudgetSpent) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("with 100ms left and 200ms needed, the error should match ErrBudgetSpent and context.DeadlineExceeded; got %v", err)
		}
		if actx != nil || acancel != nil {
			t.Errorf("no attempt should start: want a nil context and CancelFunc")
			if acancel != nil {
				acancel()
			}
		}

		time.Sleep(time.Second) // now past the overall deadline
		if _, _, err := AttemptContext(overall, 2*time.Second, 0); !errors.Is(err, ErrBudgetSpent) {
			t.Errorf("past the overall deadline, even with no minimum, the error should match ErrBudgetSpent; got %v", err)
		}
	})
}

func TestEx3WithoutOverallDeadline(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		if got := attemptDeadline(t, t.Context(), 2*time.Second, 0); got != 2*time.Second {
			t.Errorf("with no overall deadline, an attempt should get the full 2s; it got %v", got)
		}
	})
}

func TestEx3RejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		name                  string
		perAttempt, minUseful time.Duration
	}{
		{"zero per-attempt timeout", 0, 0},
		{"negative per-attempt timeout", -time.Second, 0},
		{"negative minimum", time.Second, -time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			actx, cancel, err := AttemptContext(t.Context(), tt.perAttempt, tt.minUseful)
			if cancel != nil {
				cancel()
			}
			if !errors.Is(err, ErrBadBudget) || actx != nil {
				t.Errorf("AttemptContext(%v, %v) = %v, %v; want a nil context and an error matching ErrBadBudget",
					tt.perAttempt, tt.minUseful, actx, err)
			}
		})
	}
}

// TestEx3BoundsARetryLoop runs a retry loop against an op that
// always hangs: 4 attempts of 2s with 100ms backoff would take 8.3s, but
// the caller allowed 5s.
func TestEx3BoundsARetryLoop(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		overall, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()

		var ran []time.Duration
		for range 4 {
			actx, acancel, err := AttemptContext(overall, 2*time.Second, 500*time.Millisecond)
			if err != nil {
				break
			}
			began := time.Now()
			<-actx.Done() // the attempt hangs until its deadline
			acancel()
			ran = append(ran, time.Since(began))
			time.Sleep(100 * time.Millisecond) // backoff
		}

		want := []time.Duration{2 * time.Second, 2 * time.Second, 800 * time.Millisecond}
		if len(ran) != len(want) || ran[0] != want[0] || ran[1] != want[1] || ran[2] != want[2] {
			t.Errorf("attempts ran %v, want %v: two full attempts, a third with the 0.8s left, and no fourth", ran, want)
		}
		if elapsed := time.Since(start); elapsed > 5100*time.Millisecond {
			t.Errorf("the loop took %v; with a 5s budget it should be done by 5.1s (budget + one backoff)", elapsed)
		}
	})
}
