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

// twins builds both limiters on one server, each under its own prefix.
var twins = []struct {
	name string
	new  func(c *redis.Client, prefix string, l Limit) (Limiter, error)
}{
	{"handrolled", func(c *redis.Client, p string, l Limit) (Limiter, error) { return NewGCRA(c, p, l) }},
	{"library", func(c *redis.Client, p string, l Limit) (Limiter, error) { return NewLibrary(c, p, l) }},
}

// perHour is the table's limit: one request every 12 minutes, so the
// wall time a test takes on a real server cannot earn a request, and the
// same answers come from the embedded server's standing clock.
var perHour = Limit{Rate: 5, Period: time.Hour, Burst: 5}

// TestBehaviourTable runs one table over the hand-rolled GCRA and the
// library twin, on the embedded server or the one in REDIS_URL.
func TestBehaviourTable(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, s *redisenv.Server, c *redis.Client, lim Limiter)
	}{
		{"a new key has its whole burst, then is refused", func(t *testing.T, _ *redisenv.Server, _ *redis.Client, lim Limiter) {
			for i := range perHour.Burst {
				d, err := lim.Allow(ctx, "client")
				require.NoError(t, err)
				require.True(t, d.Allowed, "request %d of a burst of %d refused", i+1, perHour.Burst)
				assert.Equal(t, perHour.Burst-1-i, d.Remaining, "Remaining after request %d", i+1)
				assert.Zero(t, d.RetryAfter, "an allowed request has no RetryAfter")
			}
			d, err := lim.Allow(ctx, "client")
			require.NoError(t, err)
			assert.False(t, d.Allowed, "request %d is over the burst", perHour.Burst+1)
			assert.Zero(t, d.Remaining)
		}},
		{"RetryAfter is the time until one request is earned", func(t *testing.T, _ *redisenv.Server, _ *redis.Client, lim Limiter) {
			for range perHour.Burst {
				_, err := lim.Allow(ctx, "client")
				require.NoError(t, err)
			}
			d, err := lim.Allow(ctx, "client")
			require.NoError(t, err)
			require.False(t, d.Allowed)
			interval := perHour.Period / time.Duration(perHour.Rate)
			assert.LessOrEqual(t, d.RetryAfter, interval)
			assert.Greater(t, d.RetryAfter, interval-time.Second, "RetryAfter %v, want about %v", d.RetryAfter, interval)
		}},
		{"keys are independent", func(t *testing.T, _ *redisenv.Server, _ *redis.Client, lim Limiter) {
			for range perHour.Burst + 1 {
				_, err := lim.Allow(ctx, "greedy")
				require.NoError(t, err)
			}
			d, err := lim.Allow(ctx, "quiet")
			require.NoError(t, err)
			assert.True(t, d.Allowed, "one client's refusals must not limit another")
		}},
		{"a refused request costs nothing", func(t *testing.T, s *redisenv.Server, _ *redis.Client, lim Limiter) {
			if !s.Embedded() {
				t.Skip("needs the embedded server's clock")
			}
			for range perHour.Burst + 3 {
				_, err := lim.Allow(ctx, "client")
				require.NoError(t, err)
			}
			require.NoError(t, s.Advance(perHour.Period/time.Duration(perHour.Rate)))
			d, err := lim.Allow(ctx, "client")
			require.NoError(t, err)
			assert.True(t, d.Allowed, "one interval after the burst one request is earned, whatever was refused meanwhile")
			d, err = lim.Allow(ctx, "client")
			require.NoError(t, err)
			assert.False(t, d.Allowed, "and only one")
		}},
		{"the key expires when the allowance is full again", func(t *testing.T, s *redisenv.Server, c *redis.Client, lim Limiter) {
			_, err := lim.Allow(ctx, "client")
			require.NoError(t, err)
			keys, err := c.Keys(ctx, "*"+s.Prefix()+"*").Result() // redis_rate adds "rate:" in front
			require.NoError(t, err)
			require.Len(t, keys, 1, "one key per client")
			ttl, err := c.PTTL(ctx, keys[0]).Result()
			require.NoError(t, err)
			interval := perHour.Period / time.Duration(perHour.Rate)
			assert.Greater(t, ttl, time.Duration(0), "the key must expire")
			assert.LessOrEqual(t, ttl, interval+time.Second, "the key must expire once one interval has passed")
			if s.Embedded() {
				require.NoError(t, s.Advance(interval+time.Second))
				assert.Zero(t, c.Exists(ctx, keys[0]).Val(), "an idle client must cost no memory")
			}
		}},
	}
	for _, tw := range twins {
		for _, tc := range cases {
			t.Run(tw.name+"/"+tc.name, func(t *testing.T) {
				s := redisenv.New(t)
				c := patientClient(s)
				defer c.Close()
				lim, err := tw.new(c, s.Key(""), perHour)
				require.NoError(t, err)
				tc.run(t, s, c, lim)
			})
		}
	}
}

// TestDifferenceBurstAtStandingClock is the first difference written down
// in Library's doc: at one instant, a burst of 10 at 10 per second. The
// hand-rolled script counts whole microseconds and admits 10; redis_rate
// adds 0.1 s ten times in float seconds, lands a hair past 1.0 and admits 9.
func TestDifferenceBurstAtStandingClock(t *testing.T) {
	s := redisenv.New(t)
	if !s.Embedded() {
		t.Skip("needs a clock that stands still: the embedded server's")
	}
	c := patientClient(s)
	defer c.Close()
	want := map[string]int{"handrolled": 10, "library": 9}
	for _, tw := range twins {
		lim, err := tw.new(c, s.Key(tw.name+":"), PerSecond(10, 10))
		require.NoError(t, err)
		admitted := 0
		for range 20 {
			d, err := lim.Allow(context.Background(), "client")
			require.NoError(t, err)
			if d.Allowed {
				admitted++
			}
		}
		assert.Equal(t, want[tw.name], admitted, "%s: admitted of a burst of 10 at one instant", tw.name)
	}
}

// TestDifferenceLibraryKeyLifetime writes down another difference:
// redis_rate keeps its keys for whole seconds (EX, rounded up), the
// hand-rolled script to the millisecond (PX).
func TestDifferenceLibraryKeyLifetime(t *testing.T) {
	s := redisenv.New(t)
	c := patientClient(s)
	defer c.Close()
	l := PerSecond(10, 1) // one interval: 100 ms
	g, err := NewGCRA(c, s.Key("g:"), l)
	require.NoError(t, err)
	lib, err := NewLibrary(c, s.Key("l:"), l)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = g.Allow(ctx, "k")
	require.NoError(t, err)
	_, err = lib.Allow(ctx, "k")
	require.NoError(t, err)
	gTTL := c.PTTL(ctx, s.Key("g:k")).Val()
	lTTL := c.PTTL(ctx, "rate:"+s.Key("l:k")).Val()
	assert.LessOrEqual(t, gTTL, 100*time.Millisecond, "GCRA keeps a key for its interval, to the millisecond")
	assert.Greater(t, lTTL, 900*time.Millisecond, "redis_rate rounds the key's life up to a whole second")
}
