package flaky_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"reliability/flaky"
)

// A service that is still warming up: the first two calls fail.
func Example() {
	svc := flaky.MustNew(flaky.Config{FailFirst: 2})
	for range 3 {
		err := svc.Call(context.Background())
		fmt.Println(err, errors.Is(err, flaky.ErrTransient))
	}
	fmt.Println(svc.Stats())
	// Output:
	// flaky: call 1: transient failure (fail-first) true
	// flaky: call 2: transient failure (fail-first) true
	// <nil> false
	// calls=3 ok=1 failed=2 canceled=0 in-flight=0 max-in-flight=1
}

// The same service behind HTTP: a failure is a 503 with a Retry-After hint.
func ExampleService_ServeHTTP() {
	svc := flaky.MustNew(flaky.Config{FailFirst: 1})
	for range 2 {
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		fmt.Println(rec.Code, rec.Header().Get("Retry-After"))
	}
	// Output:
	// 503 1
	// 200
}
