package exercises

import "time"

// Exercise 1: refill a bucket without overfilling it.
//
// Refill returns how many tokens a token bucket holds at time now. At time
// last it held tokens, which may be fewer than zero (a debt, when tokens
// were reserved before they were earned). Since then it has earned rate
// tokens per second, fractions included: at 3 per second, 500ms earns
// 1.5 tokens, and at a billion per second one nanosecond earns one.
//
// The result is never more than burst: tokens earned while the bucket is
// full are lost, and a bucket holding more than burst (its burst was just
// lowered) is cut down to burst. A now before last, from a clock that
// stepped back, earns nothing and takes nothing away. A rate of zero or
// less earns nothing.
//
// Hint: now.Sub(last).Seconds() is the elapsed time as a float64; only
// count it when it is positive. min(a, b) caps.
//
// Run: go test -run Ex1 ./05_rate_limit/exercises/
func Refill(tokens float64, last, now time.Time, rate float64, burst int) float64 {
	return 0
}
