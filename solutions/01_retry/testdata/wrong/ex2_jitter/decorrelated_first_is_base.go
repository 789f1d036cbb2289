// Mistake: prev is not raised to base, so the first draw (prev = 0) is always base.
// Caught: "is the first draw always base?"
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
	hi := maxDelay // 3·prev, saturating at the cap so it cannot overflow
	if prev <= maxDelay/3 {
		hi = 3 * prev
	}
	if hi <= base {
		// Nothing to draw from: base alone, or the cap if base exceeds it.
		return min(maxDelay, base)
	}
	return base + time.Duration(randN(int64(hi-base)+1))
}
