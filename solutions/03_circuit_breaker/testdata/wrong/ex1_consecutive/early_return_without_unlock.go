// Mistake: The open check returns ErrOpenState without unlocking the mutex, so the next call waits for ever.
// Caught: "is an Unlock missing on some return path?"
package exercises

import (
	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// ConsecutiveBreaker is the smallest useful circuit breaker. It lets every
// call through and counts failures in a row; a success resets the count.
// When the count reaches Threshold it opens, and from then on Call rejects
// every call with breaker.ErrOpenState without calling fn. (It never closes
// again: exercise 2 adds the way back.) A Threshold below 1 means 1.
//
// It is safe for concurrent use, and fn runs without the lock held.
type ConsecutiveBreaker struct {
	Threshold int

	mu       lockwatch.Mutex // a sync.Mutex the tests watch; guards the fields below
	failures int             // failures in a row
	open     bool
}

// Call runs fn unless the breaker is open, records its result, and returns
// fn's error unchanged. When open it returns breaker.ErrOpenState at once.
func (b *ConsecutiveBreaker) Call(fn func() error) error {
	b.mu.Lock()
	if b.open {
		return breaker.ErrOpenState
	}
	b.mu.Unlock()

	// The lock is not held here: a slow fn must not block other callers.
	err := fn()

	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		b.failures = 0
		return nil
	}
	b.failures++
	if b.failures >= max(b.Threshold, 1) {
		b.open = true
	}
	return err
}

// State reports breaker.StateClosed or breaker.StateOpen.
func (b *ConsecutiveBreaker) State() breaker.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open {
		return breaker.StateOpen
	}
	return breaker.StateClosed
}
