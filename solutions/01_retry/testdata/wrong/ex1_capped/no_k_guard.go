// Mistake: k < 1 is not handled, so k = 0 gives initial/multiplier.
// Caught: "k < 1 means no retry yet"
package exercises

import (
	"math"
	"time"
)

// CappedDelay returns min(maxDelay, initial · multiplier^(k-1)), or 0 for
// k < 1.
func CappedDelay(initial, maxDelay time.Duration, multiplier float64, k int) time.Duration {
	// In float64 the product cannot wrap around; it only grows toward +Inf,
	// which the comparison with maxDelay handles.
	d := float64(initial) * math.Pow(multiplier, float64(k-1))
	if d >= float64(maxDelay) {
		return maxDelay
	}
	return time.Duration(d)
}
