package timeout

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// panicOf calls f and returns the value it panicked with, or nil.
func panicOf(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// TestPanicReachesTheCaller: op runs on a goroutine of its own, where a
// panic is beyond the caller's recover and would crash the program. Do
// recovers it there and panics again, with the same value, on the
// caller's goroutine.
func TestPanicReachesTheCaller(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got := panicOf(func() {
					_ = impl.do(t.Context(), time.Second, func(context.Context) error {
						time.Sleep(100 * time.Millisecond)
						panic(errBoom)
					})
				})
				if got != errBoom {
					t.Errorf("the caller recovered %v, want op's panic value %v", got, errBoom)
				}
			})
		})
	}
}

// TestLatePanicIsDropped: a panic after the call has returned has no
// caller to reach; like any late result of an abandoned op, it is dropped
// (http.TimeoutHandler does the same) rather than crashing the program.
func TestLatePanicIsDropped(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				panicked := make(chan struct{})
				var err error
				got := panicOf(func() {
					err = impl.do(t.Context(), time.Second, func(context.Context) error {
						time.Sleep(2 * time.Second) // ignores its context
						defer close(panicked)
						panic(errBoom)
					})
				})
				if got != nil || !errors.Is(err, ErrTimeout) {
					t.Errorf("got panic %v and error %v, want ErrTimeout at the deadline", got, err)
				}
				<-panicked // the op panics after the call; the test binary must survive it
				synctest.Wait()
			})
		})
	}
}

// TestPanicCaughtByTheServer shows why the re-panic matters: net/http
// recovers a panicking handler and closes only its connection. With op's
// panic brought back to the handler's goroutine, that recover catches it
// and the server lives on to answer the next request.
func TestPanicCaughtByTheServer(t *testing.T) {
	var mu sync.Mutex
	var logged strings.Builder
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			_ = Do(r.Context(), time.Second, func(context.Context) error { panic("bug in op") })
		}
		_, _ = io.WriteString(w, "ok\n")
	}))
	srv.Config.ErrorLog = log.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), "", 0)
	srv.Start()
	defer srv.Close()

	if _, _, err := Get(t.Context(), srv.Client(), srv.URL+"/panic"); err == nil {
		t.Errorf("the panicking request got an answer; want its connection closed by the server")
	}
	status, body, err := Get(t.Context(), srv.Client(), srv.URL+"/")
	if err != nil || status != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("after the panic the server answered %d %q %v, want 200 ok: it should have survived", status, body, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), "panic serving") || !strings.Contains(logged.String(), "bug in op") {
		t.Errorf("the server's log should show it recovered op's panic; it says %q", logged.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
