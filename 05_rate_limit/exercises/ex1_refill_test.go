package exercises

import (
	"math"
	"testing"
	"time"
)

func TestEx1EarnsAtTheRate(t *testing.T) {
	if refillUntouched() {
		notStarted(t, "Refill returns 0 whatever it is given; want the tokens already there plus rate × elapsed seconds, e.g. Refill(0 tokens, 0.5s later, rate 3, burst 10) = 1.5")
	}
	for _, c := range []struct {
		tokens  float64
		elapsed float64 // seconds
		rate    float64
		want    float64
		why     string
	}{
		{0, 0.5, 3, 1.5, "500ms at 3 per second earns 1.5: fractions count (was the time cut to whole seconds?)"},
		{0, 2.5, 2, 5, "2.5s at 2 per second earns 5"},
		{1.25, 0.25, 1, 1.5, "the tokens already there are kept: 1.25 + 0.25"},
		{0, 0.0015, 1000, 1.5, "1.5ms at 1000 per second earns 1.5 (were the milliseconds cut to whole ones?)"},
		{0, 1e-9, 1e9, 1, "1ns at a billion per second earns one token (was the time cut to whole milliseconds or microseconds?)"},
		{0, 0.1, 0.5, 0.05, "100ms at 0.5 per second earns 0.05: a fractional rate counts (was the rate made an integer?)"},
		{-2, 1, 1, -1, "a debt of 2 tokens is paid back at the rate: 1s at 1 per second leaves -1 (was the debt cleared to 0?)"},
	} {
		got := Refill(c.tokens, at(0), at(c.elapsed), c.rate, 10)
		if got == 10 {
			t.Errorf("Refill(%v tokens, %vs later, rate %v, burst 10) = 10, the full burst, want %v: is the elapsed time measured with time.Since or time.Now instead of now.Sub(last)?",
				c.tokens, c.elapsed, c.rate, c.want)
			continue
		}
		if !near(got, c.want) {
			t.Errorf("Refill(%v tokens, %vs later, rate %v, burst 10) = %v, want %v: %s",
				c.tokens, c.elapsed, c.rate, got, c.want, c.why)
		}
	}
}

func TestEx1NeverMoreThanBurst(t *testing.T) {
	if refillUntouched() {
		notStarted(t, "Refill returns 0 whatever it is given; want at most burst, e.g. Refill(0 tokens, 10s later, rate 5, burst 3) = 3")
	}
	for _, c := range []struct {
		tokens  float64
		elapsed float64
		rate    float64
		burst   int
		want    float64
		why     string
	}{
		{0, 10, 5, 3, 3, "10s at 5 per second would be 50 tokens, but the bucket holds at most 3: cap at burst"},
		{2.5, 1, 1, 3, 3, "2.5 + 1 would be 3.5: the token earned while full is lost (cap after adding, not before)"},
		{5, 0, 1, 3, 3, "a bucket holding 5 whose burst is now 3 is cut down to 3, even when no time has passed"},
		{5, -1, 1, 3, 3, "a bucket holding 5 whose burst is now 3 is cut down to 3, even when the clock stepped back"},
		{0, 3, 1, 0, 0, "a burst of 0 holds nothing"},
	} {
		got := Refill(c.tokens, at(0), at(c.elapsed), c.rate, c.burst)
		if !near(got, c.want) {
			t.Errorf("Refill(%v tokens, %vs later, rate %v, burst %d) = %v, want %v: %s",
				c.tokens, c.elapsed, c.rate, c.burst, got, c.want, c.why)
		}
	}
}

func TestEx1ClockSteppingBackEarnsNothing(t *testing.T) {
	if refillUntouched() {
		notStarted(t, "Refill returns 0 whatever it is given; want the tokens unchanged when now is before last, e.g. Refill(2 tokens, now 1s before last, rate 4, burst 10) = 2")
	}
	for _, back := range []time.Duration{time.Nanosecond, 500 * time.Millisecond, time.Hour} {
		got := Refill(2, at(10), at(10).Add(-back), 4, 10)
		switch {
		case got > 2:
			t.Errorf("Refill(2 tokens, now %v before last, rate 4) = %v, want 2: a clock that steps back must not earn tokens (is the elapsed time taken as its absolute value?)", back, got)
		case got < 2:
			t.Errorf("Refill(2 tokens, now %v before last, rate 4) = %v, want 2: a clock that steps back must not take tokens away either (is a negative elapsed time multiplied by the rate?)", back, got)
		}
	}
}

func TestEx1NoRateEarnsNothing(t *testing.T) {
	if refillUntouched() {
		notStarted(t, "Refill returns 0 whatever it is given; want the tokens unchanged at a rate of zero or less, e.g. Refill(1.5 tokens, an hour later, rate 0, burst 10) = 1.5")
	}
	for _, rate := range []float64{0, -1} {
		if got := Refill(1.5, at(0), at(3600), rate, 10); !near(got, 1.5) {
			t.Errorf("Refill(1.5 tokens, an hour later, rate %v) = %v, want 1.5: a rate of zero or less earns nothing (and takes nothing)", rate, got)
		}
		if got := Refill(5, at(0), at(3600), rate, 3); !near(got, 3) {
			t.Errorf("Refill(5 tokens, an hour later, rate %v, burst 3) = %v, want 3: a bucket holding 5 whose burst is now 3 is cut down to 3, even when the rate is zero or less (does a zero rate return the tokens before the cap?)", rate, got)
		}
	}
}

func TestEx1LongQuietSpell(t *testing.T) {
	if refillUntouched() {
		notStarted(t, "Refill returns 0 whatever it is given; want a full bucket after a long quiet spell, e.g. Refill(0 tokens, last 0001-01-01, now 2025-01-01, rate 1, burst 7) = 7")
	}
	// A bucket last used at the zero time, or years ago: the elapsed time
	// is as long as a time.Duration gets, and the result must still be
	// the burst, not an overflowed negative number or NaN. 1625 is before
	// the years UnixNano can represent (1678 to 2262).
	for _, c := range []struct {
		last time.Time
		rate float64
	}{{time.Time{}, 1}, {t0.AddDate(-1, 0, 0), 1e300}, {t0.AddDate(-200, 0, 0), 5}, {t0.AddDate(-400, 0, 0), 5}} {
		got := Refill(0, c.last, at(0), c.rate, 7)
		if got != 7 || math.IsNaN(got) {
			t.Errorf("Refill(0 tokens, last %v, now %v, rate %v, burst 7) = %v, want 7: after a long quiet spell the bucket is full (did an integer multiplication overflow? or a difference of UnixNano values, which only covers the years 1678 to 2262? now.Sub(last) saturates instead)",
				c.last.Format(time.DateOnly), at(0).Format(time.DateOnly), c.rate, got)
		}
	}
}

func TestEx1LargeCountsKeepTheirPrecision(t *testing.T) {
	if refillUntouched() {
		notStarted(t, "Refill returns 0 whatever it is given; want Refill(0 tokens, 123.456789s later, rate 1e6, burst 1e9) = 123456789")
	}
	// A fast limiter with a big bucket: 123.456789s at a million per
	// second is 123,456,789 tokens, every one of them.
	got := Refill(0, at(0), at(123.456789), 1e6, 1_000_000_000)
	if !near(got, 123456789) {
		t.Errorf("Refill(0 tokens, 123.456789s later, rate 1e6, burst 1e9) = %v, want 123456789: a large count must be exact to the token (was it computed in float32? float64 keeps it)", got)
	}
}
