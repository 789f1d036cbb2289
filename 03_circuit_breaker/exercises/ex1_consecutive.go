package exercises

import "reliability/03_circuit_breaker/breaker"

// ConsecutiveBreaker is the smallest useful circuit breaker. It lets every
// call through and counts failures in a row; a success resets the count.
// When the count reaches Threshold it opens, and from then on Call rejects
// every call with breaker.ErrOpenState without calling fn. (It never closes
// again: exercise 2 adds the way back.) A Threshold below 1 means 1.
//
// It must be safe for concurrent use.
//
// Exercise 1: implement Call and State.
// Hint: keep the failure count and the state behind a sync.Mutex, and do
// not hold the mutex while fn runs: a slow dependency would then
// serialise every caller.
type ConsecutiveBreaker struct {
	Threshold int
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
