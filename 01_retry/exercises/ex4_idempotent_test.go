package exercises

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMayRetry(t *testing.T) {
	cases := []struct {
		method string
		key    string
		want   bool
		why    string
	}{
		{http.MethodGet, "", true, "GET is idempotent"},
		{http.MethodHead, "", true, "HEAD is idempotent"},
		{http.MethodOptions, "", true, "OPTIONS is idempotent"},
		{http.MethodTrace, "", true, "TRACE is idempotent"},
		{http.MethodConnect, "", false, "CONNECT opens a tunnel: not known to be safe to repeat"},
		{http.MethodPut, "", true, "PUT replaces a resource: twice is the same as once"},
		{http.MethodDelete, "", true, "DELETE twice leaves the resource just as deleted"},
		{http.MethodPost, "", false, "a POST may charge a card twice"},
		{http.MethodPost, "order-42", true, "the Idempotency-Key lets the server drop the duplicate"},
		{http.MethodPatch, "", false, "PATCH is not idempotent in general"},
		{http.MethodPatch, "k-1", true, "the Idempotency-Key makes it safe"},
		{"BREW", "", false, "unknown methods are not known to be safe"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "/orders", nil)
		if c.key != "" {
			r.Header.Set("Idempotency-Key", c.key)
		}
		if got := MayRetry(r); got != c.want {
			t.Errorf("MayRetry(%s, Idempotency-Key=%q) = %v, want %v: %s", c.method, c.key, got, c.want, c.why)
		}
	}
}
