// Mistake: the first wait is not capped when initial exceeds maxDelay.
// Caught: "not even the first wait when initial > maxDelay"
package exercises

import (
	"math"
	"time"
)

// CappedDelay returns min(maxDelay, initial · multiplier^(k-1)), or 0 for
// k < 1.
func CappedDelay(initial, maxDelay time.Duration, multiplier float64, k int) time.Duration {
	if k < 1 {
		return 0
	}
	if k == 1 {
		return initial // the first wait is just the initial delay
	}
	// In float64 the product cannot wrap around; it only grows toward +Inf,
	// which the comparison with maxDelay handles.
	d := float64(initial) * math.Pow(multiplier, float64(k-1))
	if d >= float64(maxDelay) {
		return maxDelay
	}
	return time.Duration(d)
}
