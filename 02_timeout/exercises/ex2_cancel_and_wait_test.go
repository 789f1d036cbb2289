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
			t.Errorf("CancelAndWait returned while op was still cleaning up: its goroutine outlived the call")
		}
		if elapsed != 3*time.Second {
			t.Errorf("CancelAndWait should return when op has stopped: 2s deadline + 1s clean-up = 3s; it returned after %v", elapsed)
		}
		synctest.Wait()
		noLeftovers(t, before, "right after CancelAndWait returned")
		time.Sleep(time.Second) // let a leaked clean-up finish before the bubble ends
	})
}

func TestEx2ReturnsOpResult(t *testing.T) {
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
					t.Errorf("op returned %v in time, so CancelAndWait should return that; got %v", tt.err, err)
				}
				if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
					t.Errorf("op took 100ms, but CancelAndWait returned after %v", elapsed)
				}
			})
		})
	}
}

func TestEx2CancelsOp(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		var running atomic.Int32
		start := time.Now()
		err := CancelAndWait(t.Context(), time.Second, slowToStop(&running, time.Hour, 0, nil))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the error should match context.DeadlineExceeded; got %v", err)
		}
		if elapsed := time.Since(start); elapsed != time.Second {
			t.Errorf("op stops as soon as its context ends, so CancelAndWait should return at the 1s deadline; it returned after %v (does op's context carry the deadline?)", elapsed)
		}
	})
}

func TestEx2CallerCancels(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(300*time.Millisecond, cancel)

		var running atomic.Int32
		start := time.Now()
		err := CancelAndWait(ctx, time.Second, slowToStop(&running, time.Hour, 0, nil))
		if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the caller cancelled at 300ms, so the error should match context.Canceled (not DeadlineExceeded); got %v", err)
		}
		if elapsed := time.Since(start); elapsed != 300*time.Millisecond {
			t.Errorf("CancelAndWait should return when the caller cancels (300ms); it returned after %v", elapsed)
		}
	})
}

// TestEx2ReportsWhyOpStopped uses an op that, once its context
// ends, fails in its own words, as a network client whose connection was
// torn down does. The real reason is the deadline or the cancellation, and
// that is what CancelAndWait should report.
func TestEx2ReportsWhyOpStopped(t *testing.T) {
	errReset := errors.New("conn reset")
	resetOnCancel := func(ctx context.Context) error {
		<-ctx.Done()
		return errReset
	}

	t.Run("deadline", func(t *testing.T) {
		inBubble(t, func(t *testing.T) {
			err := CancelAndWait(t.Context(), time.Second, resetOnCancel)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("op failed with %q only because its 1s deadline passed, so the error should match context.DeadlineExceeded; got %v", errReset, err)
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
				t.Errorf("op failed with %q only because the caller cancelled, so the error should match context.Canceled (not DeadlineExceeded); got %v", errReset, err)
			}
		})
	})
}
