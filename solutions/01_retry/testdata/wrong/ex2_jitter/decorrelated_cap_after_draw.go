// Mistake: decorrelated jitter caps the draw instead of the range (AWS's min(cap, random in [base, 3·prev])), so draws pile up on the cap.
// Caught: "is the cap applied after the draw"
package exercises

import (
	"math"
	"time"
)

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
	hi := time.Duration(math.MaxInt64) // 3·prev, saturating so it cannot overflow
	if prev <= hi/3 {
		hi = 3 * prev
	}
	if hi <= base {
		// Nothing to draw from: base alone, or the cap if base exceeds it.
		return min(maxDelay, base)
	}
	return min(maxDelay, base+time.Duration(randN(int64(hi-base)+1)))
}
