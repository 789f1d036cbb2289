package timeout

import (
	"context"
	"errors"
	"math"
	"sync"
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
	errShutdown := errors.New("server shutting down")
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(errShutdown)
	_, err := b.Next(ctx)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errShutdown) || errors.Is(err, ErrBudgetExhausted) {
		t.Errorf("cancelled caller: Next returned %v, want context.Canceled and the cause %q, and not ErrBudgetExhausted", err, errShutdown)
	}
}

// TestBudgetBoundsRetries runs a plain retry loop against an op that always
// hangs. Without a budget, 4 attempts of 2s with 100ms of backoff could take
// 8.3s; with an overall deadline of 5s the loop ends by then. The loop does
// what a retry loop must: it stops on ErrBudgetExhausted, and its backoff
// ends when the overall deadline does.
func TestBudgetBoundsRetries(t *testing.T) {
	for _, tt := range []struct {
		name       string
		minAttempt time.Duration
		want       []time.Duration // how long each attempt that started ran
		wantTotal  time.Duration
		wantCut    bool // the last attempt was cut short by the overall deadline
	}{
		{
			// Attempts start at 0, 2.1s and 4.2s; the third gets only the 0.8s
			// left and the overall deadline ends it, and with it the loop.
			name: "last attempt cut by the overall deadline", minAttempt: 500 * time.Millisecond,
			want: []time.Duration{2 * time.Second, 2 * time.Second, 800 * time.Millisecond}, wantTotal: 5 * time.Second, wantCut: true,
		},
		{
			// At 4.2s only 0.8s is left, less than the 1s minimum: the third
			// attempt never starts, and the caller has its answer 0.8s early.
			name: "attempt refused with too little left", minAttempt: time.Second,
			want: []time.Duration{2 * time.Second, 2 * time.Second}, wantTotal: 4200 * time.Millisecond,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := mustBudget(t, 2*time.Second, tt.minAttempt)
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				defer cancel()
				start := time.Now()

				var (
					mu  sync.Mutex
					ran []time.Duration // how long each attempt that started ran
				)
				attempt := b.Wrap(func(ctx context.Context) error {
					began := time.Now()
					<-ctx.Done() // hangs until the attempt's deadline
					mu.Lock()
					ran = append(ran, time.Since(began))
					mu.Unlock()
					return ctx.Err()
				})

				var err error
				for range 4 {
					if err = attempt(ctx); errors.Is(err, ErrBudgetExhausted) {
						break
					}
					backoff := time.NewTimer(100 * time.Millisecond)
					select {
					case <-backoff.C:
					case <-ctx.Done():
						backoff.Stop()
					}
				}
				synctest.Wait() // every op has returned and recorded its time
				mu.Lock()
				defer mu.Unlock()

				if len(ran) != len(tt.want) {
					t.Fatalf("ran %d attempts (%v), want %d (%v)", len(ran), ran, len(tt.want), tt.want)
				}
				for i := range tt.want {
					if ran[i] != tt.want[i] {
						t.Errorf("attempt %d ran %v, want %v", i+1, ran[i], tt.want[i])
					}
				}
				if !errors.Is(err, ErrBudgetExhausted) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("the loop ended with %v, want an error matching ErrBudgetExhausted and context.DeadlineExceeded", err)
				}
				if got := errors.Is(err, ErrTimeout); got != tt.wantCut {
					t.Errorf("errors.Is(%v, ErrTimeout) = %v, want %v (true only when an attempt was cut short)", err, got, tt.wantCut)
				}
				if elapsed := time.Since(start); elapsed != tt.wantTotal {
					t.Errorf("the loop took %v, want %v: never past the 5s the caller allowed", elapsed, tt.wantTotal)
				}
			})
		})
	}
}

func TestBudgetDoCallerCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustBudget(t, 2*time.Second, 0)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		time.AfterFunc(time.Second, cancel)

		err := b.Do(ctx, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBudgetExhausted) || errors.Is(err, ErrTimeout) {
			t.Errorf("the caller cancelled mid-attempt; Do returned %v, want context.Canceled and neither ErrBudgetExhausted nor ErrTimeout", err)
		}
	})
}

func TestBudgetDoAttemptTimeoutIsNotExhaustion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mustBudget(t, time.Second, 0)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()

		err := b.Do(ctx, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrBudgetExhausted) {
			t.Errorf("the 1s attempt timed out with 4s of the budget left; Do returned %v, want ErrTimeout and not ErrBudgetExhausted", err)
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
		{"attempts overflow saturate", 3, 1 << 62, nil, math.MaxInt64},
		{"backoff overflow saturates", 2, math.MaxInt64 / 2, []time.Duration{math.MaxInt64 / 2, 0}, math.MaxInt64},
		{"sum just fits", 2, math.MaxInt64 / 4, []time.Duration{math.MaxInt64 / 4}, 3 * (math.MaxInt64 / 4)},
		{"negative durations count as zero", 2, -time.Second, []time.Duration{-time.Second}, 0},
	} {
		if got := WorstCase(tt.attempts, tt.perAttempt, tt.backoffs...); got != tt.want {
			t.Errorf("%s: WorstCase = %v, want %v", tt.name, got, tt.want)
		}
	}
}
