package sharedbreaker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/redisenv"
)

func TestTrialSlotsAreSharedAcrossReplicas(t *testing.T) {
	srv := redisenv.New(t)
	clock := newFakeClock()
	s := Settings{Name: "trial", MaxConsecutiveFailures: 1, Timeout: time.Second}
	a := newReplica(t, srv, "trial", s, clock)
	b := newReplica(t, srv, "trial", s, clock)
	ctx := context.Background()

	tripWith(t, a, 2)
	clock.Advance(time.Second + time.Millisecond)

	// a's trial call is running; b must not get a second one.
	var bErr error
	require.NoError(t, a.Execute(ctx, func() error {
		bErr = b.Execute(ctx, ok)
		return nil
	}))
	assert.ErrorIs(t, bErr, breaker.ErrTooManyRequests, "with MaxRequests 1, one replica's trial call must take the only slot")
	assert.Equal(t, breaker.StateClosed, stateOf(t, b), "one successful trial must close the breaker for every replica")
}

func TestServerClockOpensAndHalfOpens(t *testing.T) {
	srv := redisenv.New(t)
	if !srv.Embedded() {
		t.Skip("needs the embedded server's clock; the explicit-clock tests cover a real server")
	}
	// No fake clock: the breaker reads the server's TIME.
	s := Settings{Name: "server-time", MaxConsecutiveFailures: 1, Timeout: 10 * time.Second}
	b := newReplica(t, srv, "server-time", s, nil)
	tripWith(t, b, 2)
	require.NoError(t, srv.Advance(10*time.Second))
	assert.Equal(t, breaker.StateOpen, stateOf(t, b), "at exactly Timeout the breaker is still open")
	require.NoError(t, srv.Advance(time.Millisecond))
	assert.Equal(t, breaker.StateHalfOpen, stateOf(t, b), "past Timeout by the server's clock the breaker must be half-open")
}

func TestOnStateChangeReportsThisReplicasChanges(t *testing.T) {
	srv := redisenv.New(t)
	clock := newFakeClock()
	var (
		mu  sync.Mutex
		got []string
	)
	s := Settings{Name: "notify", MaxConsecutiveFailures: 1, Timeout: time.Second,
		OnStateChange: func(name string, from, to breaker.State) {
			mu.Lock()
			got = append(got, name+": "+from.String()+" -> "+to.String())
			mu.Unlock()
		}}
	b := newReplica(t, srv, "notify", s, clock)
	tripWith(t, b, 2)
	clock.Advance(2 * time.Second)
	require.NoError(t, b.Execute(context.Background(), ok))
	assert.Equal(t, []string{
		"notify: closed -> open",
		"notify: open -> half-open",
		"notify: half-open -> closed",
	}, got)
}

func TestPanicCountsAsAFailure(t *testing.T) {
	srv := redisenv.New(t)
	b := newReplica(t, srv, "panic", Settings{Name: "panic"}, nil)
	assert.PanicsWithValue(t, "boom", func() {
		_ = b.Execute(context.Background(), func() error { panic("boom") })
	})
	assert.Equal(t, uint32(1), countsOf(t, b).TotalFailures)
}

func TestLibraryTripsForEveryReplicaToo(t *testing.T) {
	srv := redisenv.New(t)
	s := Settings{Name: "lib", MaxConsecutiveFailures: 2, Timeout: time.Hour}
	var rs []*Library
	for range 3 {
		st := NewRedisStore(patientClient(t, srv), srv.Key("lib")+":", 0)
		l, err := NewLibrary(st, s)
		require.NoError(t, err)
		rs = append(rs, l)
	}
	tripWith(t, rs[0], 3)
	for _, r := range rs {
		assert.ErrorIs(t, r.Execute(context.Background(), ok), breaker.ErrOpenState)
		st, err := r.State(context.Background())
		require.NoError(t, err)
		assert.Equal(t, breaker.StateOpen, st)
	}
}

func TestLibraryFailsWhenTheStoreIsDown(t *testing.T) {
	srv := redisenv.New(t)
	st := NewRedisStore(patientClient(t, srv), srv.Key("lib-down")+":", 0)
	l, err := NewLibrary(st, Settings{Name: "lib-down"})
	require.NoError(t, err)
	srv.Stop()
	t.Cleanup(srv.Resume)
	called := false
	err = l.Execute(context.Background(), func() error { called = true; return nil })
	assert.Error(t, err, "gobreaker has no fallback: with the store down Execute fails")
	assert.False(t, called)
}
