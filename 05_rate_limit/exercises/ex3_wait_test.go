package exercises

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"reliability/05_rate_limit/ratelimit"
)

// exhausted returns a limiter with the given rate and burst whose tokens
// have all been spent at the current (bubble) time.
func exhausted(r ratelimit.Limit, burst int) *ratelimit.Limiter {
	lim := ratelimit.NewLimiter(r, burst)
	lim.AllowN(time.Now(), burst)
	return lim
}

// waitHint is what a hung Ex3 test most likely means.
const waitHint = "WaitN never returned: does it wait (or loop) forever when the reservation is not OK, or ignore ctx while it waits?"

func TestEx3ReturnsAtOnceWhenTokensAreThere(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := ratelimit.NewLimiter(1, 2)
		start := time.Now()
		if err := WaitN(t.Context(), lim, 2); err != nil {
			startedWaitN(t, err, "nil at once from a full bucket of 2, its 2 tokens taken")
			t.Fatalf("a full bucket of 2: WaitN(2) returned %v, want nil", err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("the tokens were there: WaitN should return at once, it took %v", took)
		}
		if tokens := lim.Tokens(); tokens != 0 {
			t.Errorf("after WaitN(2) on a full bucket of 2 the limiter holds %v tokens, want 0: WaitN must take the tokens it waits for", tokens)
		}
	})
}

func TestEx3WaitsForTheRefill(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := exhausted(10, 1) // one token every 100ms
		for i := 1; i <= 3; i++ {
			start := time.Now()
			if err := WaitN(context.Background(), lim, 1); err != nil {
				startedWaitN(t, err, "nil after 100ms, the time one token takes at 10 per second")
				t.Fatalf("call %d: WaitN with a context that has no deadline returned %v, want nil after waiting (is a missing deadline taken as the zero time?)", i, err)
			}
			if took := time.Since(start); took != 100*time.Millisecond {
				t.Fatalf("call %d: at 10 tokens per second, on an empty bucket, WaitN should wait 100ms, it took %v", i, took)
			}
		}
	})
}

func TestEx3MoreThanBurstFailsAtOnce(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := ratelimit.NewLimiter(1, 2)
		start := time.Now()
		err := WaitN(t.Context(), lim, 3)
		startedWaitN(t, err, "an error wrapping ratelimit.ErrBurstExceeded at once: 3 tokens can never be granted with a burst of 2")
		if took := time.Since(start); took != 0 {
			t.Errorf("WaitN(3) with a burst of 2 can never succeed: it should fail at once, it took %v (a reservation that is not OK has no delay to wait for: check r.OK())", took)
		}
		if !errors.Is(err, ratelimit.ErrBurstExceeded) {
			t.Errorf("WaitN(3) with a burst of 2 returned %v, want an error wrapping ratelimit.ErrBurstExceeded", err)
		}
		if tokens := lim.Tokens(); tokens != 2 {
			t.Errorf("the failed WaitN(3) left %v tokens, want the 2 it found", tokens)
		}
		// With no limit at all, the burst does not matter.
		if err := WaitN(t.Context(), ratelimit.NewLimiter(ratelimit.Inf, 0), 100); err != nil {
			t.Errorf("WaitN(100) on a limiter with an Inf rate returned %v, want nil: an Inf limit allows everything, burst or not (let the reservation decide, rather than comparing n with Burst())", err)
		}
	})
}

func TestEx3DoneContextTakesNothing(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := ratelimit.NewLimiter(1, 2)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		start := time.Now()
		err := WaitN(ctx, lim, 1)
		startedWaitN(t, err, "context.Canceled at once, no token taken: the context was already cancelled")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("WaitN with a cancelled context returned %v, want context.Canceled", err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("WaitN with a cancelled context took %v, want no time at all", took)
		}
		if tokens := lim.Tokens(); tokens != 2 {
			t.Errorf("WaitN with a cancelled context left %v tokens, want 2: a caller who has given up must not spend tokens", tokens)
		}
	})
}

func TestEx3DeadlineTooSoonFailsAtOnce(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := exhausted(1, 1) // the next token in 1s
		for _, timeout := range []time.Duration{500 * time.Millisecond, 999 * time.Millisecond} {
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			start := time.Now()
			err := WaitN(ctx, lim, 1)
			took := time.Since(start)
			cancel()
			startedWaitN(t, err, "an error wrapping ratelimit.ErrWouldExceedDeadline at once: the token comes in 1s, the deadline sooner")
			if !errors.Is(err, ratelimit.ErrWouldExceedDeadline) {
				t.Errorf("the next token comes in 1s, the deadline in %v: WaitN returned %v, want an error wrapping ratelimit.ErrWouldExceedDeadline", timeout, err)
			}
			if took != 0 {
				t.Errorf("the next token comes after the %v deadline: WaitN should fail at once, it took %v (compare now+delay with ctx.Deadline() before waiting)", timeout, took)
			}
			if tokens := lim.Tokens(); tokens < -0.001 {
				t.Fatalf("after WaitN gave up on a %v deadline the limiter holds %v tokens, want 0: give the reserved token back with CancelAt", timeout, tokens)
			}
		}
		start := time.Now()
		if err := WaitN(context.Background(), lim, 1); err != nil || time.Since(start) != time.Second {
			t.Errorf("after two failed WaitN calls, the next one should wait 1s for the token and return nil; it returned %v after %v", err, time.Since(start))
		}
	})
}

