package timeout

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func mustBudget(t *testing.T, perAttempt, minAttempt time.Duration) Budget {
	t.Helper()
	b, err := NewBudget(perAttempt, minAttempt)
	if err != nil {
		t.Fatalf("NewBudget(%v, %v): %v", perAttempt, minAttempt, err)
	}
	return b
}

func TestNewBudgetRejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		perAttempt, minAttempt time.Duration
	}{
		{"zero per-attempt timeout", 0, 0},
		{"negative per-attempt timeout", -time.Second, 0},
		{"negative minimum", time.Second, -time.Millisecond},
		{"minimum above the per-attempt timeout", time.Second, 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBudget(tt.perAttempt, tt.minAttempt)
			if !errors.Is(err, ErrInvalidTimeout) {
				t.Errorf("NewBudget(%v, %v) = %v, want an error wrapping ErrInvalidTimeout", tt.perAttempt, tt.minAttempt, err)
			}
		})
	}
}

func TestZeroBudgetIsRejected(t *testing.T) {
	var b Budget
	if _, err := b.Next(t.Context()); !errors.Is(err, ErrInvalidTimeout) {
		t.Errorf("zero Budget: Next returned %v, want ErrInvalidTimeout", err)
	}
	called := false
	err := b.Do(t.Context(), func(context.Context) error { called = true; return nil })
	if !errors.Is(err, ErrInvalidTimeout) || called {
		t.Errorf("zero Budget: Do returned %v and called op = %v; want ErrInvalidTimeout without calling op", err, called)
	}
}

// TestBudgetNext walks through an overall deadline of 5s with a per-attempt
// timeout of 2s and a minimum of 200ms.
func TestBudgetNext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustBudget(t, 2*time.Second, 200*time.Millisecond)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()

		for _, step := range []struct {
			at        time.Duration // since start
			want      time.Duration
			exhausted bool
		}{
			{at: 0, want: 2 * time.Second},
			{at: 3 * time.Second, want: 2 * time.Second}, // exactly 2s left
			{at: 4 * time.Second, want: time.Second},     // less than a full attempt left
			{at: 4800 * time.Millisecond, want: 200 * time.Millisecond},
			{at: 4900 * time.Millisecond, exhausted: true}, // 100ms is too little to start
			{at: 5 * time.Second, exhausted: true},
		} {
			time.Sleep(time.Until(start.Add(step.at)))
			got, err := b.Next(ctx)
			switch {
			case step.exhausted:
				if !errors.Is(err, ErrBudgetExhausted) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("at %v: Next = %v, %v; want an error matching ErrBudgetExhausted and context.DeadlineExceeded", step.at, got, err)
				}
			case err != nil || got != step.want:
				t.Errorf("at %v: Next = %v, %v; want %v", step.at, got, err, step.want)
			}
		}
	})
}

func TestBudgetNextWithoutDeadline(t *testing.T) {
	b := mustBudget(t, 2*time.Second, 0)
	if got, err := b.Next(t.Context()); err != nil || got != 2*time.Second {
		t.Errorf("no overall deadline: Next = %v, %v; want the per-attempt timeout 2s", got, err)
	}
}

func TestBudgetNextCancelled(t *testing.T) {
	b := mustBudget(t, 2*time.Second, 0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := b.Next(ctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBudgetExhausted) {
		t.Errorf("cancelled caller: Next returned %v, want context.Canceled and not ErrBudgetExhausted", err)
	}
}

// TestBudgetBoundsRetries runs a plain retry loop against an op that always
// hangs. Without a budget, 4 attempts of 2s with 100ms of backoff could take
// 8.3s; with an overall deadline of 5s the loop ends by then.
func TestBudgetBoundsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustBudget(t, 2*time.Second, 500*time.Millisecond)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()

		var calls atomic.Int32
		attempt := b.Wrap(func(ctx context.Context) error {
			calls.Add(1)
			<-ctx.Done() // hangs until the attempt's deadline
			return ctx.Err()
		})

		var attempts []time.Duration // how long each attempt kept the loop waiting
		var err error
		for range 4 {
			began := time.Now()
			if err = attempt(ctx); errors.Is(err, ErrBudgetExhausted) {
				break
			}
			attempts = append(attempts, time.Since(began))
			time.Sleep(100 * time.Millisecond) // backoff
		}

		// Attempts start at 0, 2.1s and 4.2s; the third has only 0.8s left.
		// At 5.1s nothing is left, so the fourth never starts.
		want := []time.Duration{2 * time.Second, 2 * time.Second, 800 * time.Millisecond}
		if len(attempts) != len(want) {
			t.Fatalf("ran %d attempts (%v), want %d (%v)", len(attempts), attempts, len(want), want)
		}
		if n := calls.Load(); n != int32(len(want)) {
			t.Errorf("op was called %d times, want %d: an exhausted budget must not start an attempt", n, len(want))
		}
		for i := range want {
			if attempts[i] != want[i] {
				t.Errorf("attempt %d ran %v, want %v", i+1, attempts[i], want[i])
			}
		}
		if !errors.Is(err, ErrBudgetExhausted) {
			t.Errorf("the loop ended with %v, want ErrBudgetExhausted", err)
		}
		if elapsed := time.Since(start); elapsed != 5100*time.Millisecond {
			t.Errorf("the loop took %v, want 5.1s (the 5s budget plus the last backoff)", elapsed)
		}
		if worst := WorstCase(4, 2*time.Second, 100*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond); worst != 8300*time.Millisecond {
			t.Errorf("WorstCase without a budget = %v, want 8.3s", worst)
		}
	})
}

func TestBudgetDoPassesResultThrough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustBudget(t, time.Second, 0)
		if err := b.Do(t.Context(), func(context.Context) error { return errBoom }); !errors.Is(err, errBoom) {
			t.Errorf("Do returned %v, want op's own error %v", err, errBoom)
		}
		if err := b.Do(t.Context(), func(context.Context) error { return nil }); err != nil {
			t.Errorf("Do returned %v, want nil from a successful op", err)
		}
	})
}

func TestWorstCase(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		name       string
		attempts   int
		perAttempt time.Duration
		backoffs   []time.Duration
		want       time.Duration
	}{
		{"3 attempts of 2s plus 100ms and 200ms backoff", 3, 2 * time.Second, []time.Duration{100 * ms, 200 * ms}, 6300 * ms},
		{"no backoff", 3, 2 * time.Second, nil, 6 * time.Second},
		{"one attempt never waits", 1, 2 * time.Second, []time.Duration{time.Second}, 2 * time.Second},
		{"extra backoffs are ignored", 2, time.Second, []time.Duration{100 * ms, 200 * ms, 400 * ms}, 2100 * ms},
		{"no attempts", 0, time.Second, []time.Duration{100 * ms}, 0},
	} {
		if got := WorstCase(tt.attempts, tt.perAttempt, tt.backoffs...); got != tt.want {
			t.Errorf("%s: WorstCase = %v, want %v", tt.name, got, tt.want)
		}
	}
}
