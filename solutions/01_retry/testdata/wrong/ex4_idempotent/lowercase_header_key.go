// Mistake: the header map is read with a lower-case key, which net/http never stores, so no key is ever seen.
// Caught: "the Idempotency-Key lets the server drop the duplicate"
package exercises

import "net/http"

// MayRetry reports whether r may be sent again without a double effect.
func MayRetry(r *http.Request) bool {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true // "" is GET in net/http
	case http.MethodPost, http.MethodPatch:
		return len(r.Header["idempotency-key"]) > 0
	}
	return false
}
