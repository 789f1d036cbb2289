// Mistake: an empty Method is not treated as GET.
// Caught: "an empty Method means GET"
package exercises

import "net/http"

// MayRetry reports whether r may be sent again without a double effect.
func MayRetry(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true // "" is GET in net/http
	case http.MethodPost, http.MethodPatch:
		return r.Header.Get("Idempotency-Key") != ""
	}
	return false
}
