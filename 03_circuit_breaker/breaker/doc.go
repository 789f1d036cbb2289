// Package breaker is a hand-rolled circuit breaker that behaves like
// sony/gobreaker v2's CircuitBreaker (fixed window, no BucketPeriod), small
// enough to read in one sitting, and Library, gobreaker behind the same
// methods.
//
// A Breaker starts closed and lets every call through, counting the
// results. When ReadyToTrip says the failures are too many, it opens:
// calls fail fast with ErrOpenState and the dependency gets a rest. After
// Timeout it turns half-open and admits up to MaxRequests trial calls:
// MaxRequests successes in a row close it, one failure opens it again.
//
// The names (State, Counts, Settings, ErrOpenState, ErrTooManyRequests)
// are gobreaker's, and the package's tests replay random traces against
// both. One difference is deliberate: OnStateChange runs without the
// breaker's lock held (see Settings.OnStateChange).
package breaker
