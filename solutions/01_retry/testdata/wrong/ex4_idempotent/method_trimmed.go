// Mistake: the method is trimmed of spaces before the switch, so "GET " counts as GET.
// Caught: "is the method trimmed?"
package exercises

import (
	"net/http"
	"strings"
)

// MayRetry reports whether r may be sent again without a double effect.
func MayRetry(r *http.Request) bool {
	switch strings.TrimSpace(r.Method) {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true // "" is GET in net/http
	case http.MethodPost, http.MethodPatch:
		return r.Header.Get("Idempotency-Key") != ""
	}
	return false
}
