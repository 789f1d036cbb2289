// Mistake: OPTIONS and TRACE are left out of the idempotent methods.
// Caught: "OPTIONS is idempotent"
package exercises

import "net/http"

// MayRetry reports whether r may be sent again without a double effect.
func MayRetry(r *http.Request) bool {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true // "" is GET in net/http
	case http.MethodPost, http.MethodPatch:
		return r.Header.Get("Idempotency-Key") != ""
	}
	return false
}
