package retry_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
)

// The tests in this file pin down what Do promises beyond the library.

func TestDoErrorSaysHowManyAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, _ := script(failing(5)...)
		err := retry.Do(context.Background(), retry.Policy{MaxAttempts: 3}, op)
		require.ErrorIs(t, err, errBoom)
		assert.EqualError(t, err, "retry: giving up after 3 attempts: failure 3: boom")
	})
}

func TestDoKeepsPermanentMark(t *testing.T) {
	op, _ := script(retry.Permanent(errBoom))
	err := retry.Do(context.Background(), retry.Policy{}, op)
	assert.True(t, retry.IsPermanent(err), "an outer retry loop must see the mark too")
	assert.Equal(t, "boom", err.Error())
	assert.Nil(t, retry.Permanent(nil))
	assert.False(t, retry.IsPermanent(errBoom))
}

func TestDoDoesNotSleepPastDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		p := retry.Policy{MaxAttempts: 10, InitialDelay: time.Second, MaxDelay: time.Minute, Jitter: retry.NoJitter}

		op, calls := script(failing(10)...)
		start := time.Now()
		err := retry.Do(ctx, p, op)

		// Attempts at 0s and 1s; the next would start at 3s, after the 2.5s
		// deadline, so Do gives up at 1s instead of sleeping 2s for nothing.
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, 2, *calls)
		require.ErrorIs(t, err, retry.ErrNoTimeLeft)
		require.ErrorIs(t, err, errBoom, "the last error stays reachable")
		assert.True(t, retry.IsPermanent(err), "no layer above has more time: it must not retry")
		assert.NotErrorIs(t, err, context.DeadlineExceeded, "ctx has not ended: ctx.Err() is %v", ctx.Err())
		assert.NoError(t, ctx.Err())
		assert.EqualError(t, err, "retry: stopped after 2 attempts, the next would start in 2s, past the deadline: "+
			"retry: no time left for another attempt (last error: failure 2: boom)")
	})
}

// TestDoNoTimeLeftStopsAnOuterLoop: retries are often layered. When the
// inner loop runs out of time, the outer one, bound by the same deadline,
// has no more: it must stop, not retry.
func TestDoNoTimeLeftStopsAnOuterLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		p := retry.Policy{MaxAttempts: 3, InitialDelay: time.Second, MaxDelay: time.Minute, Jitter: retry.NoJitter}
		op, calls := script(failing(100)...)
		outer := 0
		err := retry.Do(ctx, p, func(ctx context.Context) error {
			outer++
			return retry.Do(ctx, p, op)
		})
		require.ErrorIs(t, err, retry.ErrNoTimeLeft)
		assert.Equal(t, 1, outer, "the outer loop retried an inner loop that had run out of time")
		assert.Equal(t, 2, *calls)
	})
}

func TestDoWaitsWhenTheNextAttemptFits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		p := retry.Policy{MaxAttempts: 2, InitialDelay: time.Second, Jitter: retry.NoJitter}
		op, calls := script(failing(1)...)
		require.NoError(t, retry.Do(ctx, p, op))
		assert.Equal(t, 2, *calls)
	})
}

func TestDoDoesNotStartAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	op, calls := script()
	err := retry.Do(ctx, retry.Policy{}, op)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, *calls)
	assert.EqualError(t, err, "retry: stopped before the first attempt: context canceled")
}

func TestDoCancelKeepsLastError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		op := func(context.Context) error {
			cancel() // the caller gives up while the attempt is running
			return errBoom
		}
		err := retry.Do(ctx, retry.Policy{}, op)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, errBoom)
		assert.EqualError(t, err, "retry: stopped after 1 attempts: context canceled (last error: boom)")
	})
}

// TestDoKeepsTheCause: a caller that records why it gave up
// (WithCancelCause, WithTimeoutCause) finds that reason in Do's error,
// which still matches ctx.Err() for callers that only check that.
func TestDoKeepsTheCause(t *testing.T) {
	errAborted := errors.New("payment aborted by the user")
	errSlow := errors.New("inventory too slow")
	for name, run := range map[string]func(t *testing.T) (error, error, error){
		"canceled during a wait": func(t *testing.T) (error, error, error) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			time.AfterFunc(50*time.Millisecond, func() { cancel(errAborted) })
			op, _ := script(failing(10)...)
			return retry.Do(ctx, retry.Policy{Jitter: retry.NoJitter}, op), context.Canceled, errAborted
		},
		"canceled before the first attempt": func(t *testing.T) (error, error, error) {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(errAborted)
			op, _ := script()
			return retry.Do(ctx, retry.Policy{}, op), context.Canceled, errAborted
		},
		"deadline passed during an attempt": func(t *testing.T) (error, error, error) {
			ctx, cancel := context.WithTimeoutCause(context.Background(), time.Second, errSlow)
			defer cancel()
			return retry.Do(ctx, retry.Policy{}, func(context.Context) error {
				time.Sleep(2 * time.Second) // an op that ignores its context
				return errBoom
			}), context.DeadlineExceeded, errSlow
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				err, sentinel, cause := run(t)
				require.ErrorIs(t, err, cause, "the cause the caller gave")
				require.ErrorIs(t, err, sentinel, "what ctx.Err() says")
			})
		})
	}
}

