package sharedbreaker

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/redisenv"
)

var errFail = errors.New("dependency failed")

func ok() error   { return nil }
func fail() error { return errFail }

// fakeClock is a clock the test moves by hand. Breakers given one take their
// time from it instead of the server's TIME, so a test that needs time to
// pass runs the same on the embedded server and on a real one.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: redisenv.Epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// patientClient is a client whose calls may take two seconds: a loaded
// machine running the race detector can take more than the 1 s of
// redisenv's clients to run a script, and a test that is not about a slow
// store must not fall back because of that. The tests of a slow or dead
// store use quickOptions.
func patientClient(t testing.TB, srv *redisenv.Server) *redis.Client {
	o := srv.Options()
	o.DialTimeout = 2 * time.Second
	o.ReadTimeout = 2 * time.Second
	o.WriteTimeout = 2 * time.Second
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// newReplica is one process's view: its own client and its own Breaker.
func newReplica(t testing.TB, srv *redisenv.Server, name string, s Settings, clock *fakeClock) *Breaker {
	t.Helper()
	c := patientClient(t, srv)
	b := New(c, srv.Key(name), s)
	if clock != nil {
		b.serverClock = clock.Now
		b.localClock = clock.Now
	}
	return b
}

// stateOf reads a breaker's shared state and fails the test on a store error.
func stateOf(t testing.TB, b *Breaker) breaker.State {
	t.Helper()
	st, err := b.State(context.Background())
	require.NoError(t, err)
	return st
}

func countsOf(t testing.TB, b *Breaker) breaker.Counts {
	t.Helper()
	c, err := b.Counts(context.Background())
	require.NoError(t, err)
	return c
}

// peek reads state and counts in one round trip.
func peek(t testing.TB, b *Breaker) (breaker.State, breaker.Counts) {
	t.Helper()
	r, err := b.step(context.Background(), "peek", 0, "")
	require.NoError(t, err)
	return r.state, r.counts
}

// tripWith sends n failures through b.
func tripWith(t testing.TB, b Shared, n int) {
	t.Helper()
	for range n {
		require.ErrorIs(t, b.Execute(context.Background(), fail), errFail)
	}
}

// quickOptions are a client's options with timeouts short enough that a
// test of a hanging store waits tens of milliseconds, not hundreds.
func quickOptions(srv *redisenv.Server) *redis.Options {
	o := srv.Options()
	o.DialTimeout = 20 * time.Millisecond
	o.ReadTimeout = 20 * time.Millisecond
	o.WriteTimeout = 20 * time.Millisecond
	return o
}
