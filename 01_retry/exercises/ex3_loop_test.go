package exercises

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"reliability/01_retry/retry"
)

var errFlaky = errors.New("flaky failure")

func checkRunaway(t *testing.T, calls int) {
	t.Helper()
	if calls > maxCalls {
		t.Fatalf("op was called %d times and Retry is still going: does the loop stop after attempts calls, also when attempts < 1?", calls)
	}
}

// failTimes returns an op that fails its first n calls with err and then
// succeeds, and a pointer to its call count.
func failTimes(t *testing.T, n int, err error) (func(context.Context) error, *int) {
	calls := 0
	return func(context.Context) error {
		calls++
		checkRunaway(t, calls)
		if calls <= n {
			return err
		}
		return nil
	}, &calls
}

func TestEx3RetrySucceedsAfterFailures(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		op, calls := failTimes(t, 2, errFlaky)
		start := time.Now()
		err := Retry(t.Context(), 5, time.Second, op)
		if err != nil {
			t.Fatalf("op fails twice and then succeeds; Retry with 5 attempts returned %v, want nil", err)
		}
		if *calls != 3 {
			t.Errorf("op was called %d times, want 3 (two failures, then the success; stop as soon as op succeeds)", *calls)
		}
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("Retry took %v, want 2s: two waits of 1s, one after each failure (no wait before the first attempt, and the same delay every time)", took)
		}
	})
}

func TestEx3RetrySucceedsOnTheLastAttempt(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		op, calls := failTimes(t, 2, errFlaky)
		if err := Retry(t.Context(), 3, time.Second, op); err != nil || *calls != 3 {
			t.Errorf("op fails twice and then succeeds; Retry with 3 attempts returned %v after %d calls, want nil after 3: the third attempt is allowed and its success counts (off by one?)", err, *calls)
		}
		op, calls = failTimes(t, 0, nil)
		if err := Retry(t.Context(), 1, time.Second, op); err != nil || *calls != 1 {
			t.Errorf("op succeeds at once; Retry with 1 attempt returned %v after %d calls, want nil after 1", err, *calls)
		}
	})
}

func TestEx3RetryGivesUp(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		errs := []error{errors.New("failure 1"), errors.New("failure 2"), errors.New("failure 3"), errors.New("failure 4")}
		calls := 0
		op := func(context.Context) error {
			calls++
			checkRunaway(t, calls)
			return errs[min(calls, len(errs))-1]
		}
		start := time.Now()
		err := Retry(t.Context(), 3, time.Second, op)
		if calls != 3 {
			t.Errorf("op was called %d times, want exactly 3 (attempts counts the first call too; off by one?)", calls)
		}
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("Retry took %v, want 2s: two waits of 1s between three attempts, and no wait after the last attempt", took)
		}
		switch {
		case err == nil:
			t.Errorf("after 3 failed attempts Retry returned nil: giving up must return an error wrapping op's last error")
		case calls == 3 && !errors.Is(err, errs[2]):
			t.Errorf("after 3 failed attempts Retry returned %q, want an error wrapping op's last error %q (errors.Is must find it; the last one, not the first)", err, errs[2])
		}
	})
}

func TestEx3RetryAtLeastOnce(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		for _, attempts := range []int{0, -1} {
			op, calls := failTimes(t, 100, errFlaky)
			start := time.Now()
			err := Retry(t.Context(), attempts, time.Second, op)
			if *calls != 1 {
				t.Errorf("with attempts = %d, op was called %d times, want 1: attempts below 1 count as 1 (returning without calling op hides every failure)", attempts, *calls)
			}
			if !errors.Is(err, errFlaky) {
				t.Errorf("with attempts = %d, Retry returned %v, want an error wrapping op's error %q", attempts, err, errFlaky)
			}
			if took := time.Since(start); took != 0 {
				t.Errorf("with attempts = %d, Retry took %v, want 0: no wait after the last attempt", attempts, took)
			}
		}
	})
}

func TestEx3RetryStopsOnPermanent(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		errBadRequest := errors.New("bad request")
		op, calls := failTimes(t, 100, retry.Permanent(errBadRequest))
		start := time.Now()
		err := Retry(t.Context(), 5, time.Second, op)
		if *calls != 1 {
			t.Errorf("op was called %d times, want 1: a permanent error must not be retried (check retry.IsPermanent on op's error)", *calls)
		}
		if !errors.Is(err, errBadRequest) {
			t.Errorf("Retry returned %v, want the permanent error %q", err, errBadRequest)
		}
		if !retry.IsPermanent(err) {
			t.Errorf("Retry returned %q without its Permanent mark: keep the Permanent mark, so that a retry loop around this one does not retry it", err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("Retry took %v after a permanent error, want 0: return at once, without waiting", took)
		}
	})
}

