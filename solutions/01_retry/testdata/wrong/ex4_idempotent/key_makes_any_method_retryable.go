// Mistake: an Idempotency-Key makes any method retryable, CONNECT and unknown methods included.
// Caught: "an Idempotency-Key does not make CONNECT retryable"
package exercises

import "net/http"

// MayRetry reports whether r may be sent again without a double effect.
func MayRetry(r *http.Request) bool {
	if r.Header.Get("Idempotency-Key") != "" {
		return true
	}
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true // "" is GET in net/http
	case http.MethodPost, http.MethodPatch:
		return r.Header.Get("Idempotency-Key") != ""
	}
	return false
}
