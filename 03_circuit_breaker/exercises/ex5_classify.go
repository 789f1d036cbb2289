package exercises

import "fmt"

// HTTPError is the error an HTTP client returns for an answer that is not
// 2xx.
type HTTPError struct {
	StatusCode int
}

func (e *HTTPError) Error() string { return fmt.Sprintf("http status %d", e.StatusCode) }

// Exercise 5: count only the dependency's failures.
//
// A breaker protects you from a sick dependency, so it should count only
// the failures that are the dependency's fault. Two kinds are not:
//
//   - A 4xx answer is the caller's mistake (a bad request, a missing
//     record). The dependency answered promptly and correctly: it is
//     healthy. The exception is 429 Too Many Requests, which is the
//     dependency saying it is overloaded.
//   - context.Canceled means the caller gave up (the user closed the page).
//     It says nothing about the dependency either way, so it is neither a
//     success nor a failure. context.DeadlineExceeded is different: the
//     dependency was too slow, and that is a failure.
//
// Counting these as failures makes the breaker open on a burst of 404s or
// on impatient users, and then every healthy request is refused too.
//
// IsSuccessful is meant for breaker.Settings.IsSuccessful: it returns true
// for nil and for an *HTTPError (possibly wrapped) with a 4xx status other
// than 429, and false for everything else, 1xx, 3xx and 5xx included: the
// client expected a 2xx answer, and a redirect it did not follow is not
// one. IsExcluded is meant for breaker.Settings.IsExcluded.
//
// Hint: errors.As finds an *HTTPError inside a wrapped error; errors.Is
// finds context.Canceled. Test for the range 400 to 499, not for "below
// 500".
//
// Run: go test -run Ex5 ./03_circuit_breaker/exercises/
func IsSuccessful(err error) bool {
	return false
}

// IsExcluded returns true when err is or wraps context.Canceled.
func IsExcluded(err error) bool {
	return false
}