// deadlineOnly is a context whose deadline never fires on its own, so
// that a wait ending exactly at the deadline is not a race with it.
type deadlineOnly struct {
	context.Context
	deadline time.Time
}

func (d deadlineOnly) Deadline() (time.Time, bool) { return d.deadline, true }

func TestEx3ArrivingAtTheDeadlineIsInTime(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := exhausted(1, 1)
		ctx := deadlineOnly{context.Background(), time.Now().Add(time.Second)}
		start := time.Now()
		if err := WaitN(ctx, lim, 1); err != nil {
			startedWaitN(t, err, "nil after 1s: the token comes exactly at the deadline, which is in time")
			t.Fatalf("the token comes in 1s, exactly at the deadline: WaitN returned %v, want nil after 1s (arriving at the deadline is in time: only a later arrival fails)", err)
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("WaitN should have waited 1s for the token, it took %v", took)
		}
		ctx2, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start = time.Now()
		if err := WaitN(ctx2, lim, 1); err != nil || time.Since(start) != time.Second {
			t.Errorf("the token comes in 1s, the deadline in 2s: WaitN returned %v after %v, want nil after 1s", err, time.Since(start))
		}
	})
}

func TestEx3CancelWhileWaitingGivesTokensBack(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := exhausted(1, 1)
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		type result struct {
			err  error
			took time.Duration
		}
		done := make(chan result, 1)
		go func() {
			err := WaitN(ctx, lim, 1)
			done <- result{err, time.Since(start)}
		}()
		time.Sleep(300 * time.Millisecond)
		cancel()
		synctest.Wait()
		var r result
		select {
		case r = <-done:
			startedWaitN(t, r.err, "context.Canceled as soon as the context is cancelled, 300ms into a 1s wait, and the token given back")
		default:
			cancel()
			r = <-done
			t.Fatalf("the context was cancelled 300ms into a 1s wait, and WaitN did not return at once; it returned %v after %v (time.Sleep cannot be interrupted: wait in a select on a timer and ctx.Done())", r.err, r.took)
		}
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("WaitN whose context was cancelled while it waited returned %v, want context.Canceled", r.err)
		}
		if r.took != 300*time.Millisecond {
			t.Errorf("WaitN returned %v after it started, want 300ms: at once when the context is cancelled", r.took)
		}
		if tokens := lim.Tokens(); tokens < 0.299 {
			t.Errorf("300ms after the bucket emptied it holds %v tokens, want 0.3: the cancelled wait must give its reserved token back (r.CancelAt(time.Now()))", tokens)
		}
		start = time.Now()
		if err := WaitN(context.Background(), lim, 1); err != nil || time.Since(start) != 700*time.Millisecond {
			t.Errorf("after the cancelled wait, the next WaitN should wait 700ms for the token and return nil; it returned %v after %v", err, time.Since(start))
		}
	})
}

func TestEx3CancelGivesBackAsOfNow(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		// A waits for 2 tokens (due at 2s); B reserves 1 more at 0.5s,
		// queued behind A (due at 3s); A gives up at 1s. Only the share
		// of A's tokens that B was not counting on comes back, and it
		// comes back at 1s: the bucket then holds -2 + 1 = -1 tokens.
		lim := exhausted(1, 2)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- WaitN(ctx, lim, 2) }()
		time.Sleep(500 * time.Millisecond)
		lim.ReserveN(time.Now(), 1)
		time.Sleep(500 * time.Millisecond)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			startedWaitN(t, err, "context.Canceled when the context is cancelled during the wait, and the tokens given back as of that moment")
			t.Fatalf("WaitN whose context was cancelled while it waited returned %v, want context.Canceled", err)
		}
		if tokens := lim.Tokens(); !near(tokens, -1) {
			t.Errorf("after the cancelled wait the bucket holds %v tokens, want -1: give the tokens back as of the moment of the cancel, r.CancelAt(time.Now()); a cancel dated back to when the wait began moves the bucket's clock back, and the time since is earned twice", tokens)
		}
	})
}

// noDeadline hides its context's deadline, as a context from code that
// tracks its deadline elsewhere might: WaitN cannot see it coming, and
// learns of it only when Done closes with DeadlineExceeded.
type noDeadline struct{ context.Context }

func (noDeadline) Deadline() (time.Time, bool) { return time.Time{}, false }

func TestEx3ReturnsTheContextsOwnError(t *testing.T) {
	bubble(t, waitHint, func(t *testing.T) {
		lim := exhausted(1, 1)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := WaitN(noDeadline{ctx}, lim, 1)
		startedWaitN(t, err, "context.DeadlineExceeded, the context's own error, when its time runs out during the wait")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitN whose context ran out of time while it waited returned %v, want ctx.Err(), context.DeadlineExceeded (return ctx.Err() rather than context.Canceled)", err)
		}
		if tokens := lim.Tokens(); !near(tokens, 0.3) {
			t.Errorf("300ms after the bucket emptied it holds %v tokens, want 0.3: the wait ended by the context must give its token back", tokens)
		}
	})
}
