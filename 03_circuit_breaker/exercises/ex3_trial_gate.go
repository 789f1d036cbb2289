package exercises

import (
	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// Exercise 3: the trial gate of the half-open state.
//
// TrialGate is the half-open state on its own. A half-open breaker must
// not let the crowd of callers that piled up during the cooldown all rush
// a dependency that may still be sick, so it admits at most MaxProbes
// trial calls. It closes the circuit once MaxProbes trials have succeeded
// and re-opens it as soon as one fails. A MaxProbes below 1 means 1. This
// is how gobreaker's MaxRequests works: it is both the number of trials
// admitted and the number of successes needed to close.
//
// It must be safe for concurrent use: many goroutines call Admit and
// Report at once. Guard every field with mu, in Report as well as Admit.
//
// Hint: check for a free slot and take it in the same critical section,
// or two goroutines can both see "one slot left" and both take it. The
// same goes for Report: look at the verdict and change the counts in one
// critical section, or a verdict already given can change.
//
// Run: go test -run Ex3 ./03_circuit_breaker/exercises/
type TrialGate struct {
	MaxProbes int

	mu lockwatch.Mutex // guards the fields you add; the tests watch it, so keep it
	// Add the fields you need.
}

// Admit reports whether one more trial call may go through now. It returns
// true at most MaxProbes times, and never once the verdict is known.
func (g *TrialGate) Admit() bool {
	return false
}

// Report records the result of an admitted trial (nil is a success) and
// returns the verdict so far: breaker.StateHalfOpen while undecided,
// breaker.StateClosed once MaxProbes trials have succeeded,
// breaker.StateOpen as soon as one has failed. Once the verdict is known,
// later reports change nothing.
func (g *TrialGate) Report(err error) breaker.State {
	return breaker.StateClosed
}
