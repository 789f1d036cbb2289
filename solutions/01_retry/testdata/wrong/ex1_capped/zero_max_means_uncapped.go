// Mistake: maxDelay = 0 is taken to mean no cap, so every wait stays uncapped.
// Caught: "is 0 taken to mean no cap?"
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
	d := float64(initial) * math.Pow(multiplier, float64(k-1))
	if maxDelay > 0 && d >= float64(maxDelay) {
		return maxDelay
	}
	return time.Duration(d)
}
