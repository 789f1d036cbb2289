// Mistake: A success after the failure is still counted, so enough late successes turn open into closed.
// Caught: "must not overturn it"
package exercises

import (
	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// TrialGate is the half-open state on its own. A half-open breaker must
// not let the crowd of callers that piled up during the cooldown all rush
// a dependency that may still be sick, so it admits at most MaxProbes
// trial calls. It closes the circuit once MaxProbes trials have succeeded
// and re-opens it as soon as one fails. A MaxProbes below 1 means 1. This
// is how gobreaker's MaxRequests works: it is both the number of trials
// admitted and the number of successes needed to close.
//
// It is safe for concurrent use.
type TrialGate struct {
	MaxProbes int

	mu        lockwatch.Mutex // a sync.Mutex the tests watch; guards the fields below
	admitted  int
	successes int
	done      bool          // the trials have reached a verdict
	verdict   breaker.State // meaningful once done
}

// Admit reports whether one more trial call may go through now. It returns
// true at most MaxProbes times, and never once the verdict is known.
func (g *TrialGate) Admit() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	// Check and take the slot in one critical section, or two goroutines
	// could both see the last free slot.
	if g.done || g.admitted >= max(g.MaxProbes, 1) {
		return false
	}
	g.admitted++
	return true
}

// Report records the result of an admitted trial (nil is a success) and
// returns the verdict so far: breaker.StateHalfOpen while undecided,
// breaker.StateClosed once MaxProbes trials have succeeded,
// breaker.StateOpen as soon as one has failed. Once the verdict is known,
// later reports change nothing.
func (g *TrialGate) Report(err error) breaker.State {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case err != nil:
		if !g.done {
			g.done, g.verdict = true, breaker.StateOpen
		}
	default:
		g.successes++
		if g.successes >= max(g.MaxProbes, 1) {
			g.done, g.verdict = true, breaker.StateClosed
		}
	}
	if !g.done {
		return breaker.StateHalfOpen
	}
	return g.verdict
}
