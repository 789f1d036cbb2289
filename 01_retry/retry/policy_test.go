package retry_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"reliability/01_retry/retry"
)

func TestCappedIsExponentialThenFlat(t *testing.T) {
	p := retry.Policy{InitialDelay: 5 * time.Millisecond, MaxDelay: 2 * time.Second, Multiplier: 2}
	want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1280, 2000, 2000}
	for k, w := range want {
		assert.Equal(t, w*time.Millisecond, p.Capped(k+1), "retry %d", k+1)
	}
	assert.Equal(t, 2*time.Second, p.Capped(10_000), "huge exponents saturate at the cap instead of overflowing")
	assert.Zero(t, p.Capped(0))
}

func TestZeroPolicyDefaults(t *testing.T) {
	var p retry.Policy
	assert.Equal(t, retry.DefaultInitialDelay, p.Capped(1))
	assert.Equal(t, 2*retry.DefaultInitialDelay, p.Capped(2))
	assert.Equal(t, retry.DefaultMaxDelay, p.Capped(100))
	assert.NoError(t, p.Validate())
	assert.Equal(t, "full", p.Jitter.String(), "the zero Policy uses full jitter")
}

func TestJitterNames(t *testing.T) {
	assert.Equal(t, "none", retry.NoJitter.String())
	assert.Equal(t, "equal", retry.EqualJitter.String())
	assert.Equal(t, "decorrelated", retry.DecorrelatedJitter.String())
	assert.Equal(t, "Jitter(9)", retry.Jitter(9).String())
}

// TestJitterBounds draws many delays per strategy and checks each against
// its formula, and that the draws really spread over the allowed range
// (a strategy that always returned the midpoint would pass the bounds but
// not the spread).
func TestJitterBounds(t *testing.T) {
	base := retry.Policy{InitialDelay: 10 * time.Millisecond, MaxDelay: time.Second, Multiplier: 2}
	rng := rand.New(rand.NewPCG(1, 2))

	for _, tc := range []struct {
		jitter retry.Jitter
		bounds func(k int, prev time.Duration) (lo, hi time.Duration)
	}{
		{retry.NoJitter, func(k int, _ time.Duration) (time.Duration, time.Duration) {
			return base.Capped(k), base.Capped(k)
		}},
		{retry.FullJitter, func(k int, _ time.Duration) (time.Duration, time.Duration) {
			return 0, base.Capped(k)
		}},
		{retry.EqualJitter, func(k int, _ time.Duration) (time.Duration, time.Duration) {
			return base.Capped(k) / 2, base.Capped(k)
		}},
		{retry.DecorrelatedJitter, func(_ int, prev time.Duration) (time.Duration, time.Duration) {
			return base.InitialDelay, min(base.MaxDelay, 3*max(prev, base.InitialDelay))
		}},
	} {
		t.Run(tc.jitter.String(), func(t *testing.T) {
			p := base
			p.Jitter = tc.jitter
			for k := 1; k <= 10; k++ {
				lo, hi := tc.bounds(k, 0)
				seenLow, seenHigh := false, false
				prev := time.Duration(0)
				for range 500 {
					// Decorrelated jitter depends on the previous delay;
					// vary it across its possible range.
					prev = time.Duration(rng.Int64N(int64(base.MaxDelay)))
					if tc.jitter == retry.DecorrelatedJitter {
						lo, hi = tc.bounds(k, prev)
					}
					d := p.Delay(k, prev, rng.Int64N)
					// Plain comparisons: testify's helpers are slow in a
					// loop this long under the race detector.
					if d < lo || d > hi {
						t.Fatalf("retry %d: delay %v outside the formula's range [%v, %v]", k, d, lo, hi)
					}
					seenLow = seenLow || d < lo+(hi-lo)/4
					seenHigh = seenHigh || d > hi-(hi-lo)/4
				}
				if lo != hi {
					assert.True(t, seenLow && seenHigh, "retry %d: delays should spread over [%v, %v]", k, lo, hi)
				}
			}
		})
	}
}

func TestDecorrelatedGrowsFromPrevious(t *testing.T) {
	p := retry.Policy{InitialDelay: 10 * time.Millisecond, MaxDelay: time.Hour, Jitter: retry.DecorrelatedJitter}
	// A random source that always picks the top of the range shows the
	// growth: each delay is three times the last.
	top := func(n int64) int64 { return n - 1 }
	prev := time.Duration(0)
	var got []time.Duration
	for k := 1; k <= 4; k++ {
		prev = p.Delay(k, prev, top)
		got = append(got, prev)
	}
	assert.Equal(t, []time.Duration{30 * time.Millisecond, 90 * time.Millisecond, 270 * time.Millisecond, 810 * time.Millisecond}, got)
	assert.Equal(t, time.Hour, p.Delay(1, 1<<62, top), "3·prev saturates at the cap instead of overflowing")
}

func TestDelayInvalidInput(t *testing.T) {
	assert.Zero(t, retry.Policy{MaxAttempts: -1}.Delay(1, 0, rand.Int64N))
	assert.Zero(t, retry.Policy{}.Delay(0, 0, rand.Int64N))
}
