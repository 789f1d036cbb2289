// Mistake: when base exceeds maxDelay, base is returned uncapped.
// Caught: "never exceeds maxDelay, even when base does"
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
	hi := maxDelay // 3·prev, saturating at the cap so it cannot overflow
	if prev <= maxDelay/3 {
		hi = 3 * prev
	}
	if hi <= base {
		// Nothing to draw from: base alone, or the cap if base exceeds it.
		return base
	}
	return base + time.Duration(randN(int64(hi-base)+1))
}
