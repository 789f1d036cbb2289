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

// TestDecorrelatedCapsTheRange pins down which decorrelated jitter this is:
// a uniform draw from [InitialDelay, min(MaxDelay, 3·prev)], not the
// article's min(MaxDelay, random in [InitialDelay, 3·prev]), which puts
// two thirds of the draws at the cap on exactly MaxDelay.
func TestDecorrelatedCapsTheRange(t *testing.T) {
	p := retry.Policy{InitialDelay: 10, MaxDelay: 30, Jitter: retry.DecorrelatedJitter}
	middle := func(n int64) int64 { return n / 2 }
	assert.Equal(t, time.Duration(20), p.Delay(1, 30, middle), "a middle draw at the cap lands mid-range, not on the cap")

	rng := rand.New(rand.NewPCG(3, 4))
	counts := map[time.Duration]int{}
	for range 21_000 {
		counts[p.Delay(5, 30, rng.Int64N)]++
	}
	for d := time.Duration(10); d <= 30; d++ {
		if n := counts[d]; n < 800 || n > 1200 {
			t.Errorf("%v came up %d times in 21000 draws, want about 1000: every delay in [10ns, 30ns] equally likely (%v)", d, n, counts)
		}
	}
	assert.Equal(t, time.Duration(30), retry.Policy{InitialDelay: 50, MaxDelay: 30, Jitter: retry.DecorrelatedJitter}.Delay(1, 0, middle),
		"InitialDelay above MaxDelay: the cap wins")
}

// TestDelayPanicsOnMisuse: an invalid policy or k < 1 is a programming
// error. Returning 0 instead, as Delay once did, turns a hand-written loop
// into a tight retry loop.
func TestDelayPanicsOnMisuse(t *testing.T) {
	assert.PanicsWithValue(t, "retry: Policy.Delay: retry: invalid policy: MaxAttempts is -1, want 0 (default) or more",
		func() { retry.Policy{MaxAttempts: -1}.Delay(1, 0, rand.Int64N) })
	assert.PanicsWithValue(t, "retry: Policy.Delay: retry number k is 0, want 1 or more (k = 1 is the wait after the first failed attempt)",
		func() { retry.Policy{}.Delay(0, 0, rand.Int64N) })
	assert.Panics(t, func() { retry.Policy{Multiplier: 0.5}.Capped(1) })
	assert.Panics(t, func() { retry.Policy{}.Capped(0) })
}

func TestDelayNilRandUsesThePolicysSource(t *testing.T) {
	top := func(n int64) int64 { return n - 1 }
	p := retry.Policy{InitialDelay: time.Second, MaxDelay: time.Minute, Rand: top}
	assert.Equal(t, time.Second, p.Delay(1, 0, nil), "with randN nil, Delay draws from p.Rand")
	p.Rand = nil
	assert.NotPanics(t, func() { p.Delay(1, 0, nil) }, "with both nil, math/rand/v2")
}
