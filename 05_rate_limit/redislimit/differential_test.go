package redislimit

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/redisenv"
)

// TestDifferentialAgainstTokenBucket replays random request times through
// the shared GCRA (one replica, explicit times) and through lesson 05's
// in-process token bucket with the same rate and burst: every request gets
// the same yes or no, and a refusal the same wait to the microsecond.
//
// GCRA and the token bucket are one algorithm seen from two sides: the
// bucket counts tokens, GCRA the time at which the bucket would be full.
//
// The times are whole microseconds, the grain of the shared limiter. On a
// real server keys expire by its own clock, so there only a slow rate runs,
// whose keys outlive the test.
func TestDifferentialAgainstTokenBucket(t *testing.T) {
	s := redisenv.New(t)
	c := patientClient(s)
	defer c.Close()
	ctx := context.Background()

	type setup struct {
		limit   Limit
		maxStep time.Duration // the longest gap between two requests
	}
	setups := []setup{{Limit{Rate: 1, Period: 10 * time.Second, Burst: 5}, 8 * time.Second}}
	if s.Embedded() {
		setups = append(setups,
			setup{PerSecond(10, 10), 150 * time.Millisecond},
			setup{PerSecond(10, 1), 150 * time.Millisecond},
			setup{PerSecond(250, 20), 10 * time.Millisecond},
			setup{Limit{Rate: 3, Period: time.Second, Burst: 4}, time.Second},
		)
	}
	for i, su := range setups {
		t.Run(su.limit.String(), func(t *testing.T) {
			g, err := NewGCRA(c, s.Key("diff:"), su.limit)
			require.NoError(t, err)
			// The bucket gets the rate the script really enforces: whole
			// microseconds between requests.
			bucket := ratelimit.NewLimiter(ratelimit.Every(time.Duration(g.interval)*time.Microsecond), su.limit.Burst)
			rng := rand.New(rand.NewPCG(uint64(i), 17))
			key := "client" + su.limit.String()
			now := time.UnixMicro(redisenv.Epoch.UnixMicro())
			agreed := map[bool]int{}
			for n := range 600 {
				// Bunched requests most of the time, now and then a pause.
				step := time.Duration(rng.Int64N(int64(su.maxStep)/4)) / time.Microsecond * time.Microsecond
				if rng.IntN(10) == 0 {
					step = time.Duration(rng.Int64N(int64(su.maxStep))) / time.Microsecond * time.Microsecond
				}
				now = now.Add(step)
				d, err := g.AllowAt(ctx, key, now)
				require.NoError(t, err)
				tokens := bucket.TokensAt(now)
				want := bucket.AllowN(now, 1)
				require.Equal(t, want, d.Allowed,
					"request %d at +%v: token bucket says %v with %.6f tokens, GCRA says %v",
					n, now.Sub(redisenv.Epoch), want, tokens, d.Allowed)
				agreed[want]++
				if !want {
					wait := time.Duration((1 - tokens) * float64(g.interval) * float64(time.Microsecond))
					require.InDelta(t, float64(wait), float64(d.RetryAfter), float64(time.Microsecond),
						"request %d: the bucket earns its next token in %v, GCRA says retry after %v", n, wait, d.RetryAfter)
				} else {
					require.Equal(t, int(math.Floor(bucket.TokensAt(now)+1e-9)), d.Remaining, "request %d: Remaining", n)
				}
			}
			require.NotZero(t, agreed[true], "the sequence must have allowed requests")
			require.NotZero(t, agreed[false], "the sequence must have refused requests")
		})
	}
}
