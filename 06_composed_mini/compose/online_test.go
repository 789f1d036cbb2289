package compose

// The version you will find online: a retry helper wrapped around
// everything, with the breaker and a timeout bolted on. Each test below
// shows one of its defects next to the chain's answer.

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
	"reliability/03_circuit_breaker/breaker"
)

// naiveRetry is the helper in question: a fixed number of tries, a fixed
// sleep, every error retried, and the context only passed along.
func naiveRetry(ctx context.Context, tries int, wait time.Duration, op func(context.Context) error) error {
	var err error
	for range tries {
		if err = op(ctx); err == nil {
			return nil
		}
		time.Sleep(wait)
	}
	return err
}

// Defect 1: ErrOpenState is retried like any failure. The breaker refuses
// every try, so the loop sleeps and asks again and again, for nothing.
func TestOnlineRetrySpinsOnOpenBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cb := breaker.New(breaker.Settings{Timeout: time.Minute, ReadyToTrip: func(breaker.Counts) bool { return true }})
		_ = cb.Execute(func() error { return errTransient }) // open for a minute
		svc := newFake(step{})

		rejected := 0
		through := func(ctx context.Context) error {
			err := cb.Execute(func() error { return svc.Call(ctx) })
			if errors.Is(err, breaker.ErrOpenState) {
				rejected++
			}
			return err
		}
		start := time.Now()
		err := naiveRetry(t.Context(), 5, 100*time.Millisecond, through)
		assert.ErrorIs(t, err, breaker.ErrOpenState)
		assert.Equal(t, 5, rejected, "online: every try is refused by the open breaker")
		assert.Equal(t, 500*time.Millisecond, time.Since(start), "online: and the caller waited 500ms to learn nothing")

		rejected, start = 0, time.Now()
		err = Chain(svc.Call, Retry(retry.Policy{MaxAttempts: 5}), Breaker(cb))(t.Context())
		assert.ErrorIs(t, err, breaker.ErrOpenState)
		assert.Zero(t, time.Since(start), "chain: the caller hears at once that the dependency is down")
		assert.Zero(t, svc.Calls())
	})
}

// Defect 2: one timeout around the whole retry loop, none per attempt. The
// first attempt hangs (a slow replica, a lost packet), eats the whole
// second, and the retry that would have succeeded never gets a chance.
func TestOnlineOneTimeoutAroundTheLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newFake(step{wait: time.Hour}, step{})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		err := naiveRetry(ctx, 3, 100*time.Millisecond, svc.Call)
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded, "online: the call fails although the service recovered")
		assert.Equal(t, context.DeadlineExceeded, svc.ends[0], "the first attempt used up the whole second")

		svc = newFake(step{wait: time.Hour}, step{})
		start := time.Now()
		err = Chain(svc.Call, Timeout(time.Second), Retry(quick), Timeout(200*time.Millisecond))(t.Context())
		require.NoError(t, err, "chain: the slow attempt is cut at 200ms and the retry succeeds")
		assert.Equal(t, 210*time.Millisecond, time.Since(start))
	})
}

// Defect 3: retries at several layers multiply. A request passes through
// five services, each retrying its call to the next three times; when the
// bottom one is down, it gets 3^5 = 243 calls for one request.
func TestOnlineRetriesAtEveryLayerMultiply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const layers = 5
		svc := newFake(step{err: errTransient})
		call := svc.Call
		for range layers {
			inner := call
			call = func(ctx context.Context) error { return naiveRetry(ctx, 3, time.Millisecond, inner) }
		}
		assert.Error(t, call(t.Context()))
		assert.Equal(t, 243, svc.Calls(), "online: 3 attempts at each of 5 layers")

		// Lesson 01's retry.Do alone multiplies just the same: it does not
		// mark the error it gives up with as final.
		svc = newFake(step{err: errTransient})
		call = svc.Call
		for range layers {
			inner := call
			call = func(ctx context.Context) error { return retry.Do(ctx, quick, inner) }
		}
		assert.Error(t, call(t.Context()))
		assert.Equal(t, 243, svc.Calls(), "retry.Do nested five times")

		// The Retry layer marks every error it returns as final, so the
		// layers above pass it on instead of retrying it: retry at one
		// layer only.
		svc = newFake(step{err: errTransient})
		layered := make([]Layer, layers)
		for i := range layered {
			layered[i] = Retry(quick)
		}
		assert.ErrorIs(t, Chain(svc.Call, layered...)(t.Context()), errTransient)
		assert.Equal(t, 3, svc.Calls(), "chain: the bottom service sees 3 calls, not 243")
	})
}
