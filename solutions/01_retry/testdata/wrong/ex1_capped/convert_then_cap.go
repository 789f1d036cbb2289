// Mistake: the float is converted to time.Duration before the comparison with the cap, which overflows.
// Caught: "must not overflow"
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
	// In float64 the product cannot wrap around; it only grows toward +Inf,
	// which the comparison with maxDelay handles.
	d := time.Duration(float64(initial) * math.Pow(multiplier, float64(k-1)))
	if d >= maxDelay {
		return maxDelay
	}
	return d
}
