// Mistake: the delay is initial << (k-1), which assumes the multiplier is 2.
// Caught: "is the multiplier ignored"
package exercises

import (
	"time"
)

// CappedDelay returns min(maxDelay, initial · multiplier^(k-1)), or 0 for
// k < 1.
func CappedDelay(initial, maxDelay time.Duration, multiplier float64, k int) time.Duration {
	if k < 1 {
		return 0
	}
	// In float64 the product cannot wrap around; it only grows toward +Inf,
	// which the comparison with maxDelay handles.
	if k > 62 {
		return maxDelay // the shift would overflow
	}
	d := initial << (k - 1)
	if d >= maxDelay || d <= 0 {
		return maxDelay
	}
	return d
}
