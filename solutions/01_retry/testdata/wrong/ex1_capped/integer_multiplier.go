// Mistake: the delay is multiplied in a loop by time.Duration(multiplier), which truncates 1.5 to 1.
// Caught: "was it truncated to an integer?"
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
	d := initial
	for range k - 1 {
		d *= time.Duration(multiplier)
		if d >= maxDelay {
			return maxDelay
		}
	}
	return min(d, maxDelay)
}
