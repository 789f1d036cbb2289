package exercises

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"
)

func TestEx1ReturnsOpResult(t *testing.T) {
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
				called := 0
				start := time.Now()
				err := WithTimeout(t.Context(), time.Second, func(context.Context) error {
					called++
					time.Sleep(100 * time.Millisecond) // ignores ctx, but is done long before the deadline
					return tt.err
				})
				elapsed := time.Since(start)
				if called != 1 {
					t.Fatalf("op was called %d times, want once (WithTimeout returned %v)", called, err)
				}
				if err != tt.err {
					t.Errorf("op returned %v after 100ms, well within the 1s timeout, so WithTimeout should return exactly that; got %v", tt.err, err)
				}
				if elapsed != 100*time.Millisecond {
					t.Errorf("op took 100ms, but WithTimeout returned after %v", elapsed)
				}
			})
		})
	}
}

func TestEx1GivesOpADeadline(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		var own, inherited time.Time
		var hasOwn bool
		start := time.Now()
		err := WithTimeout(t.Context(), time.Second, func(ctx context.Context) error {
			own, hasOwn = ctx.Deadline()
			return nil
		})
		if err != nil {
			t.Fatalf("op returned nil at once; WithTimeout returned %v", err)
		}
		if !hasOwn {
			t.Fatalf("op's context has no deadline: did you pass op the caller's ctx instead of the context that context.WithTimeout returned?")
		}
		if got := own.Sub(start); got != time.Second {
			t.Errorf("op's deadline is %v away, want the 1s timeout", got)
		}

		parent, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		_ = WithTimeout(parent, time.Second, func(ctx context.Context) error {
			inherited, _ = ctx.Deadline()
			return nil
		})
		if got := inherited.Sub(start); got != 300*time.Millisecond {
			t.Errorf("the caller's deadline is 300ms away and should win over the 1s timeout; op's deadline is %v away: "+
				"is op's context derived from the caller's ctx (not context.Background())?", got)
		}
	})
}

// TestEx1EndsOpContext checks that op's context has ended once WithTimeout
// returns, even when op finished early. Otherwise it lives on until its
// deadline, with its timer and anything op left waiting on it.
func TestEx1EndsOpContext(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		var opCtx context.Context
		err := WithTimeout(t.Context(), time.Hour, func(ctx context.Context) error {
			opCtx = ctx
			return nil
		})
		if err != nil || opCtx == nil {
			t.Fatalf("op returned nil at once; WithTimeout returned %v (op called: %v)", err, opCtx != nil)
		}
		if _, ok := opCtx.Deadline(); !ok {
			t.Fatalf("op's context has no deadline: did you pass op the caller's ctx instead of the context that context.WithTimeout returned?")
		}
		if opCtx.Err() == nil {
			t.Errorf("WithTimeout returned, but op's context is still alive and would stay so until its deadline, an hour " +
				"away: did you forget to call cancel? Call the CancelFunc from context.WithTimeout on every path (defer cancel())")
		}
	})
}

func TestEx1ReturnsOnTime(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		before := bubbleGoroutines()
		started := make(chan struct{})
		release := make(chan struct{})
		// The op ignores its context completely; it finishes an hour later.
		time.AfterFunc(time.Hour, func() { close(release) })
		stubborn := func(context.Context) error {
			close(started)
			<-release
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
		switch {
		case elapsed == time.Hour:
			t.Errorf("WithTimeout returned after 1h, when op finished, not at its 1s deadline: it waited for op. "+
				"Run op in a goroutine and return when op's context ends, without waiting for op (got %v)", err)
		case elapsed != time.Second:
			t.Errorf("WithTimeout should give up at the 1s deadline even though op ignores it; it returned after %v (%v)", elapsed, err)
		}
		switch {
		case err == nil:
			t.Errorf("op was still running at the deadline, yet WithTimeout returned nil: is the error read from the " +
				"caller's ctx, which has not ended, instead of op's context?")
		case !errors.Is(err, context.DeadlineExceeded):
			t.Errorf("op was still running at the deadline, so the error should match context.DeadlineExceeded; got %v", err)
		}

		time.Sleep(time.Hour) // op finally finishes; its result has nowhere to go
		synctest.Wait()
		noLeftovers(t, before, "after op finished")
	})
}

func TestEx1CallerCancels(t *testing.T) {
	started(t)
	errLeft := errors.New("user closed the page")
	for _, tt := range []struct {
		name   string
		cancel func(context.Context) (context.Context, context.CancelFunc)
	}{
		{"context.WithCancel", context.WithCancel},
		// With a cause, context.Cause(ctx) is the cause, which matches
		// neither context error: only ctx.Err() says Canceled.
		{"context.WithCancelCause", func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancelCause(ctx)
			return ctx, func() { cancel(errLeft) }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				ctx, cancel := tt.cancel(t.Context())
				defer cancel()
				time.AfterFunc(200*time.Millisecond, cancel)

				start := time.Now()
				err := WithTimeout(ctx, time.Second, func(ctx context.Context) error {
					<-ctx.Done()
					return ctx.Err()
				})
				elapsed := time.Since(start)
				if elapsed != 200*time.Millisecond {
					t.Errorf("WithTimeout should return when the caller cancels (200ms); it returned after %v: does it wait on "+
						"the Done channel of op's context, derived from ctx, rather than on a timer of its own (time.After)?", elapsed)
				}
				if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("the caller cancelled at 200ms, so the error should match context.Canceled, not DeadlineExceeded; "+
						"got %v: ctx.Err() of op's context says which way it ended%s", err, causeHint(err, errLeft))
				}
			})
		})
	}
}

