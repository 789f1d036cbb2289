package exercises

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// slowToStop is a cooperative op: it works for work, or until its context
// ends, and then needs cleanup to wind down before it returns.
func slowToStop(running *atomic.Int32, work, cleanup time.Duration, result error) func(context.Context) error {
	return func(ctx context.Context) error {
		running.Add(1)
		defer running.Add(-1)
		select {
		case <-time.After(work):
			return result
		case <-ctx.Done():
			time.Sleep(cleanup) // e.g. rolling back a transaction
			return ctx.Err()
		}
	}
}

func TestEx2LeavesNothingBehind(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		before := bubbleGoroutines()
		var running atomic.Int32
		op := slowToStop(&running, time.Hour, time.Second, nil)

		start := time.Now()
		err := CancelAndWait(t.Context(), 2*time.Second, op)
		elapsed := time.Since(start)
		stillRunning := running.Load()

		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("op was cut off by the 2s deadline, so the error should match context.DeadlineExceeded; got %v", err)
		}
		if stillRunning != 0 {
			t.Errorf("CancelAndWait returned after %v while op was still cleaning up: its goroutine outlived the call. "+
				"Did it return at the deadline instead of waiting for op to return?", elapsed)
		} else if elapsed != 3*time.Second {
			t.Errorf("CancelAndWait should return when op has stopped: 2s deadline + 1s clean-up = 3s; it returned after %v", elapsed)
		}
		synctest.Wait()
		noLeftovers(t, before, "right after CancelAndWait returned")
		time.Sleep(time.Second) // let a leaked clean-up finish before the bubble ends
	})
}

func TestEx2ReturnsOpResult(t *testing.T) {
	started(t)
	errDown := errors.New("service down")
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"success", nil},
		{"failure", errDown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				var running atomic.Int32
				start := time.Now()
				err := CancelAndWait(t.Context(), time.Second, slowToStop(&running, 100*time.Millisecond, 0, tt.err))
				if err != tt.err {
					t.Errorf("op returned %v in time, so CancelAndWait should return exactly that; got %v", tt.err, err)
				}
				if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
					t.Errorf("op took 100ms, but CancelAndWait returned after %v", elapsed)
				}
			})
		})
	}
}

// TestEx2KeepsLateSuccess: op ignores its context and finishes its work
// after the deadline. The work is done; a timeout would make the caller
// redo it (lesson 01's double payment).
func TestEx2KeepsLateSuccess(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		start := time.Now()
		err := CancelAndWait(t.Context(), time.Second, func(context.Context) error {
			time.Sleep(2 * time.Second) // ignores its context
			return nil
		})
		switch elapsed := time.Since(start); {
		case elapsed != 2*time.Second:
			t.Errorf("op ignores its context and takes 2s; CancelAndWait must wait for it, but returned after %v (%v)", elapsed, err)
		case err != nil:
			t.Errorf("op finished its work and returned nil, after its 1s deadline; CancelAndWait returned %v. "+
				"A late success is still a success: report the context's error only when op failed (err != nil)", err)
		}
		time.Sleep(2 * time.Second) // if CancelAndWait did not wait, let op finish before the bubble ends
	})
}

// TestEx2EndsOpContext checks that op's context has ended once
// CancelAndWait returns, even when op finished early.
func TestEx2EndsOpContext(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		var opCtx context.Context
		err := CancelAndWait(t.Context(), time.Hour, func(ctx context.Context) error {
			opCtx = ctx
			return nil
		})
		if err != nil || opCtx == nil {
			t.Fatalf("op returned nil at once; CancelAndWait returned %v (op called: %v)", err, opCtx != nil)
		}
		if _, ok := opCtx.Deadline(); !ok {
			t.Fatalf("op's context has no deadline: did you pass op the caller's ctx instead of the context that context.WithTimeout returned?")
		}
		if opCtx.Err() == nil {
			t.Errorf("CancelAndWait returned, but op's context is still alive and would stay so until its deadline, " +
				"an hour away: did you forget to call cancel? defer cancel() right after context.WithTimeout")
		}
	})
}

func TestEx2CancelsOp(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		var running atomic.Int32
		start := time.Now()
		err := CancelAndWait(t.Context(), time.Second, slowToStop(&running, time.Hour, 0, nil))
		if elapsed := time.Since(start); elapsed != time.Second {
			t.Errorf("op stops as soon as its context ends, so CancelAndWait should return at the 1s deadline; it returned "+
				"after %v: does op's context carry the deadline (the context that context.WithTimeout returned)?", elapsed)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the error should match context.DeadlineExceeded; got %v", err)
		}
	})
}

