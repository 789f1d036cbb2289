package exercises

import (
	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// Exercise 1: trip after N failures in a row.
//
// ConsecutiveBreaker is the smallest useful circuit breaker. It lets every
// call through and counts failures in a row; a success resets the count.
// When the count reaches Threshold it opens, and from then on Call rejects
// every call with breaker.ErrOpenState without calling fn. (It never closes
// again: exercise 2 adds the way back.) A Threshold below 1 means 1.
//
// It must be safe for concurrent use. Guard every field you add with mu,
// in State as well as in Call, and do not hold mu while fn runs. mu is a
// lockwatch.Mutex: use it exactly as a sync.Mutex; the tests watch it
// (go doc reliability/flaky/lockwatch says how).
//
// Hint: Call takes mu twice: once to check the state, once to record the
// result, with fn running in between and no lock held. A slow dependency
// must not make every other caller (or a State() from a health check)
// wait for the lock.
//
// Run: go test -run Ex1 ./03_circuit_breaker/exercises/
type ConsecutiveBreaker struct {
	Threshold int

	mu lockwatch.Mutex // guards the fields you add; the tests watch it, so keep it
	// Add the fields you need.
}

// Call runs fn unless the breaker is open, records its result, and returns
// fn's error unchanged. When open it returns breaker.ErrOpenState at once.
func (b *ConsecutiveBreaker) Call(fn func() error) error {
	return errNotImplemented
}

// State reports breaker.StateClosed or breaker.StateOpen.
func (b *ConsecutiveBreaker) State() breaker.State {
	return breaker.StateClosed
}