// TestDoKeepsAWrappedCause: the common idiom builds a cause that itself
// wraps ctx.Err(), e.g. fmt.Errorf("budget: %w", context.DeadlineExceeded),
// as lesson 02's timeout.DoStdlib does. That cause matches ctx.Err()
// already, so it is the error to keep, not ctx.Err() alone.
func TestDoKeepsAWrappedCause(t *testing.T) {
	errBudget := fmt.Errorf("checkout budget spent: %w", context.DeadlineExceeded)
	errAborted := fmt.Errorf("payment aborted by the user: %w", context.Canceled)
	for name, run := range map[string]func(t *testing.T) (error, error, error){
		"cancel cause during a wait": func(t *testing.T) (error, error, error) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			time.AfterFunc(50*time.Millisecond, func() { cancel(errAborted) })
			op, _ := script(failing(10)...)
			return retry.Do(ctx, retry.Policy{Jitter: retry.NoJitter}, op), context.Canceled, errAborted
		},
		"timeout cause during an attempt": func(t *testing.T) (error, error, error) {
			ctx, cancel := context.WithTimeoutCause(context.Background(), time.Second, errBudget)
			defer cancel()
			return retry.Do(ctx, retry.Policy{}, func(context.Context) error {
				time.Sleep(2 * time.Second) // an op that ignores its context
				return errBoom
			}), context.DeadlineExceeded, errBudget
		},
		"cancel cause before the first attempt": func(t *testing.T) (error, error, error) {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(errAborted)
			op, _ := script()
			return retry.Do(ctx, retry.Policy{}, op), context.Canceled, errAborted
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				err, sentinel, cause := run(t)
				require.ErrorIs(t, err, cause, "the cause the caller gave, which wraps ctx.Err()")
				require.ErrorIs(t, err, sentinel, "what ctx.Err() says")
				assert.Contains(t, err.Error(), cause.Error(), "the message shows the reason")
			})
		})
	}
}

// TestDoBackoffReturnsOnlyTheCause pins the library's side of the
// difference: backoff.Retry returns context.Cause(ctx) as is, so a custom
// cause no longer matches context.Canceled.
func TestDoBackoffReturnsOnlyTheCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errAborted := errors.New("payment aborted by the user")
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		time.AfterFunc(50*time.Millisecond, func() { cancel(errAborted) })
		op, _ := script(failing(10)...)
		err := retry.DoBackoff(ctx, retry.Policy{Jitter: retry.NoJitter}, op)
		require.ErrorIs(t, err, errAborted)
		assert.NotErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, errBoom, "the library drops the last error")
	})
}

func TestDoPassesContextToOp(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	err := retry.Do(ctx, retry.Policy{}, func(got context.Context) error {
		if got.Value(key{}) != "v" {
			return errors.New("op did not get the caller's context")
		}
		return nil
	})
	require.NoError(t, err)
}

func TestDoFullJitterStaysUnderTheCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := retry.Policy{MaxAttempts: 6, InitialDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
		var delays []time.Duration
		p.OnRetry = func(_ int, _ error, d time.Duration) { delays = append(delays, d) }
		op, _ := script(failing(10)...)
		start := time.Now()
		_ = retry.Do(context.Background(), p, op)

		var sum time.Duration
		for k, d := range delays {
			assert.LessOrEqual(t, d, p.Capped(k+1), "retry %d", k+1)
			assert.GreaterOrEqual(t, d, time.Duration(0))
			sum += d
		}
		assert.Equal(t, sum, time.Since(start), "Do waits exactly the delays it reports")
	})
}

func TestDoWithSeededRandIsReplayable(t *testing.T) {
	run := func() []time.Duration {
		var delays []time.Duration
		synctest.Test(t, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(42, 0))
			p := retry.Policy{MaxAttempts: 5, Jitter: retry.DecorrelatedJitter, Rand: rng.Int64N,
				OnRetry: func(_ int, _ error, d time.Duration) { delays = append(delays, d) }}
			op, _ := script(failing(10)...)
			_ = retry.Do(context.Background(), p, op)
		})
		return delays
	}
	first := run()
	assert.Len(t, first, 4)
	assert.Equal(t, first, run(), "the same seeded source gives the same delays")
}

func TestDoHugeCapDoesNotPanic(t *testing.T) {
	// MaxDelay = MaxInt64 is a natural way to say "no cap"; the widest
	// jitter range must not overflow the random source's argument.
	p := retry.Policy{InitialDelay: time.Hour, MaxDelay: math.MaxInt64, Multiplier: 1e6}
	for _, j := range []retry.Jitter{retry.FullJitter, retry.EqualJitter, retry.DecorrelatedJitter} {
		p.Jitter = j
		assert.NotPanics(t, func() {
			for k := 1; k < 10; k++ {
				assert.GreaterOrEqual(t, p.Delay(k, math.MaxInt64, rand.Int64N), time.Duration(0))
			}
		}, "jitter %v", j)
	}
}

func TestDoNoRetryAnnouncedAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	announced := false
	p := retry.Policy{OnRetry: func(int, error, time.Duration) { announced = true }}
	err := retry.Do(ctx, p, func(context.Context) error {
		cancel()
		return errBoom
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, announced, "OnRetry must not announce a wait that will not happen")
}