// TestEx1NoTimeLeft: a d of zero or less is a deadline that has already
// passed, not "no timeout". op's context has ended before op starts, and
// WithTimeout reports the deadline at once.
func TestEx1NoTimeLeft(t *testing.T) {
	started(t)
	for _, d := range []time.Duration{0, -time.Second} {
		inBubble(t, func(t *testing.T) {
			start := time.Now()
			err := WithTimeout(t.Context(), d, func(ctx context.Context) error {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Hour): // the work, if nothing stops it
					return nil
				}
			})
			if elapsed := time.Since(start); elapsed != 0 || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("WithTimeout(ctx, %v, op): a timeout of %v has already passed, so op's context should have "+
					"ended before op started and WithTimeout should return at once with an error matching "+
					"context.DeadlineExceeded; it returned %v after %v. Is a d of 0 or less taken as \"no timeout\"? "+
					"context.WithTimeout handles it: the context it returns has already ended", d, d, err, elapsed)
			}
		})
	}
}

// TestEx1CallerDeadlineOnStubbornOp: the caller's deadline is earlier than
// the timeout and op ignores its context. WithTimeout must still return at
// the caller's deadline.
func TestEx1CallerDeadlineOnStubbornOp(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := WithTimeout(ctx, time.Second, func(context.Context) error {
			time.Sleep(2 * time.Second) // ignores its context
			return nil
		})
		if elapsed := time.Since(start); elapsed != 300*time.Millisecond {
			t.Errorf("the caller's deadline is 300ms away, sooner than the 1s timeout; WithTimeout returned after %v: "+
				"does it wait on the Done channel of op's context, derived from ctx, rather than on a timer of its own?", elapsed)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the caller's deadline passed first; the error should match context.DeadlineExceeded; got %v", err)
		}
		time.Sleep(2 * time.Second) // let the stubborn op finish before the bubble ends
	})
}

// finishesAtTheDeadline is an op whose work ends at the very moment its
// deadline passes: it returns result once a context derived from its own
// has ended. When the deadline fires, the context package closes op's Done
// channel first and the derived context's after, so WithTimeout is woken
// by the deadline and op's goroutine is made ready after it; on one
// processor op then runs first, and its result is in the channel before
// WithTimeout looks again.
func finishesAtTheDeadline(result error) func(context.Context) error {
	return func(ctx context.Context) error {
		inner, cancel := context.WithCancel(ctx)
		defer cancel()
		<-inner.Done()
		return result
	}
}

// keptAtTheDeadline calls WithTimeout with finishesAtTheDeadline(result)
// tries times, each in its own bubble, and counts the calls that returned
// result. It runs them on one processor, where op's result is always in
// the channel by the time WithTimeout looks a second time, so a correct
// WithTimeout keeps every one. The race detector shuffles the scheduler's
// choices on purpose; with it on, only never keeping the result is a sure
// sign of the bug.
func keptAtTheDeadline(t *testing.T, result error, tries int) (kept int, sure bool) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for range tries {
		inBubble(t, func(t *testing.T) {
			switch err := WithTimeout(t.Context(), time.Second, finishesAtTheDeadline(result)); {
			case err == result:
				kept++
			case !errors.Is(err, context.DeadlineExceeded):
				t.Errorf("got %v, want %v (op's result) or, at worst, an error matching context.DeadlineExceeded", err, result)
			}
		})
	}
	return kept, !raceDetector
}

// TestEx1ResultAtTheDeadline: a result that is ready when WithTimeout sees
// the deadline must be returned. A plain select loses it every time here:
// a select woken by the deadline takes the deadline's case. A second look
// that is a select with the Done case too keeps it in about half the
// tries, and in all 40 only once in a trillion runs.
func TestEx1ResultAtTheDeadline(t *testing.T) {
	started(t)
	const tries = 40
	kept, sure := keptAtTheDeadline(t, nil, tries)
	switch {
	case kept == 0:
		t.Errorf("op finished at its deadline with its result ready, and WithTimeout threw the result away in all "+
			"%d tries (the caller would redo finished work): when the Done case wins, look at the result channel "+
			"once more before reporting the deadline", tries)
	case kept < tries && sure:
		t.Errorf("op finished at its deadline with its result ready, and WithTimeout threw the result away in %d of "+
			"%d tries: is the second look a select that has the Done case too? With both ready, a select picks at "+
			"random; look at the result channel alone, with a default case", tries-kept, tries)
	}
}

// TestEx1ErrorAtTheDeadline is TestEx1ResultAtTheDeadline with an op that
// fails at the deadline in its own words: the result that is ready is op's
// error, and that is what the caller should get, not the timeout.
func TestEx1ErrorAtTheDeadline(t *testing.T) {
	started(t)
	const tries = 40
	errOwn := errors.New("rolled back")
	kept, sure := keptAtTheDeadline(t, errOwn, tries)
	if kept == 0 || (kept < tries && sure) {
		t.Errorf("op failed with %q at its deadline, its result ready, and WithTimeout reported the deadline instead "+
			"in %d of %d tries: a result that is ready wins over the deadline whatever it is, an error as much as nil. "+
			"When the second look at the result channel finds a value, return it as it is", errOwn, tries-kept, tries)
	}
}
