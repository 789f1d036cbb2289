// Mistake: POST is listed among the idempotent methods.
// Caught: "a POST may charge a card twice"
package exercises

import "net/http"

// MayRetry reports whether r may be sent again without a double effect.
func MayRetry(r *http.Request) bool {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete, http.MethodPost:
		return true // "" is GET in net/http
	case http.MethodPatch:
		return r.Header.Get("Idempotency-Key") != ""
	}
	return false
}
