// Mistake: IsExcluded also sets aside 429, which is the dependency's failure.
// Caught: "a failure, not an exclusion"
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
	var httpErr *HTTPError
	if !errors.As(err, &httpErr) {
		return false
	}
	code := httpErr.StatusCode
	return code >= 400 && code < 500 && code != http.StatusTooManyRequests
}

// IsExcluded is meant for breaker.Settings.IsExcluded: it returns true when
// err is or wraps context.Canceled.
func IsExcluded(err error) bool {
	var httpErr *HTTPError
	if errors.As(err, &httpErr) && httpErr.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return errors.Is(err, context.Canceled)
}
