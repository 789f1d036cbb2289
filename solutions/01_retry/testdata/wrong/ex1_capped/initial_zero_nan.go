// Mistake: initial 0 is not handled, so 0 · +Inf = NaN converts to a negative wait.
// Caught: "initial 0 stays 0 for every k"
package exercises

import (
	"math"
	"time"
)

// CappedDelay returns min(maxDelay, initial · multiplier^(k-1)), or 0 for
// k < 1 or initial <= 0.
func CappedDelay(initial, maxDelay time.Duration, multiplier float64, k int) time.Duration {
	// initial 0 must stay 0: in float64, 0 · 2^4999 is 0 · +Inf = NaN, and
	// converting NaN to time.Duration gives a negative number on amd64.
	if k < 1 {
		return 0
	}
	// In float64 the product cannot wrap around; it only grows toward +Inf,
	// which the comparison with maxDelay handles.
	d := float64(initial) * math.Pow(multiplier, float64(k-1))
	if d >= float64(maxDelay) {
		return maxDelay
	}
	return time.Duration(d)
}
