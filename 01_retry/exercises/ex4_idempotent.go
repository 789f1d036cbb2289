package exercises

import "net/http"

// MayRetry reports whether an HTTP request may be sent again after a
// failure without risking a double effect (two payments, two orders).
//
// GET, HEAD, OPTIONS, TRACE, PUT and DELETE are idempotent by definition
// (RFC 9110, section 9.2.2), so they may be retried. POST and PATCH are
// not, unless the client sent an Idempotency-Key header, which lets the
// server recognise the repeat and answer it without doing the work twice.
// Anything else (CONNECT, unknown methods): not retried.
//
// Hint: r.Method, and r.Header.Get("Idempotency-Key") != "".
func MayRetry(r *http.Request) bool {
	return false
}
