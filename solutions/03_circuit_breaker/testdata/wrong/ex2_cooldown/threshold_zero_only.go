// Mistake: only a Threshold of 0 is treated as 1, and the trip compares with ==, so a negative Threshold never trips.
// Caught: "every Threshold below 1 means 1, not only 0"
package exercises

import (
	"time"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// CooldownBreaker is exercise 1's breaker with the way back. It opens after
// Threshold failures in a row (below 1 means 1) and rejects calls with
// breaker.ErrOpenState, but only for Cooldown. Once more than Cooldown has
// passed since it opened (at exactly Cooldown it is still open, as in
// gobreaker), it is half-open: State says so, and the next Call runs fn as
// a trial. If the trial succeeds the breaker closes with a fresh failure
// count; if it fails the breaker opens again for a whole new Cooldown.
// Calls rejected while open change nothing; in particular they do not
// restart the Cooldown.
//
// A result counts only in the state that admitted its call: a slow call
// that started while the breaker was closed and returns after it opened
// neither closes it nor restarts its Cooldown.
//
// It is safe for concurrent use, and fn runs without the mutex held. While
// half-open it lets every call through (exercise 3 limits the trials); the
// first trial result decides, and the other trials are then stale.
type CooldownBreaker struct {
	Threshold int
	Cooldown  time.Duration

	mu       lockwatch.Mutex // a sync.Mutex the tests watch; guards the fields below
	failures int             // failures in a row while closed
	open     bool            // tripped: open, or half-open once Cooldown has passed
	openedAt time.Time       // when it last tripped
	// epoch counts the changes of state that a result can cause: trip,
	// close, re-open. A call remembers the epoch that admitted it; if the
	// epoch has moved on by the time fn returns, the result describes the
	// dependency before the breaker changed its mind and is ignored.
	epoch uint64
}

// Call runs fn unless the breaker is open, records its result, and returns
// fn's error unchanged. When open it returns breaker.ErrOpenState at once.
func (b *CooldownBreaker) Call(fn func() error) error {
	b.mu.Lock()
	state, epoch := b.stateLocked(), b.epoch
	b.mu.Unlock()
	if state == breaker.StateOpen {
		return breaker.ErrOpenState
	}

	// The lock is not held here: a slow fn must not block other callers.
	err := fn()

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.epoch != epoch {
		return err // stale: the breaker has tripped, closed or re-opened since
	}
	// The epoch has not moved, so the breaker is still in the state that
	// admitted the call (time alone only turns open into half-open, and no
	// call is admitted while open).
	switch {
	case state == breaker.StateHalfOpen && err == nil:
		// A successful trial closes the breaker with a fresh count.
		b.open, b.failures = false, 0
		b.epoch++
	case state == breaker.StateHalfOpen:
		// A failed trial: open again, for a whole new Cooldown.
		b.trip()
	case err == nil:
		b.failures = 0
	default:
		b.failures++
		threshold := b.Threshold
		if threshold == 0 {
			threshold = 1 // the zero value; a negative Threshold slips through
		}
		if b.failures == threshold {
			b.trip()
		}
	}
	return err
}

// trip opens the breaker now. Called with b.mu held.
func (b *CooldownBreaker) trip() {
	b.open, b.openedAt = true, time.Now()
	b.epoch++
}

// State reports the current state, taking the Cooldown into account.
func (b *CooldownBreaker) State() breaker.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stateLocked()
}

// stateLocked derives the state from the stored facts; no timer is needed
// because the state only matters when someone asks. The comparison is
// strict, like gobreaker's: at exactly Cooldown the breaker is still open.
func (b *CooldownBreaker) stateLocked() breaker.State {
	switch {
	case !b.open:
		return breaker.StateClosed
	case time.Since(b.openedAt) > b.Cooldown:
		return breaker.StateHalfOpen
	default:
		return breaker.StateOpen
	}
}