func TestEx2CallerCancels(t *testing.T) {
	started(t)
	errLeft := errors.New("user closed the page")
	for _, tt := range []struct {
		name   string
		cancel func(context.Context) (context.Context, context.CancelFunc)
	}{
		{"context.WithCancel", context.WithCancel},
		{"context.WithCancelCause", func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancelCause(ctx)
			return ctx, func() { cancel(errLeft) }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				ctx, cancel := tt.cancel(t.Context())
				defer cancel()
				time.AfterFunc(300*time.Millisecond, cancel)

				var running atomic.Int32
				start := time.Now()
				err := CancelAndWait(ctx, time.Second, slowToStop(&running, time.Hour, 0, nil))
				if elapsed := time.Since(start); elapsed != 300*time.Millisecond {
					t.Errorf("CancelAndWait should return when the caller cancels (300ms); it returned after %v: "+
						"is op's context derived from ctx (not context.Background())?", elapsed)
				}
				if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("the caller cancelled at 300ms, so the error should match context.Canceled (not DeadlineExceeded); got %v%s",
						err, causeHint(err, errLeft))
				}
			})
		})
	}
}

// TestEx2CallerDeadlineWithCause: the caller's own deadline, with a cause,
// is earlier than d.
func TestEx2CallerDeadlineWithCause(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		errSpent := errors.New("checkout budget spent")
		ctx, cancel := context.WithTimeoutCause(t.Context(), 300*time.Millisecond, errSpent)
		defer cancel()

		var running atomic.Int32
		start := time.Now()
		err := CancelAndWait(ctx, time.Second, slowToStop(&running, time.Hour, 0, nil))
		if elapsed := time.Since(start); elapsed != 300*time.Millisecond {
			t.Errorf("the caller's deadline is 300ms away and should win over 1s; CancelAndWait returned after %v", elapsed)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the caller's deadline passed, so the error should match context.DeadlineExceeded; got %v%s", err, causeHint(err, errSpent))
		}
	})
}

// TestEx2ReportsWhyOpStopped uses an op that, once its context ends, fails
// in its own words, as a network client whose connection was torn down
// does. The real reason is the deadline or the cancellation, and that is
// what CancelAndWait should report.
func TestEx2ReportsWhyOpStopped(t *testing.T) {
	started(t)
	errReset := errors.New("conn reset")
	resetOnCancel := func(ctx context.Context) error {
		<-ctx.Done()
		return errReset
	}
	hint := func(err error) string {
		if errors.Is(err, errReset) {
			return ": that is op's own word for it; when op fails after its context ended, return ctx.Err() of op's context"
		}
		return ""
	}

	t.Run("deadline", func(t *testing.T) {
		inBubble(t, func(t *testing.T) {
			err := CancelAndWait(t.Context(), time.Second, resetOnCancel)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("op failed with %q only because its 1s deadline passed, so the error should match context.DeadlineExceeded; got %v%s",
					errReset, err, hint(err))
			}
		})
	})
	t.Run("caller cancels", func(t *testing.T) {
		inBubble(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			time.AfterFunc(300*time.Millisecond, cancel)

			err := CancelAndWait(ctx, time.Second, resetOnCancel)
			if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("op failed with %q only because the caller cancelled, so the error should match context.Canceled (not DeadlineExceeded); got %v%s",
					errReset, err, hint(err))
			}
		})
	})
}

// TestEx2NoTimeLeft: a d of zero or less is a deadline that has already
// passed, not "no timeout": op's context has ended before op starts.
func TestEx2NoTimeLeft(t *testing.T) {
	started(t)
	for _, d := range []time.Duration{0, -time.Second} {
		inBubble(t, func(t *testing.T) {
			var running atomic.Int32
			start := time.Now()
			err := CancelAndWait(t.Context(), d, slowToStop(&running, time.Hour, 0, nil))
			if elapsed := time.Since(start); elapsed != 0 || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("CancelAndWait(ctx, %v, op): a timeout of %v has already passed, so op's context should have "+
					"ended before op started, and op, which stops when its context ends, should return at once; "+
					"CancelAndWait returned %v after %v, want an error matching context.DeadlineExceeded at once. "+
					"Is a d of 0 or less taken as \"no timeout\"? context.WithTimeout handles it: the context it "+
					"returns has already ended", d, d, err, elapsed)
			}
		})
	}
}
