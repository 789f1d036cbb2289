package exercises

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestEx1ReturnsOpResult(t *testing.T) {
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
				called := false
				start := time.Now()
				err := WithTimeout(t.Context(), time.Second, func(context.Context) error {
					called = true
					time.Sleep(100 * time.Millisecond)
					return tt.err
				})
				if !called {
					t.Fatalf("op was never called (WithTimeout returned %v)", err)
				}
				if err != tt.err {
					t.Errorf("op returned %v in time, so WithTimeout should return that; got %v", tt.err, err)
				}
				if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
					t.Errorf("op took 100ms, but WithTimeout returned after %v", elapsed)
				}
			})
		})
	}
}

func TestEx1GivesOpADeadline(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		var own, inherited time.Time
		var hasOwn bool
		start := time.Now()
		err := WithTimeout(t.Context(), time.Second, func(ctx context.Context) error {
			own, hasOwn = ctx.Deadline()
			return nil
		})
		if err != nil || !hasOwn {
			t.Fatalf("op should run with a deadline; WithTimeout returned %v and op saw a deadline: %v", err, hasOwn)
		}
		if got := own.Sub(start); got != time.Second {
			t.Errorf("op's deadline is %v away, want 1s", got)
		}

		parent, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		_ = WithTimeout(parent, time.Second, func(ctx context.Context) error {
			inherited, _ = ctx.Deadline()
			return nil
		})
		if got := inherited.Sub(start); got != 300*time.Millisecond {
			t.Errorf("the caller's deadline is 300ms away and should win over 1s; op's deadline is %v away", got)
		}
	})
}

func TestEx1ReturnsOnTime(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		before := bubbleGoroutines()
		release := make(chan struct{})
		started := make(chan struct{})
		stubborn := func(context.Context) error {
			close(started)
			<-release // ignores its context completely
			return nil
		}

		start := time.Now()
		err := WithTimeout(t.Context(), time.Second, stubborn)
		elapsed := time.Since(start)
		select {
		case <-started:
		default:
			t.Fatalf("op was never called (WithTimeout returned %v)", err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("op was still running at the deadline, so the error should match context.DeadlineExceeded; got %v", err)
		}
		if elapsed != time.Second {
			t.Errorf("WithTimeout should give up at the 1s deadline even though op ignores it; it returned after %v", elapsed)
		}

		close(release) // op finally finishes; its result has nowhere to go
		synctest.Wait()
		noLeftovers(t, before, "after op finished")
	})
}

func TestEx1CallerCancels(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(200*time.Millisecond, cancel)

		start := time.Now()
		err := WithTimeout(ctx, time.Second, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the caller cancelled at 200ms, so the error should match context.Canceled; got %v", err)
		}
		if elapsed := time.Since(start); elapsed != 200*time.Millisecond {
			t.Errorf("WithTimeout should return when the caller cancels (200ms); it returned after %v", elapsed)
		}
	})
}
