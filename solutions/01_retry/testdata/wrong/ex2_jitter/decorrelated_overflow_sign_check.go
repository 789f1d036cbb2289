// Mistake: 3·prev is computed first and an overflow is detected by a negative product, which misses products that wrap around to a positive number.
// Caught: "its sign proves nothing"
package exercises

import "time"

// FullJitter returns a uniformly random delay in [0, capped].
func FullJitter(capped time.Duration, randN func(n int64) int64) time.Duration {
	if capped <= 0 {
		return 0
	}
	return time.Duration(randN(int64(capped) + 1))
}

// DecorrelatedJitter returns a uniformly random delay in
// [base, min(maxDelay, 3·max(prev, base))], never more than maxDelay.
func DecorrelatedJitter(base, maxDelay, prev time.Duration, randN func(n int64) int64) time.Duration {
	prev = max(prev, base)
	hi := 3 * prev
	if hi < 0 || hi > maxDelay { // overflowed, or above the cap
		hi = maxDelay
	}
	if hi <= base {
		// Nothing to draw from: base alone, or the cap if base exceeds it.
		return min(maxDelay, base)
	}
	return base + time.Duration(randN(int64(hi-base)+1))
}
