package exercises

import (
	"context"
	"errors"
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
	"time"

	"go.uber.org/goleak"
)

// raceDetector is true when the tests run with -race (race_test.go).
var raceDetector bool

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
		name, hint := exercise(t)
		switch msg := fmt.Sprint(r); {
		case strings.Contains(msg, "all goroutines in bubble are blocked"):
			t.Fatalf("%s never returned (%v): every goroutine was waiting for something that could never "+
				"happen. %s", name, r, hint)
		case strings.Contains(msg, "main bubble goroutine has exited"):
			t.Fatalf("%s returned, but a goroutine it started was still blocked when the test ended (%v). "+
				"It leaked: something it waits for never happens. A goroutine sending a late result on a "+
				"channel nobody reads any more is the usual suspect; give the channel room for one value.", name, r)
		default:
			panic(r)
		}
	}()
	synctest.Test(t, f)
}

// exercise names the function a test exercises, from the test's name
// (TestEx<k>...), and the likely cause when it never returns.
func exercise(t *testing.T) (name, hangHint string) {
	for k, e := range []struct{ name, hint string }{
		{"WithTimeout", "WithTimeout must return when op's context ends, without waiting for op: select on the " +
			"result channel and the Done channel of op's context."},
		{"CancelAndWait", "Does op get the context that carries the deadline, so that it can stop?"},
		{"AttemptContext", "AttemptContext itself should never wait."},
		{"Fetch", "Does the request carry ctx (http.NewRequestWithContext), so that the deadline can cut it off?"},
	} {
		if strings.HasPrefix(t.Name(), fmt.Sprintf("TestEx%d", k+1)) {
			return e.name, e.hint
		}
	}
	return "the function under test", ""
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
	sending := false
	for id, stack := range bubbleGoroutines() {
		if _, ok := before[id]; !ok {
			extra = append(extra, stack)
			header, _, _ := strings.Cut(stack, "\n")
			sending = sending || strings.Contains(header, "[chan send")
		}
	}
	if len(extra) == 0 {
		return
	}
	slices.Sort(extra)
	hint := "nothing should outlive the call"
	if sending {
		hint = "one is stuck sending a result on a channel nobody reads any more. Is the result channel " +
			"unbuffered? Give it room for one value, make(chan error, 1), so the late send succeeds and the goroutine exits"
	}
	t.Errorf("%s, %d goroutine(s) your code started were still alive; %s:\n\n%s",
		what, len(extra), hint, strings.Join(extra, "\n\n"))
}

// handlerTransport is an in-memory http.RoundTripper: it hands each request
// to a handler with the request's context and gives up when that context
// ends, like the real transport. Real sockets do not work inside a synctest
// bubble; this does, so the HTTP exercise runs in virtual time. It counts
// requests and the response bodies that were handed out and not yet closed.
type handlerTransport struct {
	h        http.Handler
	requests atomic.Int32
	unclosed atomic.Int32
}

func (rt *handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.requests.Add(1)
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

// errProbe is what a probe's op returns.
var errProbe = errors.New("probe: op failed")

// A probe asks exercise k's function the simplest question there is, one
// that every attempt at an answer gets right at once, and reports whether
// the function still answers like its stub: errNotImplemented or a zero
// value, without having called anything. want is what the function is
// for, in plain words.
type probe struct {
	name, want string
	stubbed    func() bool
}

// probes are the exercises' probes, exercise 1 first.
var probes = []probe{
	{"WithTimeout", "WithTimeout(ctx, d, op) returns op's result if op finishes within d, and otherwise " +
		"returns at the deadline with an error matching context.DeadlineExceeded",
		func() bool {
			var called atomic.Bool
			err := WithTimeout(context.Background(), time.Hour, func(context.Context) error { called.Store(true); return errProbe })
			return !called.Load() && (err == nil || errors.Is(err, errNotImplemented))
		}},
	{"CancelAndWait", "CancelAndWait(ctx, d, op) runs op with a deadline d from now and returns op's " +
		"result only once op has returned, matching the context's error if op stopped because it ended",
		func() bool {
			var called atomic.Bool
			err := CancelAndWait(context.Background(), time.Hour, func(context.Context) error { called.Store(true); return errProbe })
			return !called.Load() && (err == nil || errors.Is(err, errNotImplemented))
		}},
	{"AttemptContext", "AttemptContext(ctx, perAttempt, minUseful) returns a context for the next attempt " +
		"that ends after min(perAttempt, time left before ctx's deadline), and refuses when too little is left",
		func() bool {
			ctx, cancel, err := AttemptContext(context.Background(), time.Second, 0)
			if cancel != nil {
				cancel()
			}
			return ctx == nil && cancel == nil && (err == nil || errors.Is(err, errNotImplemented))
		}},
	{"Fetch", "Fetch(ctx, client, url) GETs url with client, the request carrying ctx, and returns the " +
		"body on status 200",
		func() bool {
			rt := &handlerTransport{h: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, "ok\n")
			})}
			body, err := Fetch(context.Background(), &http.Client{Transport: rt}, "http://127.0.0.1:1/")
			return rt.requests.Load() == 0 && body == "" && (err == nil || errors.Is(err, errNotImplemented))
		}},
}

// started fails the test at once while the function of the exercise it
// belongs to (TestEx<k>...) still answers like its stub: until there is
// code, there is no mistake to name, only the task. The probe runs in a
// bubble of its own, so that an answer that waits costs no real time; one
// that panics or never returns counts as started, and the test itself
// says what went wrong. Call it first in the test, outside any bubble.
func started(t *testing.T) {
	t.Helper()
	var p probe
	for k, candidate := range probes {
		if strings.HasPrefix(t.Name(), fmt.Sprintf("TestEx%d", k+1)) {
			p = candidate
		}
	}
	if p.stubbed == nil {
		panic("no probe for " + t.Name())
	}
	stub := false
	func() {
		defer func() { _ = recover() }() // a deadlock in the bubble
		synctest.Test(t, func(*testing.T) {
			defer func() { _ = recover() }() // a panic in the answer
			stub = p.stubbed()
		})
	}()
	if stub {
		t.Fatalf("not started: %s still answers like its stub. Want: %s.", p.name, p.want)
	}
}

// causeHint explains a likely mistake when err matches the cause a caller
// gave but not the context error it should.
func causeHint(err, cause error) string {
	if errors.Is(err, cause) {
		return ": that is context.Cause(ctx), the reason the canceller gave, which matches neither context error; " +
			"return ctx.Err() (wrapping the cause too if you like)"
	}
	return ""
}
