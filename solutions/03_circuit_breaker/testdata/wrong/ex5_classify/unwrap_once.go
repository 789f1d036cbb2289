// Mistake: A type assertion on err and on one errors.Unwrap misses an *HTTPError wrapped twice.
// Caught: "one errors.Unwrap does not"
package exercises

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// HTTPError is the error an HTTP client returns for an answer that is not
// 2xx.
type HTTPError struct {
	StatusCode int
}

func (e *HTTPError) Error() string { return fmt.Sprintf("http status %d", e.StatusCode) }

// IsSuccessful is meant for breaker.Settings.IsSuccessful: it returns true
// for nil and for an *HTTPError (possibly wrapped) with a 4xx status other
// than 429, and false for everything else, 1xx, 3xx and 5xx included.
func IsSuccessful(err error) bool {
	if err == nil {
		return true
	}
	httpErr, ok := err.(*HTTPError)
	if !ok {
		httpErr, ok = errors.Unwrap(err).(*HTTPError)
	}
	if !ok {
		return false
	}
	code := httpErr.StatusCode
	return code >= 400 && code < 500 && code != http.StatusTooManyRequests
}

// IsExcluded is meant for breaker.Settings.IsExcluded: it returns true when
// err is or wraps context.Canceled.
func IsExcluded(err error) bool {
	return errors.Is(err, context.Canceled)
}
