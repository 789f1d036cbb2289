package exercises

import "time"

// Exercise 2: jitter that spreads the herd.
//
// Write two jitter strategies. Both draw their randomness from randN, which
// returns a uniform random number in [0, n) for n > 0, like rand.Int64N
// (tests pass a seeded or scripted randN, so use it and nothing else).
//
// FullJitter returns a uniformly random delay in [0, capped], both ends
// included. If capped <= 0 it returns 0 without calling randN.
//
// DecorrelatedJitter (below) returns the next delay of decorrelated
// jitter: a uniformly random delay in
//
//	[base, min(maxDelay, 3·prev)]
//
// both ends included, where prev is the previous delay (use base when prev
// is smaller, e.g. 0 before the first retry). Each delay can be up to three
// times the last one, and can also drop back toward base. Cap the range,
// not the draw: min(maxDelay, random in [base, 3·prev]) would put every
// draw above maxDelay on exactly maxDelay, and the clients near the cap
// would retry in step again. The result never exceeds maxDelay, even when
// base does.
//
// Hint: a random number in [lo, hi] is lo + randN(hi-lo+1). Compare prev
// with maxDelay/3 before multiplying, so that 3·prev cannot overflow.
//
// Run: go test -run Ex2 ./01_retry/exercises/
func FullJitter(capped time.Duration, randN func(n int64) int64) time.Duration {
	return 0
}

// DecorrelatedJitter returns a uniformly random delay in
// [base, min(maxDelay, 3·max(prev, base))], never more than maxDelay.
// See exercise 2 above.
func DecorrelatedJitter(base, maxDelay, prev time.Duration, randN func(n int64) int64) time.Duration {
	return 0
}
