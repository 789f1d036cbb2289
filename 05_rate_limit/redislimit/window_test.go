package redislimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/flaky/redisenv"
)

// TestWindowBoundary sends the fixed window's worst case to all three
// designs, 10 per second each: one request at 0 s starts the fixed window,
// 9 more at 0.999 s and 10 at 1.000 s. The fixed window's counter expires
// at 1.000 s and admits all 20, 19 of them within one millisecond; GCRA
// and the sliding log admit 11, the limit plus what one second earns.
func TestWindowBoundary(t *testing.T) {
	s := redisenv.New(t)
	if !s.Embedded() {
		t.Skip("needs the embedded server's clock to stand on a boundary")
	}
	c := patientClient(s)
	defer c.Close()
	ctx := context.Background()

	limiters := map[string]func(prefix string) (Limiter, error){
		"fixed window": func(p string) (Limiter, error) { return NewFixedWindow(c, p, 10, time.Second) },
		"sliding log":  func(p string) (Limiter, error) { return NewSlidingLog(c, p, 10, time.Second) },
		"GCRA":         func(p string) (Limiter, error) { return NewGCRA(c, p, PerSecond(10, 10)) },
	}
	built := map[string]Limiter{}
	for name, build := range limiters {
		lim, err := build(s.Key(name + ":"))
		require.NoError(t, err)
		built[name] = lim
	}
	admitted := map[string]int{}
	send := func(n int) {
		for name, lim := range built {
			for range n {
				d, err := lim.Allow(ctx, "client")
				require.NoError(t, err)
				if d.Allowed {
					admitted[name]++
				}
			}
		}
	}
	send(1)
	require.NoError(t, s.Advance(999*time.Millisecond))
	send(9)
	require.NoError(t, s.Advance(time.Millisecond))
	send(10)
	assert.Equal(t, 20, admitted["fixed window"], "the fixed window lets twice its limit through across a boundary")
	assert.Equal(t, 11, admitted["sliding log"], "the sliding log holds any 1 s to the limit")
	assert.Equal(t, 11, admitted["GCRA"], "GCRA: the burst of 10 plus one earned in a second")
	t.Logf("admitted in 1.000 s, limit 10/s: %v", admitted)
}

// TestSlidingLogMemory measures what the sliding log costs: one entry per
// admitted request in the window, against GCRA's one number per client.
// On a real server it also logs MEMORY USAGE, the bytes each key takes.
func TestSlidingLogMemory(t *testing.T) {
	s := redisenv.New(t)
	c := patientClient(s)
	defer c.Close()
	ctx := context.Background()

	const limit = 1000
	logLim, err := NewSlidingLog(c, s.Key("log:"), limit, time.Hour)
	require.NoError(t, err)
	gcraLim, err := NewGCRA(c, s.Key("gcra:"), Limit{Rate: limit, Period: time.Hour, Burst: limit})
	require.NoError(t, err)
	for range limit {
		for _, lim := range []Limiter{logLim, gcraLim} {
			d, err := lim.Allow(ctx, "client")
			require.NoError(t, err)
			require.True(t, d.Allowed)
		}
	}
	for _, lim := range []Limiter{logLim, gcraLim} {
		d, err := lim.Allow(ctx, "client")
		require.NoError(t, err)
		require.False(t, d.Allowed, "%T: request %d is over the limit", lim, limit+1)
	}
	entries, err := c.ZCard(ctx, s.Key("log:client")).Result()
	require.NoError(t, err)
	assert.EqualValues(t, limit, entries, "the sliding log holds one entry per request in the window")
	kind, err := c.Type(ctx, s.Key("gcra:client")).Result()
	require.NoError(t, err)
	assert.Equal(t, "string", kind, "GCRA holds one number per client")

	if !s.Embedded() {
		logBytes, err := c.MemoryUsage(ctx, s.Key("log:client")).Result()
		require.NoError(t, err)
		gcraBytes, err := c.MemoryUsage(ctx, s.Key("gcra:client")).Result()
		require.NoError(t, err)
		t.Logf("%d requests in the window: sliding log %d bytes (%.0f per request), GCRA %d bytes",
			limit, logBytes, float64(logBytes)/limit, gcraBytes)
		assert.Greater(t, logBytes, 20*gcraBytes)
	}
}

// TestFixedWindowExpires checks the one thing the fixed window
// does get right: the counter and its expiry are set in one step, so even
// the first request's key always expires.
func TestFixedWindowExpires(t *testing.T) {
	s := redisenv.New(t)
	c := patientClient(s)
	defer c.Close()
	ctx := context.Background()
	f, err := NewFixedWindow(c, s.Key("fw:"), 3, 1500*time.Millisecond)
	require.NoError(t, err)
	for i := range 5 {
		d, err := f.Allow(ctx, "client")
		require.NoError(t, err)
		assert.Equal(t, i < 3, d.Allowed, "request %d", i+1)
		if !d.Allowed {
			assert.Greater(t, d.RetryAfter, time.Duration(0))
			assert.LessOrEqual(t, d.RetryAfter, 1500*time.Millisecond)
		}
	}
	ttl, err := c.PTTL(ctx, s.Key("fw:client")).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, time.Second)
	assert.LessOrEqual(t, ttl, 1500*time.Millisecond, "the window is 1.5 s to the millisecond")
}

func TestBadLimits(t *testing.T) {
	var c *redis.Client // never called
	for _, l := range []Limit{
		{Rate: 0, Period: time.Second, Burst: 1},
		{Rate: 1, Period: time.Second, Burst: 0},
		{Rate: 1, Period: 0, Burst: 1},
		{Rate: 2_000_000, Period: time.Second, Burst: 1},
	} {
		_, err := NewGCRA(c, "", l)
		assert.ErrorIs(t, err, ErrBadLimit, "%+v", l)
		_, err = NewLibrary(c, "", l)
		assert.ErrorIs(t, err, ErrBadLimit, "%+v", l)
	}
	_, err := NewFixedWindow(c, "", 0, time.Second)
	assert.ErrorIs(t, err, ErrBadLimit)
	_, err = NewSlidingLog(c, "", 1, 0)
	assert.ErrorIs(t, err, ErrBadLimit)
	g, err := NewGCRA(c, "", PerSecond(1, 3))
	require.NoError(t, err)
	for _, n := range []int{0, 4} {
		_, err = g.AllowN(context.Background(), "k", n)
		assert.ErrorIs(t, err, ErrBadLimit, "AllowN(%d) with burst 3", n)
	}
	assert.Equal(t, "1/s, burst 3", g.Limit().String())
	assert.Equal(t, "5/1h0m0s, burst 5", perHour.String())
}
