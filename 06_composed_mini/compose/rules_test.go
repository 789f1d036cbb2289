package compose

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
	"reliability/04_bulkhead/bulkhead"
	"reliability/flaky"
)

// quick is a retry policy with short, predictable waits.
var quick = retry.Policy{MaxAttempts: 3, InitialDelay: 10 * time.Millisecond, Jitter: retry.NoJitter}

// Rule: each attempt gets its own timeout, and the overall deadline bounds
// the whole call, whatever the retry settings.
func TestTotalTimeNeverExceedsTheDeadline(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		p := retry.Policy{
			MaxAttempts:  1 + rng.IntN(12),
			InitialDelay: time.Duration(1+rng.IntN(500)) * time.Millisecond,
			MaxDelay:     time.Duration(1+rng.IntN(5000)) * time.Millisecond,
			Multiplier:   1 + 3*rng.Float64(),
			Jitter:       retry.Jitter(rng.IntN(4)),
			Rand:         rand.New(rand.NewPCG(uint64(i), 0)).Int64N,
		}
		budget := time.Duration(100+rng.IntN(3000)) * time.Millisecond
		perAttempt := time.Duration(10+rng.IntN(1500)) * time.Millisecond
		hang := step{wait: time.Hour, deaf: rng.IntN(2) == 0}
		name := fmt.Sprintf("case %d: %+v budget=%v attempt=%v deaf=%v", i, p, budget, perAttempt, hang.deaf)

		t.Run("deadline layer", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := newFake(hang)
				call := Chain(svc.Call, Timeout(budget), Retry(p), Timeout(perAttempt))
				start := time.Now()
				err := call(t.Context())
				assert.LessOrEqual(t, time.Since(start), budget, name)
				assert.ErrorIs(t, err, context.DeadlineExceeded, name)
				time.Sleep(hang.wait) // let a deaf call finish before the bubble ends
			})
		})
		t.Run("caller's deadline", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), budget)
				defer cancel()
				svc := newFake(hang)
				start := time.Now()
				err := Chain(svc.Call, Retry(p), Timeout(perAttempt))(ctx)
				assert.LessOrEqual(t, time.Since(start), budget, name)
				assert.Error(t, err, name)
				time.Sleep(hang.wait)
			})
		})
	}
}

// One slow attempt must not eat the whole budget: the first call hangs, the
// second answers at once.
func TestEachAttemptHasItsOwnTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newFake(step{wait: time.Hour}, step{})
		call := Chain(svc.Call, Timeout(time.Second), Retry(quick), Timeout(200*time.Millisecond))
		start := time.Now()
		require.NoError(t, call(t.Context()))
		assert.Equal(t, 210*time.Millisecond, time.Since(start), "200ms for the cut attempt, 10ms of backoff")
		assert.Equal(t, 2, svc.Calls())
		assert.ErrorIs(t, svc.ends[0], context.DeadlineExceeded, "the slow attempt's context ended at its own deadline")
	})
}

// trippingSettings is lesson 03's advice: trip on consecutive failures,
// exclude a caller's cancellation, never a deadline.
func trippingSettings(failures uint32) breaker.Settings {
	return breaker.Settings{
		Name:        "dep",
		Timeout:     time.Minute,
		ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		IsExcluded:  func(err error) bool { return errors.Is(err, context.Canceled) },
	}
}

func TestTimedOutAttemptCountsAsBreakerFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		cb   func(breaker.Settings) breaker.CircuitBreaker
	}{
		{"hand-rolled", func(s breaker.Settings) breaker.CircuitBreaker { return breaker.New(s) }},
		{"gobreaker", func(s breaker.Settings) breaker.CircuitBreaker { return breaker.NewLibrary(s) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := flaky.MustNew(flaky.Config{Latency: time.Hour}) // healthy, but far too slow
				cb := tc.cb(trippingSettings(3))
				call := Chain(svc.Call, Retry(quick), Timeout(50*time.Millisecond), Breaker(cb))

				err := call(t.Context())
				assert.ErrorIs(t, err, timeout.ErrTimeout)
				synctest.Wait() // let the last cancelled call reach the breaker
				assert.Equal(t, breaker.StateOpen, cb.State(),
					"three attempts timed out: three failures in a row must open the breaker")
				assert.Equal(t, 3, svc.Stats().Canceled, "each attempt was cancelled at its timeout")
			})
		})
	}
}

func TestOpenBreakerIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newFake(step{err: errTransient})
		cb := breaker.New(trippingSettings(3))
		retries := 0
		p := quick
		p.OnRetry = func(int, error, time.Duration) { retries++ }
		call := Chain(svc.Call, Retry(p), Timeout(time.Second), Breaker(cb))

		assert.ErrorIs(t, call(t.Context()), errTransient)
		require.Equal(t, breaker.StateOpen, cb.State())
		require.Equal(t, 3, svc.Calls())
		require.Equal(t, 2, retries)

		start := time.Now()
		err := call(t.Context())
		assert.ErrorIs(t, err, breaker.ErrOpenState)
		assert.Zero(t, time.Since(start), "an open breaker answers at once; no backoff is waited")
		assert.Equal(t, 2, retries, "ErrOpenState is final: not a single retry")
		assert.Equal(t, 3, svc.Calls(), "the service was not called")
		assert.True(t, retry.IsPermanent(err), "an outer retry loop must not retry it either")
	})
}

func TestHalfOpenRejectionIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cb := breaker.New(breaker.Settings{Timeout: time.Second, ReadyToTrip: func(breaker.Counts) bool { return true }})
		_ = cb.Execute(func() error { return errTransient }) // open
		time.Sleep(2 * time.Second)                          // half-open, one trial slot

		release := make(chan struct{})
		go func() { _ = cb.Execute(func() error { <-release; return nil }) }() // takes the slot
		synctest.Wait()

		svc := newFake(step{})
		err := Chain(svc.Call, Retry(quick), Breaker(cb))(t.Context())
		assert.ErrorIs(t, err, breaker.ErrTooManyRequests)
		assert.Zero(t, svc.Calls())
		close(release)
	})
}

func TestOnlyTransientErrorsAreRetried(t *testing.T) {
	isTransient := func(err error) bool {
		return errors.Is(err, flaky.ErrTransient) || errors.Is(err, timeout.ErrTimeout)
	}
	for _, tc := range []struct {
		name  string
		err   error
		opts  []RetryOption
		calls int
	}{
		{"transient", errTransient, nil, 3},
		{"marked permanent", retry.Permanent(errPermanent), nil, 1},
		{"budget exhausted", fmt.Errorf("attempt: %w", timeout.ErrBudgetExhausted), nil, 1},
		{"cancelled below", fmt.Errorf("call: %w", context.Canceled), nil, 1},
		{"flaky transient with RetryIf", &flaky.Error{Call: 1, Reason: "random"}, []RetryOption{RetryIf(isTransient)}, 3},
		{"not transient by RetryIf", errPermanent, []RetryOption{RetryIf(isTransient)}, 1},
		{"RetryIf cannot re-enable ErrOpenState", breaker.ErrOpenState, []RetryOption{RetryIf(func(error) bool { return true })}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := newFake(step{err: tc.err})
				err := Chain(svc.Call, Retry(quick, tc.opts...))(t.Context())
				assert.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.calls, svc.Calls())
			})
		})
	}
}

func TestPermanentFlakyErrorReturnsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := flaky.MustNew(flaky.Config{FailFirst: 10, Permanent: true})
		transient := func(err error) bool { return !errors.Is(err, flaky.ErrPermanent) }
		start := time.Now()
		err := Chain(svc.Call, Retry(quick, RetryIf(transient)), Timeout(time.Second))(t.Context())
		assert.ErrorIs(t, err, flaky.ErrPermanent)
		assert.Equal(t, 1, svc.Stats().Calls)
		assert.Zero(t, time.Since(start))
	})
}

// The caller's deadline ends the retry loop: the Timeout inside reports
// ErrTimeout at the caller's deadline, which is not retried, because
// retry.Do sees the context has ended.
func TestCallerDeadlineStopsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 250*time.Millisecond)
		defer cancel()
		svc := newFake(step{wait: time.Hour})
		p := retry.Policy{MaxAttempts: 10, InitialDelay: time.Millisecond, Jitter: retry.NoJitter, Multiplier: 1}
		start := time.Now()
		err := Chain(svc.Call, Retry(p), Timeout(100*time.Millisecond))(ctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 250*time.Millisecond, time.Since(start))
		assert.Equal(t, 3, svc.Calls(), "100ms, 100ms, then the 48ms left")
	})
}

func TestInvalidConfigurationIsAnError(t *testing.T) {
	svc := newFake(step{})
	assert.ErrorIs(t, Chain(svc.Call, Retry(retry.Policy{MaxAttempts: -1}))(t.Context()), retry.ErrInvalidPolicy)
	assert.ErrorIs(t, Chain(svc.Call, Timeout(0))(t.Context()), timeout.ErrInvalidTimeout)
	assert.ErrorIs(t, Chain(svc.Call, Breaker(nil))(t.Context()), ErrNoBreaker)
	assert.Zero(t, svc.Calls())
}

