package compose

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
)

func TestThrottleFollowsGRPC(t *testing.T) {
	th, err := NewThrottle(10, 0.1)
	require.NoError(t, err)
	assert.True(t, th.AllowRetry(), "a full bucket allows retries")

	for range 4 {
		th.OnResult(false)
	}
	assert.Equal(t, 6.0, th.Tokens())
	assert.True(t, th.AllowRetry(), "6 of 10 tokens: more than half left")
	th.OnResult(false)
	assert.Equal(t, 5.0, th.Tokens())
	assert.False(t, th.AllowRetry(), "5 of 10 is not more than half: retries stop")

	th.OnResult(true)
	assert.Equal(t, 5.1, th.Tokens())
	assert.True(t, th.AllowRetry(), "one success above half: retries resume")

	for range 9 {
		th.OnResult(true)
	}
	assert.Equal(t, 6.0, th.Tokens(), "ten successes of 0.1 are exactly one token")
	for range 100 {
		th.OnResult(true)
	}
	assert.Equal(t, 10.0, th.Tokens(), "never above maxTokens")
	for range 20 {
		th.OnResult(false)
	}
	assert.Equal(t, 0.0, th.Tokens(), "never below zero")
}

func TestThrottleRejectsBadSettings(t *testing.T) {
	for _, tc := range [][2]float64{{0, 0.1}, {-1, 0.1}, {1001, 1}, {10, 0}, {10, -0.1}, {10, 11}, {0.0004, 0.0001}} {
		_, err := NewThrottle(tc[0], tc[1])
		assert.ErrorIs(t, err, ErrInvalidThrottle, "%v", tc)
	}
	// The smallest throttle it keeps still works as a throttle: it allows
	// retries until one failure empties it.
	th, err := NewThrottle(0.001, 0.001)
	require.NoError(t, err)
	assert.True(t, th.AllowRetry(), "a full bucket allows retries")
	th.OnResult(false)
	assert.False(t, th.AllowRetry(), "an empty one does not")
}

// While the dependency fails for everyone, the shared throttle soon stops
// retries altogether: callers send their first attempts and nothing more.
func TestRetryLayerStopsWhenThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		th, err := NewThrottle(10, 0.1)
		require.NoError(t, err)
		svc := newFake(step{err: errTransient})
		call := Chain(svc.Call, Retry(quick, WithBudget(th)))

		var attempts []int
		for range 5 {
			before := svc.Calls()
			err := call(t.Context())
			attempts = append(attempts, svc.Calls()-before)
			assert.ErrorIs(t, err, errTransient, "the last attempt's error is kept")
			if len(attempts) > 1 {
				assert.ErrorIs(t, err, ErrRetryThrottled)
			}
		}
		// 10 tokens: call 1 spends 3 (7 left); call 2 spends 2 and is
		// refused at 5; then every first attempt is refused a retry.
		assert.Equal(t, []int{3, 2, 1, 1, 1}, attempts)
	})
}

// spyBudget is a RetryBudget that records what the layer tells it and asks
// it, and when it was asked, and answers AllowRetry with allow.
type spyBudget struct {
	mu       sync.Mutex
	allow    bool
	requests int
	results  []bool
	asked    []time.Time
}

func (b *spyBudget) OnRequest() { b.mu.Lock(); b.requests++; b.mu.Unlock() }

func (b *spyBudget) OnResult(ok bool) { b.mu.Lock(); b.results = append(b.results, ok); b.mu.Unlock() }

func (b *spyBudget) AllowRetry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked = append(b.asked, time.Now())
	return b.allow
}

// A yes from the budget means the retry is made: the layer asks only once
// the backoff is over, the caller's context still alive and the attempt
// due before the deadline. A budget that counts retries must not pay for
// one that a deadline or a cancellation calls off.
func TestBudgetIsAskedOnlyForRetriesThatStart(t *testing.T) {
	t.Run("the backoff would end past the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			spy := &spyBudget{allow: true}
			svc := newFake(step{err: errTransient})
			p := retry.Policy{MaxAttempts: 3, InitialDelay: 20 * time.Millisecond, Jitter: retry.NoJitter}
			err := Chain(svc.Call, Timeout(15*time.Millisecond), Retry(p, WithBudget(spy)))(t.Context())
			assert.ErrorIs(t, err, retry.ErrNoTimeLeft, "the 20ms wait does not fit the 15ms left")
			assert.Equal(t, 1, svc.Calls())
			assert.Empty(t, spy.asked, "no retry could start, so none may be asked for")
		})
	})
	t.Run("the caller cancels during the backoff", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			spy := &spyBudget{allow: true}
			svc := newFake(step{err: errTransient})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			time.AfterFunc(5*time.Millisecond, cancel)
			err := Chain(svc.Call, Retry(quick, WithBudget(spy)))(ctx)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 1, svc.Calls())
			assert.Empty(t, spy.asked, "the caller left during the 10ms wait: no retry started")
		})
	})
	t.Run("retries that start are asked for, after their wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			spy := &spyBudget{allow: true}
			svc := newFake(step{err: errTransient}, step{err: errTransient}, step{})
			start := time.Now()
			require.NoError(t, Chain(svc.Call, Retry(quick, WithBudget(spy)))(t.Context()))
			require.Len(t, spy.asked, 2, "two retries, two questions")
			assert.Equal(t, 10*time.Millisecond, spy.asked[0].Sub(start), "asked after the first 10ms wait")
			assert.Equal(t, 30*time.Millisecond, spy.asked[1].Sub(start), "asked after the second, 20ms, wait")
			assert.Equal(t, []bool{false, false, true}, spy.results)
			assert.Equal(t, 1, spy.requests)
		})
	})
	t.Run("a refused retry is not made", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			spy := &spyBudget{allow: false}
			svc := newFake(step{err: errTransient})
			err := Chain(svc.Call, Retry(quick, WithBudget(spy)))(t.Context())
			assert.ErrorIs(t, err, ErrRetryThrottled)
			assert.ErrorIs(t, err, errTransient, "the last attempt's error is kept")
			assert.True(t, retry.IsPermanent(err))
			assert.Equal(t, 1, svc.Calls())
			assert.Len(t, spy.asked, 1)
		})
	})
}

// A budget that earns per request (exercise 3's ratio budget) must not earn
// for calls that never make an attempt: they would buy retries for the
// calls that do.
func TestBudgetHearsOnlyOfCallsThatMakeAnAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spy := &spyBudget{allow: true}
		svc := newFake(step{})
		err := Chain(svc.Call, Retry(retry.Policy{MaxAttempts: -1}, WithBudget(spy)))(t.Context())
		assert.ErrorIs(t, err, retry.ErrInvalidPolicy)

		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err = Chain(svc.Call, Retry(quick, WithBudget(spy)))(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, svc.Calls())
		assert.Zero(t, spy.requests, "neither call made an attempt")

		require.NoError(t, Chain(svc.Call, Retry(quick, WithBudget(spy)))(t.Context()))
		assert.Equal(t, 1, spy.requests, "a call that made an attempt is counted once")
	})
}
