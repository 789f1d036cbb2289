package exercises

import (
	"math"
	"testing"
	"time"
)

// capCase is one call to CappedDelay, its answer, and the mistake that a
// wrong answer most likely points to.
type capCase struct {
	initial, max time.Duration
	mult         float64
	k            int
	want         time.Duration
	why          string
}

func checkCapped(t *testing.T, cases []capCase) {
	t.Helper()
	for _, c := range cases {
		got := CappedDelay(c.initial, c.max, c.mult, c.k)
		if got != c.want {
			t.Errorf("CappedDelay(initial=%v, maxDelay=%v, multiplier=%v, k=%d) = %v, want %v: %s",
				c.initial, c.max, c.mult, c.k, got, c.want, c.why)
		}
	}
}

func TestEx1CappedDelayGrows(t *testing.T) {
	started(t, "CappedDelay")
	checkCapped(t, []capCase{
		{100 * ms, 10 * time.Second, 2, 1, 100 * ms,
			"the first retry waits exactly initial (is the exponent k instead of k-1?)"},
		{100 * ms, 10 * time.Second, 2, 2, 200 * ms, "each retry doubles the wait with multiplier 2"},
		{100 * ms, 10 * time.Second, 2, 4, 800 * ms, "initial · 2^3 before the fourth retry"},
		{5 * ms, 2 * time.Second, 3, 3, 45 * ms,
			"multiplier 3 gives 5ms, 15ms, 45ms (is the multiplier ignored, e.g. a shift by k-1?)"},
		{100 * ms, 10 * time.Second, 1.5, 3, 225 * ms,
			"a fractional multiplier is kept: 100ms · 1.5² = 225ms (was it truncated to an integer?)"},
		{100 * ms, 10 * time.Second, 1, 7, 100 * ms, "multiplier 1 keeps the delay constant"},
		{time.Nanosecond, time.Second, 1.5, 20, 2216,
			"1ns · 1.5^19 = 2216.8ns: take the power in one go; truncating to whole nanoseconds after every step compounds (1ns · 1.5 stays 1ns forever)"},
	})
}

func TestEx1CappedDelayNeverExceedsCap(t *testing.T) {
	started(t, "CappedDelay")
	checkCapped(t, []capCase{
		{100 * ms, time.Second, 2, 5, time.Second, "1.6s is capped to maxDelay"},
		{100 * ms, 400 * ms, 2, 3, 400 * ms, "exactly the cap is the cap"},
		{5 * time.Second, time.Second, 2, 1, time.Second,
			"the delay must never exceed maxDelay, not even the first wait when initial > maxDelay"},
		{5 * time.Second, time.Second, 2, 2, time.Second,
			"the delay must never exceed maxDelay, whatever initial is"},
		{100 * ms, 0, 2, 3, 0,
			"maxDelay = 0 caps every wait at 0: min(maxDelay, ...) has no special case (is 0 taken to mean no cap?)"},
	})
	// Every delay of a long sequence stays at or under the cap and never
	// shrinks: a delay that falls after reaching the cap is a wrap-around.
	for _, mult := range []float64{1.5, 2, 10} {
		prev := time.Duration(0)
		for k := 1; k <= 300; k++ {
			d := CappedDelay(10*ms, time.Minute, mult, k)
			if d > time.Minute || d < prev {
				t.Fatalf("multiplier %v: CappedDelay(k=%d) = %v after %v for k=%d; delays must grow up to maxDelay=1m0s and stay there (must not overflow)",
					mult, k, d, prev, k-1)
			}
			prev = d
		}
	}
}

func TestEx1CappedDelayDoesNotOverflow(t *testing.T) {
	started(t, "CappedDelay")
	const huge = time.Duration(math.MaxInt64)
	checkCapped(t, []capCase{
		{time.Second, time.Minute, 2, 64,
			time.Minute, "must not overflow: 2^63 seconds is far above the cap (converted to time.Duration before capping?)"},
		{time.Second, time.Minute, 2, 100,
			time.Minute, "must not overflow: 2^99 seconds is far above the cap (converted to time.Duration before capping?)"},
		{time.Second, time.Minute, 2, 5000,
			time.Minute, "must not overflow: 2^4999 is +Inf in float64, still above the cap"},
		{time.Second, huge, 2, 40,
			huge, "must not overflow: with maxDelay = the largest time.Duration, 2^39 s is capped to it"},
		{time.Nanosecond, huge, 2, 63,
			1 << 62, "2^62 ns still fits under the largest time.Duration: no cap yet"},
		{time.Nanosecond, huge, 2, 64,
			huge, "must not overflow: 2^63 ns is one more than the largest time.Duration"},
		{0, time.Minute, 2, 5000,
			0, "initial 0 stays 0 for every k: in float64, 0 · 2^4999 is 0 · +Inf = NaN, which converts to a negative time.Duration"},
	})
}

func TestEx1CappedDelayBeforeFirstRetry(t *testing.T) {
	started(t, "CappedDelay")
	checkCapped(t, []capCase{
		{100 * ms, time.Second, 2, 0, 0, "k < 1 means no retry yet: 0, not initial/multiplier"},
		{100 * ms, time.Second, 2, -3, 0, "k < 1 means no retry yet: 0"},
		{100 * ms, time.Second, 2, 1, 100 * ms, "k = 1 is the first retry: initial"},
	})
}

func TestEx1CappedDelayNonPositiveInitial(t *testing.T) {
	started(t, "CappedDelay")
	checkCapped(t, []capCase{
		{0, time.Second, 2, 3, 0, "initial 0 means no wait: 0"},
		{-100 * ms, time.Second, 2, 3, 0,
			"initial <= 0 means no wait: 0 for a negative initial too, never a negative delay (is only 0 handled?)"},
		{-5 * time.Second, time.Second, 1.5, 1, 0,
			"initial <= 0 means no wait: 0 for a negative initial too, never a negative delay (is only 0 handled?)"},
	})
}
