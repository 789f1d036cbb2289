package exercises

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky"
)

const ex2Hint = "Does DoThroughBreaker wait with retry.Do (or a select on ctx.Done()), and return once Retryable says no?"

func TestEx2RetryableSortsErrors(t *testing.T) {
	started(t, "Retryable")
	for _, tc := range []struct {
		name string
		err  error
		want bool
		why  string
	}{
		{"nil", nil, false, "nil is success: there is nothing to retry"},
		{"open", breaker.ErrOpenState, false, "the breaker refused the call: asking again at once only spins on it"},
		{"wrapped open", fmt.Errorf("calling the shop: %w", breaker.ErrOpenState), false,
			"the error wraps breaker.ErrOpenState: compare with errors.Is, not =="},
		{"doubly wrapped open", fmt.Errorf("shop: %w", fmt.Errorf("breaker: %w", breaker.ErrOpenState)), false,
			"the error wraps breaker.ErrOpenState two levels down: errors.Is looks through every level, errors.Unwrap only through one"},
		{"half-open full", breaker.ErrTooManyRequests, false,
			"half-open with every trial slot taken: breaker.ErrTooManyRequests is a refusal too"},
		{"wrapped half-open full", fmt.Errorf("calling the shop: %w", breaker.ErrTooManyRequests), false,
			"the error wraps breaker.ErrTooManyRequests: compare with errors.Is, not =="},
		{"marked permanent", retry.Permanent(errBadInput), false, "retry.IsPermanent reports it: retrying cannot fix it"},
		{"flaky transient", &flaky.Error{Call: 1, Reason: "random"}, true, "flaky's transient failure is worth a retry"},
		{"flaky permanent", flakyPermanent(), false, "it matches flaky.ErrPermanent: retrying cannot fix it"},
		{"cancelled", fmt.Errorf("call: %w", context.Canceled), false, "the caller cancelled: nobody waits for a retry"},
		{"timed out", fmt.Errorf("%w after 1s: %w", timeout.ErrTimeout, context.DeadlineExceeded), true,
			"an attempt that timed out is transient: the next one may be quick"},
		{"deadline", context.DeadlineExceeded, true, "an attempt's own deadline passing is transient"},
		{"transient", flaky.ErrTransient, true, "flaky.ErrTransient is the very definition of worth a retry"},
		{"unknown", errTransient, true, "an error you have never seen is retried, unless it is one of the final ones"},
		{"unknown that says open", errors.New("open /var/lib/shop.db: too many open files"), true,
			"an error you have never seen is retried, even if its message says \"open\": recognise the breaker's refusal with errors.Is, never by its text"},
	} {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v: %s", tc.err, got, tc.want, tc.why)
		}
	}
}

// ex2Policy waits 10ms, then 20ms, 40ms... between attempts.
var ex2Policy = retry.Policy{MaxAttempts: 5, InitialDelay: 10 * time.Millisecond, Jitter: retry.NoJitter}

func openBreaker() *breaker.Breaker {
	cb := breaker.New(breaker.Settings{Timeout: time.Minute,
		ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= 2 }})
	for range 2 {
		_ = cb.Execute(func() error { return errTransient })
	}
	return cb
}

func TestEx2OpenBreakerIsNotHammered(t *testing.T) {
	started(t, "Retryable", "DoThroughBreaker")
	bubble(t, ex2Hint, func(t *testing.T) {
		cb := openBreaker()
		svc := newService(step{})
		tries := 0
		p := ex2Policy
		p.OnRetry = func(int, error, time.Duration) { tries++ }
		start := time.Now()
		err := DoThroughBreaker(t.Context(), p, cb, svc.Call)
		took := time.Since(start)
		switch {
		case !errors.Is(err, breaker.ErrOpenState):
			t.Errorf("through an open breaker the call should fail with an error matching breaker.ErrOpenState, got %v", err)
		case tries > 0:
			t.Errorf("the open breaker's refusal was retried %d times over %v: ErrOpenState must end the call "+
				"at once. Is it marked with retry.Permanent before retry.Do sees it?", tries, took)
		case took != 0:
			t.Errorf("through an open breaker the call took %v; it should fail at once", took)
		case svc.Calls() != 0:
			t.Errorf("the service was called %d times through an open breaker: call op through cb.Execute", svc.Calls())
		}
	})
}

func TestEx2TransientFailuresAreRetried(t *testing.T) {
	started(t, "Retryable", "DoThroughBreaker")
	bubble(t, ex2Hint, func(t *testing.T) {
		cb := breaker.New(breaker.Settings{})
		svc := newService(step{err: flaky.ErrTransient}, step{err: errTransient}, step{})
		start := time.Now()
		err := DoThroughBreaker(t.Context(), ex2Policy, cb, svc.Call)
		switch {
		case err != nil:
			t.Errorf("the service fails twice, then answers: the call should succeed after 3 attempts, got %v "+
				"after %d calls", err, svc.Calls())
		case svc.Calls() != 3:
			t.Errorf("the service was called %d times; want 3", svc.Calls())
		case time.Since(start) != 30*time.Millisecond:
			t.Errorf("the call took %v; want 30ms (waits of 10ms and 20ms, as the policy says)", time.Since(start))
		}
		if c := cb.Counts(); c.Requests != 3 {
			t.Errorf("the breaker saw %d calls; want 3: every attempt must go through cb.Execute", c.Requests)
		}
	})
}

