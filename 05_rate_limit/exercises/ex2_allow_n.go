package exercises

import (
	"time"

	"reliability/flaky/lockwatch"
)

// Exercise 2: take n tokens, or none.
//
// Bucket is a token bucket that starts full: it holds Burst tokens, earns
// them back at Rate tokens per second, and never holds more than Burst
// (Refill, from exercise 1, does that arithmetic). AllowN takes n tokens
// at time now and returns true when the bucket holds at least n.
// Otherwise it returns false and takes nothing: a refused request costs
// nothing. n above Burst is never allowed, since the bucket can never
// hold that many; n of zero (or less) is always allowed and takes
// nothing.
//
// Times may arrive out of order: a clock that steps back, or two callers
// who read the clock in one order and get the lock in the other. A now
// earlier than the latest time the bucket has seen earns nothing, and the
// bucket keeps that latest time, so going forward again does not earn the
// same stretch twice.
//
// It must be safe for concurrent use. Guard every field you add with mu,
// and refill, check and take in one critical section: two callers must
// never spend the same token. mu is a lockwatch.Mutex: use it exactly as
// a sync.Mutex; the tests watch it (go doc reliability/flaky/lockwatch).
//
// Hint: keep the tokens, the time they were counted at, and whether the
// bucket has been filled yet (the zero Bucket has not). Then: lock, fill
// if new, refill up to now, compare with n, take, unlock.
//
// Run: go test -run Ex2 ./05_rate_limit/exercises/
type Bucket struct {
	Rate  float64 // tokens earned per second
	Burst int     // the most tokens the bucket holds

	mu lockwatch.Mutex // guards the fields you add
	// Add the fields you need.
}

// AllowN reports whether n tokens are there at time now, and takes them if
// so.
func (b *Bucket) AllowN(now time.Time, n int) bool {
	return false
}