// A full bulkhead is final too: the request fails at once, and the slow
// dependency holds no more than the bulkhead's slots.
func TestFullBulkheadIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := bulkhead.New(2, 0)
		require.NoError(t, err)
		svc := newFake(step{wait: time.Second})
		call := Chain(svc.Call, Bulkhead(b), Retry(quick))
		for range 2 {
			go func() { _ = call(t.Context()) }()
		}
		synctest.Wait()
		require.Equal(t, 2, b.InFlight())

		start := time.Now()
		err = call(t.Context())
		assert.ErrorIs(t, err, bulkhead.ErrBulkheadFull)
		assert.Zero(t, time.Since(start), "refused at once, not retried after a backoff")
		assert.Equal(t, 2, svc.Calls(), "the refused request never reached the service")
		time.Sleep(time.Second)
		synctest.Wait()
	})
	assert.ErrorIs(t, Chain(newFake(step{}).Call, Bulkhead(nil))(t.Context()), ErrNoBulkhead)
}

// ContextTimeout is the cooperative timeout: the same deadline on the
// context, no goroutine, and so no way to return before next does.
func TestContextTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newFake(step{wait: time.Hour}, step{})
		start := time.Now()
		err := Chain(svc.Call, Retry(quick), ContextTimeout(200*time.Millisecond))(t.Context())
		require.NoError(t, err, "the first attempt is cut at its deadline and retried")
		assert.Equal(t, 210*time.Millisecond, time.Since(start))

		deaf := newFake(step{wait: time.Second, deaf: true})
		start = time.Now()
		err = Chain(deaf.Call, ContextTimeout(100*time.Millisecond))(t.Context())
		assert.NoError(t, err, "a call that ignores its context returns what it returns")
		assert.Equal(t, time.Second, time.Since(start), "and the caller waits for it: use Timeout for such calls")

		var seen error
		err = Chain(func(ctx context.Context) error {
			<-ctx.Done()
			seen = ctx.Err()
			return fmt.Errorf("query: %w", ctx.Err())
		}, ContextTimeout(50*time.Millisecond))(t.Context())
		assert.ErrorIs(t, seen, context.DeadlineExceeded, "the callee sees a real deadline")
		assert.ErrorIs(t, err, timeout.ErrTimeout, "the error says it timed out, so a retry layer retries it")
		assert.True(t, IsTransient(err))
		assert.ErrorIs(t, Chain(deaf.Call, ContextTimeout(0))(t.Context()), timeout.ErrInvalidTimeout)
	})
}

// A layer built wrong fails every call the same way: its error is final.
// Retrying it would wait out every backoff, spend a budget's retries and
// bury the message under "giving up after 3 attempts".
func TestConfigurationErrorsAreFinal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		layer Layer
		want  error
	}{
		{"Breaker(nil)", Breaker(nil), ErrNoBreaker},
		{"Bulkhead(nil)", Bulkhead(nil), ErrNoBulkhead},
		{"Timeout(0)", Timeout(0), timeout.ErrInvalidTimeout},
		{"ContextTimeout(-1)", ContextTimeout(-1), timeout.ErrInvalidTimeout},
		{"an inner Retry with an invalid policy", Retry(retry.Policy{MaxAttempts: -1}), retry.ErrInvalidPolicy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				spy := &spyBudget{allow: true}
				attempts := 0
				p := quick
				p.OnRetry = func(int, error, time.Duration) { attempts++ }
				start := time.Now()
				err := Chain(newFake(step{}).Call, Retry(p, WithBudget(spy)), tc.layer)(t.Context())
				assert.ErrorIs(t, err, tc.want)
				assert.Zero(t, attempts, "a configuration error must not be retried")
				assert.Zero(t, time.Since(start), "no backoff is waited")
				assert.Empty(t, spy.asked, "the budget is not asked")
				assert.True(t, retry.IsPermanent(err))
			})
		})
	}
	for _, err := range []error{
		ErrNoBreaker, ErrNoBulkhead, ErrInvalidSettings, ErrInvalidThrottle, retry.ErrInvalidPolicy,
		retry.ErrNilOp, timeout.ErrInvalidTimeout, bulkhead.ErrInvalidConfig,
	} {
		assert.False(t, IsTransient(fmt.Errorf("layer: %w", err)), "%v is a configuration error", err)
	}
}

// ContextTimeout says whose deadline fired, as Timeout does: "after 1s"
// would send whoever reads the log after a timeout that never fired.
func TestContextTimeoutNamesTheDeadlineThatFired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		waits := func(ctx context.Context) error {
			<-ctx.Done()
			return fmt.Errorf("query: %w", ctx.Err())
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		err := Chain(waits, ContextTimeout(time.Second))(ctx)
		assert.ErrorIs(t, err, timeout.ErrTimeout)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotContains(t, err.Error(), "after 1s", "the 1s timeout never fired")
		assert.Contains(t, err.Error(), "at the caller's deadline, before the 1s timeout")

		err = Chain(waits, ContextTimeout(20*time.Millisecond))(t.Context())
		assert.Contains(t, err.Error(), "gave up waiting after 20ms", "its own deadline")
	})
}
