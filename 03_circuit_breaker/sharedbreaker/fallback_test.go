package sharedbreaker

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/redisenv"
)

// quickReplica is a replica whose store calls give up after 20 ms: the
// test of a hanging store waits that long, once. A stopped store needs no
// timeout (the connection is refused at once), so those tests use the
// patient clients of newReplica, and a busy machine cannot make their first
// call fall back before the store is stopped.
func quickReplica(t *testing.T, srv *redisenv.Server, name string, s Settings, clock *fakeClock) *Breaker {
	c := redis.NewClient(quickOptions(srv))
	t.Cleanup(func() { c.Close() })
	b := New(c, srv.Key(name), s)
	b.localClock = clock.Now
	return b
}

func TestStoppedStoreFallsBackToALocalBreaker(t *testing.T) {
	srv := redisenv.New(t)
	clock := newFakeClock()
	s := Settings{Name: "fallback", MaxConsecutiveFailures: 2, Timeout: time.Hour, StoreRetry: time.Second}
	b := newReplica(t, srv, "fallback", s, clock)
	ctx := context.Background()

	require.NoError(t, b.Execute(ctx, ok))
	srv.Stop()
	t.Cleanup(srv.Resume)

	// The store is gone: calls still go through, decided by the local
	// breaker, which trips on its own after three failures.
	require.NoError(t, b.Execute(ctx, ok), "a call must go through the local breaker when the store is down")
	tripWith(t, b, 3)
	called := false
	err := b.Execute(ctx, func() error { called = true; return nil })
	assert.ErrorIs(t, err, breaker.ErrOpenState, "the local breaker must trip and refuse while the store is down")
	assert.False(t, called)

	st := b.Stats()
	assert.Equal(t, uint64(1), st.Shared)
	assert.Equal(t, uint64(5), st.Fallback)
	assert.Equal(t, uint64(1), st.StoreErrors, "within StoreRetry of a failure the store must not be asked again")

	state, err := b.State(ctx)
	assert.ErrorIs(t, err, ErrStoreUnavailable)
	assert.Equal(t, breaker.StateOpen, state, "State must report the local breaker while the store is down")

	// The store comes back; after StoreRetry the shared breaker decides
	// again, and it never saw the outage's failures.
	srv.Resume()
	clock.Advance(time.Second + time.Millisecond)
	require.NoError(t, b.Execute(ctx, ok), "after StoreRetry the shared breaker must decide again")
	assert.Equal(t, uint64(2), b.Stats().Shared)
	assert.Equal(t, breaker.StateClosed, stateOf(t, b))
}

func TestStalledStoreCostsOneTimeoutThenFallsBack(t *testing.T) {
	srv := redisenv.New(t)
	clock := newFakeClock()
	b := quickReplica(t, srv, "stall", Settings{Name: "stall"}, clock)
	ctx := context.Background()

	srv.Stall()
	t.Cleanup(srv.Resume)
	calls := 0
	for range 5 {
		require.NoError(t, b.Execute(ctx, func() error { calls++; return nil }))
	}
	assert.Equal(t, 5, calls, "a hanging store must not stop the calls")
	st := b.Stats()
	assert.Equal(t, uint64(5), st.Fallback)
	assert.Equal(t, uint64(1), st.StoreErrors, "only the first call may wait for the hanging store")
}

func TestStoreFailingAfterTheCallLosesOnlyThatResult(t *testing.T) {
	srv := redisenv.New(t)
	clock := newFakeClock()
	b := newReplica(t, srv, "lost-result", Settings{Name: "lost-result"}, clock)
	err := b.Execute(context.Background(), func() error {
		srv.Stop()
		return errFail
	})
	srv.Resume()
	assert.ErrorIs(t, err, errFail, "fn's error must come back unchanged")
	assert.Equal(t, uint64(1), b.Stats().LostResults)
}

func TestCallersContextEndedIsNotAStoreFailure(t *testing.T) {
	srv := redisenv.New(t)
	b := newReplica(t, srv, "canceled", Settings{Name: "canceled"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := b.Execute(ctx, func() error { called = true; return nil })
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, called, "a call whose context has ended must not start")
	assert.Zero(t, b.Stats().Fallback)
}
