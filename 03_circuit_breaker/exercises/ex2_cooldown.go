package exercises

import (
	"time"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// Exercise 2: a cooldown, and the way back through half-open.
//
// CooldownBreaker is exercise 1's breaker with the way back. It opens after
// Threshold failures in a row (below 1 means 1) and rejects calls with
// breaker.ErrOpenState, but only for Cooldown. Once more than Cooldown has
// passed since it opened (at exactly Cooldown it is still open, as in
// gobreaker), it is half-open: State says so, and the next Call runs fn as
// a trial. If the trial succeeds the breaker closes with a fresh failure
// count; if it fails the breaker opens again for a whole new Cooldown.
// Calls rejected while open change nothing; in particular they do not
// restart the Cooldown, or steady traffic would keep it open for ever.
//
// A result counts only in the state that admitted its call. A slow call
// that started while the breaker was closed and returns after it opened
// tells how the dependency was before the trip, not how it is now: its
// success must not close the breaker, and its failure must not restart the
// Cooldown. Call still returns fn's error to its caller. While half-open,
// let every call through (exercise 3 limits the trials): the first trial
// result decides, and the other trials are then stale.
//
// It must be safe for concurrent use: guard every field with mu and do not
// hold it while fn runs, as in exercise 1.
//
// Hint: you need no timer and no goroutine. Remember when the breaker
// opened (time.Now), and let State and Call compare time.Since(openedAt)
// with Cooldown: a breaker changes state when someone looks at it. For
// stale results, number the changes of state (trip, close, re-open) and
// let each call note the number it was admitted under, in the same
// critical section that admits it, as gobreaker's generation counter does.
// The tests run in virtual time, so time.Sleep in them is instant.
//
// Run: go test -run Ex2 ./03_circuit_breaker/exercises/
type CooldownBreaker struct {
	Threshold int
	Cooldown  time.Duration

	mu lockwatch.Mutex // guards the fields you add; the tests watch it, so keep it
	// Add the fields you need.
}

// Call runs fn unless the breaker is open, records its result, and returns
// fn's error unchanged. When open it returns breaker.ErrOpenState at once.
func (b *CooldownBreaker) Call(fn func() error) error {
	return errNotImplemented
}

// State reports the current state, taking the Cooldown into account.
func (b *CooldownBreaker) State() breaker.State {
	return breaker.StateClosed
}
