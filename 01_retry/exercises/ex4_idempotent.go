package exercises

import "net/http"

// Exercise 4: which requests are safe to send twice.
//
// MayRetry reports whether an HTTP request may be sent again after a
// failure without risking a double effect (two payments, two orders).
//
// GET, HEAD, OPTIONS, TRACE, PUT and DELETE are idempotent by definition
// (RFC 9110, section 9.2.2), so they may be retried. POST and PATCH are
// not, unless the client sent a non-empty Idempotency-Key header, which
// lets the server recognise the repeat and answer it without doing the
// work twice. Anything else is not retried, with or without a key: CONNECT
// (a tunnel, not a request the server can deduplicate) and methods this
// code does not know. Method names are case-sensitive ("get" is not GET),
// and an empty Method means GET, as everywhere in net/http.
//
// Hint: switch on r.Method; r.Header.Get("Idempotency-Key") != "" tells
// whether a key was sent.
//
// Run: go test -run Ex4 ./01_retry/exercises/
func MayRetry(r *http.Request) bool {
	return false
}
