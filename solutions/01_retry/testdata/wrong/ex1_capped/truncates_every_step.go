// Mistake: the delay is multiplied step by step and truncated to whole nanoseconds each time, so the error compounds (1ns · 1.5 stays 1ns).
// Caught: "truncating to whole nanoseconds after every step compounds"
package exercises

import "time"

// CappedDelay returns min(maxDelay, initial · multiplier^(k-1)), or 0 for
// k < 1.
func CappedDelay(initial, maxDelay time.Duration, multiplier float64, k int) time.Duration {
	if k < 1 {
		return 0
	}
	d := initial
	if d >= maxDelay {
		return maxDelay
	}
	for range k - 1 {
		f := float64(d) * multiplier
		if f >= float64(maxDelay) {
			return maxDelay
		}
		d = time.Duration(f)
	}
	return d
}