func TestEx3RetryPermanentStopsTheOuterLoopToo(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		// Retries are often layered: a client library retries, and the
		// caller around it retries too. A permanent error must stop both.
		inner, calls := failTimes(t, 100, retry.Permanent(errors.New("bad request")))
		outer := 0
		_ = retry.Do(t.Context(), retry.Policy{MaxAttempts: 3, Jitter: retry.NoJitter}, func(ctx context.Context) error {
			outer++
			return Retry(ctx, 3, time.Second, inner)
		})
		if outer != 1 || *calls != 1 {
			t.Errorf("retry.Do around Retry ran Retry %d times and op %d times, want 1 and 1: keep the Permanent mark on the error Retry returns, so that a retry loop around this one stops too", outer, *calls)
		}
	})
}

func TestEx3RetryPermanentAfterTransient(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		errGone := errors.New("gone")
		calls := 0
		op := func(context.Context) error {
			calls++
			checkRunaway(t, calls)
			if calls == 1 {
				return errFlaky
			}
			// Wrapped, as real code often returns it: the mark is still found.
			return fmt.Errorf("fetch: %w", retry.Permanent(errGone))
		}
		start := time.Now()
		err := Retry(t.Context(), 5, time.Second, op)
		if calls != 2 || !errors.Is(err, errGone) || !retry.IsPermanent(err) {
			t.Errorf("op fails once, then with a wrapped permanent error; Retry returned %v after %d calls, want that permanent error, still marked, after 2 (retry.IsPermanent looks through wrapping)", err, calls)
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("Retry took %v, want 1s: one wait, then return at once on the permanent error", took)
		}
	})
}

type ctxKey struct{}

func TestEx3RetryPassesTheCallersContext(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		ctx := context.WithValue(t.Context(), ctxKey{}, "caller")
		op, _ := failTimes(t, 1, errFlaky)
		seen := []any{}
		_ = Retry(ctx, 3, time.Second, func(ctx context.Context) error {
			seen = append(seen, ctx.Value(ctxKey{}))
			return op(ctx)
		})
		for i, v := range seen {
			if v != "caller" {
				t.Errorf("attempt %d: op's context does not carry the caller's values: op must receive the caller's ctx (is it context.Background()?)", i+1)
			}
		}

		// Cancelling the caller must reach an attempt in progress.
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		var opTook time.Duration
		err := Retry(ctx, 3, time.Second, func(ctx context.Context) error {
			defer func() { opTook = time.Since(start) }()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Hour):
				return errFlaky
			}
		})
		took := time.Since(start)
		switch {
		case opTook == 0:
			t.Errorf("Retry returned after %v, while the attempt in progress had not returned yet: call op and wait for it; an attempt left running in a goroutine goes on after Retry has returned", took)
		case opTook != time.Second:
			t.Errorf("the caller cancelled 1s into a slow attempt, and the attempt only ended after %v: op must receive the caller's ctx, so that cancelling reaches it (is it context.Background()?)", opTook)
		case took != time.Second:
			t.Errorf("the caller cancelled 1s into an attempt, which stopped at once, but Retry returned after %v: once ctx has ended, no wait and no further attempt (is the wait a time.Sleep?)", took)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the caller cancelled during an attempt; Retry returned %v, want an error matching context.Canceled", err)
		}
	})
}

func TestEx3RetryHonoursCancelDuringTheWait(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(1500*time.Millisecond, cancel)
		op, calls := failTimes(t, 100, errFlaky)
		start := time.Now()
		err := Retry(ctx, 10, time.Second, op)
		if took := time.Since(start); took != 1500*time.Millisecond {
			t.Errorf("Retry returned after %v, want 1.5s: the moment ctx was canceled, not after the wait (is the wait a time.Sleep?)", took)
		}
		if *calls != 2 {
			t.Errorf("op was called %d times, want 2 (at 0s and 1s; ctx ended at 1.5s, and no attempt starts after that)", *calls)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ctx was canceled during a wait; Retry returned %v, want an error matching ctx.Err() (context.Canceled)", err)
		}
		if !errors.Is(err, errFlaky) {
			t.Errorf("ctx was canceled during a wait; Retry returned %v, want it to wrap op's last error %q too, so the caller sees why it was retrying", err, errFlaky)
		}
	})
}

func TestEx3RetryHonoursTheDeadline(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
		defer cancel()
		op, calls := failTimes(t, 100, errFlaky)
		start := time.Now()
		err := Retry(ctx, 10, time.Second, op)
		if took := time.Since(start); took != 2500*time.Millisecond || *calls != 3 {
			t.Errorf("with a 2.5s deadline and 1s waits Retry returned after %v and %d calls, want 2.5s and 3 (at 0s, 1s, 2s; the wait ends with ctx)", took, *calls)
		}
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errFlaky) {
			t.Errorf("the deadline passed during a wait; Retry returned %v, want an error matching context.DeadlineExceeded and wrapping op's last error", err)
		}
	})
}

