package exercises

import "time"

// CappedDelay returns the exponential backoff delay before retry k, where
// k = 1 is the wait after the first failed attempt:
//
//	min(maxDelay, initial · multiplier^(k-1))
//
// For k < 1 it returns 0. It must not overflow: with initial = 1s,
// multiplier = 2 and k = 100 the answer is maxDelay, not a negative number.
//
// Hint: compute in float64 (math.Pow) and compare with maxDelay before
// converting back to time.Duration. Converting a float64 too large for an
// int64 gives an implementation-defined result in Go (a negative number on
// amd64), so never convert first and cap afterwards.
func CappedDelay(initial, maxDelay time.Duration, multiplier float64, k int) time.Duration {
	return 0
}
