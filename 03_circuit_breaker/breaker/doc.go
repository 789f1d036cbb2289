// Package breaker is a hand-rolled circuit breaker that behaves exactly like
// sony/gobreaker v2's CircuitBreaker (fixed window, no BucketPeriod), written
// to be read in one sitting next to the library.
//
// A circuit breaker sits in front of a dependency and watches its results.
// While the dependency is healthy the breaker is closed and every call goes
// through. When ReadyToTrip says the failures are too many, the breaker
// opens: calls fail fast with ErrOpenState and the dependency gets a rest.
// After Timeout the breaker turns half-open and lets up to MaxRequests trial
// calls through: if they all succeed it closes again, the first failure
// opens it for another Timeout.
//
// The names (State, Counts, Settings, ErrOpenState, ErrTooManyRequests) are
// gobreaker's, so the two read side by side; library.go wraps gobreaker
// behind the same methods, and the package's tests replay random traces
// against both to prove that they go through the same states, return the
// same errors and report the same Counts.
//
// One thing is deliberately different: gobreaker calls OnStateChange while
// it holds its lock, so a callback that calls State or Counts deadlocks.
// Breaker calls OnStateChange after releasing its lock, still one call at a
// time and in the order the transitions happened (see notify.go).
package breaker
