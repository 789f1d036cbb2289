package exercises

import "time"

// FullJitter returns a uniformly random delay in [0, capped], both ends
// included, using randN, which returns a uniform random number in [0, n)
// for n > 0 (like rand.Int64N).
//
// Hint: randN(n+1) covers [0, n].
func FullJitter(capped time.Duration, randN func(n int64) int64) time.Duration {
	return 0
}

// DecorrelatedJitter returns the next delay of "decorrelated jitter":
//
//	min(maxDelay, random in [base, 3·prev])
//
// where prev is the previous delay (use base when prev is smaller than
// base, e.g. 0 before the first retry).
//
// Hint: a random number in [lo, hi] is lo + randN(hi-lo+1).
func DecorrelatedJitter(base, maxDelay, prev time.Duration, randN func(n int64) int64) time.Duration {
	return 0
}
