package exercises

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

type mayRetryCase struct {
	method string
	key    string // the Idempotency-Key header; "" sends none
	empty  bool   // send the header with an empty value
	want   bool
	why    string
}

func checkMayRetry(t *testing.T, cases []mayRetryCase) {
	t.Helper()
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/orders", nil)
		r.Method = c.method // set directly: NewRequest would refuse some of these
		switch {
		case c.key != "":
			r.Header.Set("Idempotency-Key", c.key)
		case c.empty:
			r.Header["Idempotency-Key"] = []string{""}
		}
		if got := MayRetry(r); got != c.want {
			key := "no Idempotency-Key"
			switch {
			case c.key != "":
				key = "Idempotency-Key: " + c.key
			case c.empty:
				key = "an empty Idempotency-Key"
			}
			t.Errorf("MayRetry(method %q, %s) = %v, want %v: %s", c.method, key, got, c.want, c.why)
		}
	}
}

func TestEx4MayRetryIdempotentMethods(t *testing.T) {
	started(t, "MayRetry")
	checkMayRetry(t, []mayRetryCase{
		{method: http.MethodGet, want: true, why: "GET is idempotent"},
		{method: http.MethodHead, want: true, why: "HEAD is idempotent"},
		{method: http.MethodOptions, want: true, why: "OPTIONS is idempotent (RFC 9110, 9.2.2)"},
		{method: http.MethodTrace, want: true, why: "TRACE is idempotent (RFC 9110, 9.2.2)"},
		{method: http.MethodPut, want: true, why: "PUT replaces a resource: twice is the same as once"},
		{method: http.MethodDelete, want: true, why: "DELETE twice leaves the resource just as deleted"},
		{method: "", want: true, why: "an empty Method means GET in net/http"},
		{method: http.MethodPut, key: "k-1", want: true, why: "a key does not make an idempotent method less safe"},
	})
}

func TestEx4MayRetryNotIdempotentWithoutAKey(t *testing.T) {
	started(t, "MayRetry")
	checkMayRetry(t, []mayRetryCase{
		{method: http.MethodPost, want: false, why: "a POST may charge a card twice"},
		{method: http.MethodPatch, want: false, why: "PATCH is not idempotent in general (\"add 1 to the balance\")"},
		{method: http.MethodPost, empty: true, want: false, why: "an empty Idempotency-Key identifies nothing: the server cannot deduplicate"},
		{method: http.MethodPost, key: "order-42", want: true, why: "the Idempotency-Key lets the server drop the duplicate (read it with r.Header.Get(\"Idempotency-Key\"), which finds it under its canonical name)"},
		{method: http.MethodPatch, key: "k-1", want: true, why: "the Idempotency-Key makes PATCH safe to repeat too"},
	})
}

func TestEx4MayRetryOtherMethods(t *testing.T) {
	started(t, "MayRetry")
	checkMayRetry(t, []mayRetryCase{
		{method: http.MethodConnect, want: false, why: "CONNECT opens a tunnel: not known to be safe to repeat"},
		{method: http.MethodConnect, key: "k-1", want: false, why: "an Idempotency-Key does not make CONNECT retryable: the key only helps POST and PATCH"},
		{method: "BREW", want: false, why: "unknown methods are not known to be safe"},
		{method: "BREW", key: "k-1", want: false, why: "an Idempotency-Key does not make an unknown method retryable: the key only helps POST and PATCH"},
		{method: "get", want: false, why: "method names are case-sensitive (RFC 9110, 9.1): \"get\" is an unknown method, not GET"},
		{method: "post", key: "k-1", want: false, why: "method names are case-sensitive (RFC 9110, 9.1): \"post\" is an unknown method, not POST"},
		{method: "GET ", want: false, why: "method names are matched exactly: \"GET \" is an unknown method, not GET (is the method trimmed?)"},
		{method: " DELETE", want: false, why: "method names are matched exactly: \" DELETE\" is an unknown method, not DELETE (is the method trimmed?)"},
		{method: http.MethodGet, want: true, why: "GET is idempotent"},
	})
}
