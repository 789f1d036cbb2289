package exercises

import (
	"context"

	"reliability/01_retry/retry"
	"reliability/03_circuit_breaker/breaker"
)

// Exercise 2: do not retry a breaker's "no".
//
// A retry loop around a circuit breaker must not treat the breaker's
// refusal as one more transient failure: the breaker has just said the
// dependency is failing, and asking again a few milliseconds later only
// spins on the open breaker (or, half-open, takes a trial slot).
//
// Retryable reports whether an attempt's error is worth another attempt:
//
//   - nil: false, there is nothing to retry;
//   - breaker.ErrOpenState and breaker.ErrTooManyRequests, also when
//     wrapped in another error: false;
//   - an error marked with retry.Permanent, or matching
//     flaky.ErrPermanent: false, retrying cannot fix it;
//   - context.Canceled: false, whoever cancelled is not waiting any more;
//   - anything else, such as flaky.ErrTransient, timeout.ErrTimeout or an
//     error you have never seen: true.
//
// DoThroughBreaker calls op through cb, retrying as p says, but only the
// errors Retryable accepts: any other error ends the call at once and is
// returned so that errors.Is still finds it (the breaker's sentinel
// included).
//
// Hint: errors.Is looks through wrapping; == does not. retry.Do retries
// every error except those marked with retry.Permanent, so inside the op
// you give it, mark what Retryable rejects. flaky.ErrPermanent comes from
// the package "reliability/flaky"; import it beside the others.
//
// Run: go test -run Ex2 ./06_composed_mini/exercises/
func Retryable(err error) bool {
	return false
}

// DoThroughBreaker calls op through cb, retrying only retryable errors.
func DoThroughBreaker(ctx context.Context, p retry.Policy, cb breaker.CircuitBreaker, op func(context.Context) error) error {
	return errNotImplemented
}