func TestEx3RetryStopsWhenCanceledDuringAnAttempt(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		calls := 0
		start := time.Now()
		err := Retry(ctx, 5, time.Second, func(context.Context) error {
			calls++
			checkRunaway(t, calls)
			cancel() // the caller gives up while this attempt runs
			return errFlaky
		})
		if calls != 1 {
			t.Errorf("ctx ended during the first attempt, and op was called %d times, want 1: no attempt starts after ctx has ended", calls)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("ctx ended during the first attempt, and Retry returned after %v, want at once (no wait once ctx has ended)", took)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
			t.Errorf("ctx ended during the first attempt; Retry returned %v, want an error matching ctx.Err() (context.Canceled) and wrapping op's last error", err)
		}
	})
}

func TestEx3RetryWaitsForTheAttemptInProgress(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		// The caller cancels 1s into an attempt, which takes another 500ms
		// to wind down (closing a connection, say) before it returns.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		returned := time.Duration(-1)
		err := Retry(ctx, 3, time.Second, func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(500 * time.Millisecond)
			returned = time.Since(start)
			return errFlaky
		})
		took := time.Since(start)
		switch {
		case returned < 0:
			t.Errorf("ctx ended at 1s and the attempt in progress needed until 1.5s to return, but Retry returned at %v, before it: wait for the attempt in progress (call op directly; an attempt abandoned in a goroutine goes on after Retry has returned)", took)
		case took != returned:
			t.Errorf("the attempt in progress returned at %v, after ctx had ended, but Retry only returned at %v: once ctx has ended, no wait and no further attempt", returned, took)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
			t.Errorf("ctx ended during an attempt that then failed; Retry returned %v, want an error matching ctx.Err() (context.Canceled) and wrapping op's error", err)
		}
	})
}

func TestEx3RetrySuccessCountsWhenCtxEndsDuringIt(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		calls := 0
		err := Retry(ctx, 3, time.Second, func(context.Context) error {
			calls++
			checkRunaway(t, calls)
			cancel() // the caller gives up, but this attempt still succeeds
			return nil
		})
		if err != nil || calls != 1 {
			t.Errorf("op succeeded on its first call while ctx ended; Retry returned %v after %d calls, want nil after 1: a success is a success (is ctx checked after op, before looking at op's result?)", err, calls)
		}
	})
}

func TestEx3RetryCanceledJustAsTheWaitEnds(t *testing.T) {
	started(t, "Retry")
	// The wait and the caller's context end at the same instant, so either
	// may be noticed first. Whichever is, the error says both why Retry
	// stopped and what failed.
	for range 50 {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			time.AfterFunc(time.Second, cancel)
			op, calls := failTimes(t, 100, errFlaky)
			err := Retry(ctx, 5, time.Second, op)
			// An attempt at that very instant is fair (the cancel may not have
			// happened yet); one after it is not.
			if *calls > 2 {
				t.Fatalf("ctx was canceled at the instant the 1s wait ended, and op was called %d times, want at most 2: no attempt should start after ctx has ended (check ctx before every attempt)", *calls)
			}
			if !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
				t.Fatalf("ctx was canceled at the instant the 1s wait ended; Retry returned %v, want an error matching ctx.Err() (context.Canceled) and wrapping op's last error, whichever of the two Retry noticed first", err)
			}
		})
	}
}

// With no delay, a wait ends at the instant it starts. If ctx has ended
// during the attempt before it, the wait's timer and ctx.Done() are ready
// together, and a select between two ready cases picks either at random:
// a loop that only relies on that select to notice ctx starts another
// attempt about every other time. Only a check of ctx before every attempt
// (not just the first) stops it every time. The test tries 64 times, so
// such a loop passes with odds of 1 in 2^64.
func TestEx3RetryNoAttemptAfterCtxEndsEvenWithoutAWait(t *testing.T) {
	started(t, "Retry")
	for range 64 {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			calls := 0
			err := Retry(ctx, 5, 0, func(context.Context) error {
				calls++
				checkRunaway(t, calls)
				cancel() // the caller gives up while this attempt runs
				return errFlaky
			})
			if calls != 1 {
				t.Fatalf("ctx ended during the first attempt, and with delay 0 the wait ended at the same instant; "+
					"op was called %d times, want 1: no attempt should start after ctx has ended. When the wait "+
					"and ctx end together, select picks either one at random: check ctx before every attempt, "+
					"not only before the first", calls)
			}
			if !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
				t.Fatalf("ctx ended during the first attempt, with delay 0; Retry returned %v, want an error "+
					"matching ctx.Err() (context.Canceled) and wrapping op's last error", err)
			}
		})
	}
}

func TestEx3RetryDoesNotStartAfterCancel(t *testing.T) {
	started(t, "Retry")
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		op, calls := failTimes(t, 0, nil)
		err := Retry(ctx, 3, time.Second, op)
		if *calls != 0 {
			t.Errorf("op was called %d times, want 0: no attempt should start after ctx has ended", *calls)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ctx was canceled before the call; Retry returned %v, want an error matching context.Canceled", err)
		}
	})
}
