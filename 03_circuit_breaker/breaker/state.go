package breaker

import "fmt"

// State is the state of a Breaker. The values and their order match
// gobreaker's, so a State converts to gobreaker.State and back unchanged.
type State int

// The three states of a circuit breaker.
const (
	// StateClosed lets every call through and counts the results.
	StateClosed State = iota
	// StateHalfOpen lets a limited number of trial calls through to find
	// out whether the dependency has recovered.
	StateHalfOpen
	// StateOpen rejects every call at once with ErrOpenState.
	StateOpen
)

// String returns "closed", "half-open" or "open", the words gobreaker uses.
func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateHalfOpen:
		return "half-open"
	case StateOpen:
		return "open"
	default:
		return fmt.Sprintf("unknown state: %d", int(s))
	}
}
