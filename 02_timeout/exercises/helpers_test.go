package exercises

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
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
// under test leaves a goroutine blocked forever, or never returns at all,
// synctest panics and would take every other test down with it; inBubble
// turns that into a failure of this test alone, with a hint that fits the
// kind of deadlock.
func inBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		switch msg := fmt.Sprint(r); {
		case strings.Contains(msg, "all goroutines in bubble are blocked"):
			t.Fatalf("%s never returned (%v): every goroutine was waiting for something that could never "+
				"happen. Does your code wait on the context that carries the deadline, for example a select "+
				"on both the result channel and that context's Done channel?", exercise(t), r)
		case strings.Contains(msg, "main bubble goroutine has exited"):
			t.Fatalf("%s returned, but a goroutine it started was still blocked when the test ended (%v). "+
				"It leaked: something it waits for never happens. A goroutine sending a late result on a "+
				"channel nobody reads any more is the usual suspect; give the channel room for one value.", exercise(t), r)
		default:
			panic(r)
		}
	}()
	synctest.Test(t, f)
}

// exercise names the function a test exercises, from the test's name
// (TestEx<k>...).
func exercise(t *testing.T) string {
	for k, name := range []string{"WithTimeout", "CancelAndWait", "AttemptContext", "Fetch"} {
		if strings.HasPrefix(t.Name(), fmt.Sprintf("TestEx%d", k+1)) {
			return name
		}
	}
	return "the function under test"
}

// bubbleGoroutines returns the stacks of the goroutines in the caller's
// synctest bubble, keyed by goroutine id. It panics outside a bubble.
func bubbleGoroutines() map[string]string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	blocks := strings.Split(string(buf), "\n\n")
	// The first block is the caller's own goroutine; its header names the
	// bubble, as in "goroutine 21 [running, synctest bubble 1]:".
	self, _, _ := strings.Cut(blocks[0], "\n")
	_, bubble, ok := strings.Cut(self, ", synctest bubble ")
	if !ok {
		panic("bubbleGoroutines called outside a synctest bubble")
	}
	stacks := make(map[string]string)
	for _, b := range blocks {
		header, _, _ := strings.Cut(b, "\n")
		if strings.HasSuffix(header, ", synctest bubble "+bubble) {
			id, _, _ := strings.Cut(header, " [")
			stacks[id] = b
		}
	}
	return stacks
}

// noLeftovers fails the test if goroutines other than those in before (from
// bubbleGoroutines) are alive in the bubble. Call synctest.Wait first, so
// that goroutines that are about to exit have done so.
//
// It does not use goleak.Find: finding a goroutine, goleak sleeps and looks
// again, and inside a bubble that sleep moves the fake clock, so a goroutine
// that outlives the call by a few hundred milliseconds would slip through.
func noLeftovers(t *testing.T, before map[string]string, what string) {
	t.Helper()
	var extra []string
	for id, stack := range bubbleGoroutines() {
		if _, ok := before[id]; !ok {
			extra = append(extra, stack)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		t.Errorf("%s, %d goroutine(s) your code started were still alive; nothing should outlive the call:\n\n%s",
			what, len(extra), strings.Join(extra, "\n\n"))
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
