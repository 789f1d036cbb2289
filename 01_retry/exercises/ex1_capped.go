package exercises

import "time"

// Exercise 1: the capped exponential delay.
//
// CappedDelay returns the wait before retry k, where k = 1 is the wait
// after the first failed attempt:
//
//	min(maxDelay, initial · multiplier^(k-1))
//
// The cap holds for every k, the first included: if initial is already
// larger than maxDelay, the answer is maxDelay. For k < 1 (no retry yet)
// or initial <= 0 it returns 0. multiplier may be fractional (1.5) and is at least 1. It
// must not overflow: with initial = 1s, multiplier = 2 and k = 100 the
// answer is maxDelay, not a negative number.
//
// Hint: compute in float64 (math.Pow) and compare with maxDelay before
// converting back to time.Duration. Converting a float64 too large for an
// int64 gives an implementation-defined result in Go (a negative number on
// amd64), so never convert first and cap afterwards.
//
// Run: go test -run Ex1 ./01_retry/exercises/
func CappedDelay(initial, maxDelay time.Duration, multiplier float64, k int) time.Duration {
	return 0
}
