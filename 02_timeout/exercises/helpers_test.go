package exercises

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// inBubble runs f in a synctest bubble, where time is virtual. If the code
// under test leaves a goroutine blocked forever, synctest would panic and
// take every other test down with it; inBubble turns that into a failure of
// this test alone, with a hint.
func inBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("a goroutine your code started was still blocked when the test ended (%v). "+
				"It leaked: something it waits for never happens. A goroutine sending a late result "+
				"on a channel nobody reads any more is the usual suspect; give the channel room for one value.", r)
		}
	}()
	synctest.Test(t, f)
}

// noLeftovers fails the test if goroutines other than those in before are
// still alive. Call synctest.Wait first, so that goroutines that are about
// to exit have done so.
func noLeftovers(t *testing.T, before goleak.Option, what string) {
	t.Helper()
	if err := goleak.Find(before); err != nil {
		t.Errorf("%s, a goroutine was still alive; nothing should outlive the call.\n%v", what, err)
	}
}

// handlerTransport is an in-memory http.RoundTripper: it hands each request
// to a handler with the request's context and gives up when that context
// ends, like the real transport. Real sockets do not work inside a synctest
// bubble; this does, so the HTTP exercise runs in virtual time. It counts
// response bodies that were handed out and not yet closed.
type handlerTransport struct {
	h        http.Handler
	unclosed atomic.Int32
}

func (rt *handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		rt.h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
		resp := rec.Result()
		rt.unclosed.Add(1)
		resp.Body = &trackedBody{ReadCloser: resp.Body, rt: rt}
		return resp, nil
	case <-req.Context().Done():
		return nil, context.Cause(req.Context())
	}
}

// trackedBody reports its first Close to the transport.
type trackedBody struct {
	io.ReadCloser
	rt     *handlerTransport
	closed atomic.Bool
}

func (b *trackedBody) Close() error {
	if b.closed.CompareAndSwap(false, true) {
		b.rt.unclosed.Add(-1)
	}
	return b.ReadCloser.Close()
}
