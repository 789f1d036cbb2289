// Mistake: the mere presence of the Idempotency-Key header counts, even with an empty value.
// Caught: "an empty Idempotency-Key identifies nothing"
package exercises

import "net/http"

// MayRetry reports whether r may be sent again without a double effect.
func MayRetry(r *http.Request) bool {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true // "" is GET in net/http
	case http.MethodPost, http.MethodPatch:
		_, sent := r.Header["Idempotency-Key"]
		return sent
	}
	return false
}
