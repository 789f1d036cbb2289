package compose

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	for _, tc := range [][2]float64{{0, 0.1}, {-1, 0.1}, {1001, 1}, {10, 0}, {10, -0.1}, {10, 11}} {
		_, err := NewThrottle(tc[0], tc[1])
		assert.ErrorIs(t, err, ErrInvalidThrottle, "%v", tc)
	}
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
