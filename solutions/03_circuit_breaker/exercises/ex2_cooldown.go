package exercises

import (
	"sync"
	"time"

	"reliability/03_circuit_breaker/breaker"
)

// CooldownBreaker is exercise 1's breaker with the way back. It opens after
// Threshold failures in a row (below 1 means 1) and rejects calls with
// breaker.ErrOpenState, but only for Cooldown. Once Cooldown has passed
// since it opened, it is half-open: State says so, and the next Call runs
// fn as a trial. If the trial succeeds the breaker closes with a fresh
// failure count; if it fails the breaker opens again for a whole new
// Cooldown.
//
// It is safe for concurrent use. While half-open it lets every call
// through; exercise 3 limits the trials.
type CooldownBreaker struct {
	Threshold int
	Cooldown  time.Duration

	mu       sync.Mutex
	failures int
	open     bool
	openedAt time.Time
}

// Call runs fn unless the breaker is open, records its result, and returns
// fn's error unchanged. When open it returns breaker.ErrOpenState at once.
func (b *CooldownBreaker) Call(fn func() error) error {
	b.mu.Lock()
	if b.stateLocked() == breaker.StateOpen {
		b.mu.Unlock()
		return breaker.ErrOpenState
	}
	b.mu.Unlock()

	err := fn()

	b.mu.Lock()
	defer b.mu.Unlock()
	halfOpen := b.stateLocked() == breaker.StateHalfOpen
	switch {
	case err == nil:
		// A success closes a half-open breaker and resets the streak.
		b.open = false
		b.failures = 0
	case halfOpen:
		// A failed trial: back to open, and the cooldown starts again.
		b.openedAt = time.Now()
	default:
		b.failures++
		if b.failures >= max(b.Threshold, 1) {
			b.open = true
			b.openedAt = time.Now()
		}
	}
	return err
}

// State reports the current state, taking the Cooldown into account.
func (b *CooldownBreaker) State() breaker.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stateLocked()
}

// stateLocked derives the state from the stored facts; no timer is needed
// because the state only matters when someone asks.
func (b *CooldownBreaker) stateLocked() breaker.State {
	switch {
	case !b.open:
		return breaker.StateClosed
	case time.Since(b.openedAt) >= b.Cooldown:
		return breaker.StateHalfOpen
	default:
		return breaker.StateOpen
	}
}
