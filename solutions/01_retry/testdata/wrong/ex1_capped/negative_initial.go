// Mistake: only an initial of exactly 0 means no wait, so a negative initial gives a negative delay.
// Caught: "0 for a negative initial too, never a negative delay"
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
	if k < 1 || initial == 0 {
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