// The breaker opens after the second failure; the third attempt is refused
// and ends the call: no more waits, no more attempts.
func TestEx2BreakerOpeningMidCallEndsIt(t *testing.T) {
	started(t, "Retryable", "DoThroughBreaker")
	bubble(t, ex2Hint, func(t *testing.T) {
		cb := breaker.New(breaker.Settings{Timeout: time.Minute,
			ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= 2 }})
		svc := newService(step{err: errTransient})
		start := time.Now()
		err := DoThroughBreaker(t.Context(), ex2Policy, cb, svc.Call)
		took := time.Since(start)
		switch {
		case !errors.Is(err, breaker.ErrOpenState):
			t.Errorf("the breaker opened during the call; the call should end with breaker.ErrOpenState, got %v "+
				"(keep the breaker's error, do not replace it)", err)
		case svc.Calls() != 2:
			t.Errorf("the service was called %d times; want 2, then the breaker opened", svc.Calls())
		case took != 30*time.Millisecond:
			t.Errorf("the call took %v; want 30ms: two waits before the breaker refused the third attempt, "+
				"and none after it", took)
		}
	})
}

// flakyPermanent is a failure that matches flaky.ErrPermanent, made the
// only way there is: by asking a flaky service for one.
func flakyPermanent() error {
	return flaky.MustNew(flaky.Config{FailFirst: 1, Permanent: true}).Call(context.Background())
}

func TestEx2PermanentErrorsEndTheCall(t *testing.T) {
	started(t, "Retryable", "DoThroughBreaker")
	for _, perm := range []error{flakyPermanent(), retry.Permanent(errBadInput)} {
		bubble(t, ex2Hint, func(t *testing.T) {
			svc := newService(step{err: perm})
			err := DoThroughBreaker(t.Context(), ex2Policy, breaker.New(breaker.Settings{}), svc.Call)
			if svc.Calls() != 1 {
				t.Errorf("a permanent error (%v) was tried %d times; want once: retrying cannot fix it", perm, svc.Calls())
			}
			if !errors.Is(err, perm) {
				t.Errorf("the call returned %v; want an error that errors.Is matches with %v", err, perm)
			}
		})
	}
}

func TestEx2HalfOpenRefusalIsNotRetried(t *testing.T) {
	started(t, "Retryable", "DoThroughBreaker")
	bubble(t, ex2Hint, func(t *testing.T) {
		cb := breaker.New(breaker.Settings{Timeout: time.Second, ReadyToTrip: func(breaker.Counts) bool { return true }})
		_ = cb.Execute(func() error { return errTransient }) // open
		time.Sleep(2 * time.Second)                          // half-open: one trial slot
		release := make(chan struct{})
		trial := make(chan struct{})
		go func() {
			_ = cb.Execute(func() error { <-release; return nil })
			close(trial)
		}()
		time.Sleep(time.Millisecond) // the trial call holds the only slot

		svc := newService(step{})
		start := time.Now()
		err := DoThroughBreaker(t.Context(), ex2Policy, cb, svc.Call)
		took := time.Since(start)
		close(release)
		<-trial
		switch {
		case !errors.Is(err, breaker.ErrTooManyRequests):
			t.Errorf("half-open with its trial slot taken, the breaker refuses with ErrTooManyRequests; the call "+
				"should end with it, got %v after %v", err, took)
		case took != 0:
			t.Errorf("the half-open breaker's refusal was retried for %v; it should end the call at once", took)
		}
	})
}

func TestEx2CancelledCallIsNotRetried(t *testing.T) {
	started(t, "Retryable", "DoThroughBreaker")
	bubble(t, ex2Hint, func(t *testing.T) {
		svc := newService(step{err: fmt.Errorf("the caller hung up: %w", context.Canceled)})
		start := time.Now()
		err := DoThroughBreaker(t.Context(), ex2Policy, breaker.New(breaker.Settings{}), svc.Call)
		if !errors.Is(err, context.Canceled) || svc.Calls() != 1 || time.Since(start) != 0 {
			t.Errorf("an attempt that failed with context.Canceled should end the call at once: got %v after "+
				"%d calls and %v", err, svc.Calls(), time.Since(start))
		}
	})
}

func TestEx2AttemptsGetTheCallersContext(t *testing.T) {
	started(t, "Retryable", "DoThroughBreaker")
	bubble(t, ex2Hint, func(t *testing.T) {
		svc := newService(step{wait: time.Hour})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		err := DoThroughBreaker(ctx, ex2Policy, breaker.New(breaker.Settings{}), svc.Call)
		if took := time.Since(start); !errors.Is(err, context.Canceled) || took != 50*time.Millisecond {
			t.Errorf("the caller cancelled 50ms into an attempt that waits on its context; the call should end then "+
				"with context.Canceled, got %v after %v. Pass op the ctx that retry.Do hands the attempt, "+
				"not context.Background(), or the attempt cannot hear the caller give up", err, took)
		}
	})
}
