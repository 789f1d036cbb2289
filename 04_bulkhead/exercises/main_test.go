package exercises

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errDown = errors.New("dependency is down")

// stuckAfter is how long, in real time, a test may run before the
// watchdog decides the code under test is stuck. The tests themselves
// take milliseconds: everything that waits runs in virtual time.
const stuckAfter = 5 * time.Second

// stuckWhy is what the watchdog says about a test that does not end.
const stuckWhy = "the code under test is stuck. The likely cause: a sync.Mutex " +
	"held while op runs or while waiting for a slot. Every other caller then blocks on the lock, " +
	"where neither a free slot nor the end of its context can reach it. Keep locks short, and wait " +
	"for a slot with a select on a channel and ctx.Done(). Or a path that returns while still " +
	"holding the lock: an early return (say, a refusal) before its Unlock."

// bubble runs f in a synctest bubble, where time is virtual, with two
// safety nets for code that hangs, so that a wrong answer fails within
// seconds and says why instead of stalling go test for ten minutes:
//
//   - if every goroutine in the bubble is blocked on something that can
//     never happen, synctest panics; bubble turns that into a failure of
//     this test with a hint;
//   - a goroutine waiting for a sync.Mutex does not count as blocked to
//     synctest, so a lock held while op runs would hang the test forever
//     instead; after stuckAfter of real time, a watchdog fails the test
//     with the likely cause and ends the test binary (nothing can unblock
//     the bubble from outside it).
func bubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	began := time.Now()
	watchdog := time.AfterFunc(stuckAfter, func() { failStuck(t.Name(), time.Since(began), stuckWhy) })
	defer watchdog.Stop()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		switch msg := fmt.Sprint(r); {
		case strings.Contains(msg, "all goroutines in bubble are blocked"):
			t.Fatalf("a call never returned, and nothing could ever wake it (%v). Does it wait for a slot with "+
				"a select that also watches ctx.Done()? Is every slot freed, even when op panics? Is a slot "+
				"freed that was never taken (a release deferred before the slot is taken)?", r)
		case strings.Contains(msg, "main bubble goroutine has exited"):
			t.Fatalf("the test ended with calls still blocked (%v), although every op had been released and "+
				"every caller's context had ended. A call that waits without watching ctx.Done(), or a slot "+
				"that is never freed, leaves callers stuck like this.", r)
		default:
			panic(r)
		}
	}()
	synctest.Test(t, f)
}

// failStuck reports test name as failed, with why and the goroutines of
// the moment, and ends the test binary. It prints the result line the
// testing package would print, framed for test2json when go test runs
// with -json, so that the failure is the test's and not only the
// package's.
func failStuck(name string, after time.Duration, why string) {
	frame := ""
	if v := flag.Lookup("test.v"); v != nil && v.Value.String() == "test2json" {
		frame = "\x16" // test2json's marker for result lines
	}
	stacks := make([]byte, 1<<16)
	stacks = stacks[:runtime.Stack(stacks, true)]
	fmt.Printf("%s--- FAIL: %s (%.2fs)\n    %s is still running after %v of real time: %s\n\n"+
		"    The goroutines at this moment:\n\n%s\n%sFAIL\n",
		frame, name, after.Seconds(), name, after.Round(time.Second), why, stacks, frame)
	os.Exit(1)
}

// op is the signature of the operations the bulkheads run.
type op = func(context.Context) error

// call is a call made on its own goroutine. Its op, if it runs, waits
// until the test releases it and then returns result, or panics with
// panicValue if that is set.
type call struct {
	entered    chan struct{} // closed when op starts
	release    chan struct{}
	releaseOne sync.Once
	result     error
	panicValue any

	finished chan struct{} // closed when the call has returned or panicked
	err      error         // what it returned; set before finished closes
	panicked any           // what it panicked with; set before finished closes
}

// start begins a call to execute(ctx, op) on a new goroutine; op waits for
// release. Every call is released when the test ends, so that a correct
// implementation leaves no goroutine behind.
func start(t *testing.T, ctx context.Context, execute func(context.Context, op) error) *call {
	return startWith(t, ctx, execute, nil, nil)
}

// startWith is start with op's result and panic value set up front.
func startWith(t *testing.T, ctx context.Context, execute func(context.Context, op) error, result error, panicValue any) *call {
	c := &call{
		entered: make(chan struct{}), release: make(chan struct{}), finished: make(chan struct{}),
		result: result, panicValue: panicValue,
	}
	t.Cleanup(c.let)
	go func() {
		defer close(c.finished)
		defer func() { c.panicked = recover() }()
		c.err = execute(ctx, func(context.Context) error {
			close(c.entered)
			<-c.release
			if c.panicValue != nil {
				panic(c.panicValue)
			}
			return c.result
		})
	}()
	return c
}

// let releases the call's op; calling it again does nothing.
func (c *call) let() { c.releaseOne.Do(func() { close(c.release) }) }

// inside reports whether op has started (call synctest.Wait first).
func (c *call) inside() bool {
	select {
	case <-c.entered:
		return true
	default:
		return false
	}
}

// returned reports, after letting every goroutine run as far as it can
// without moving the clock, whether the call has returned, and its error.
func (c *call) returned() (error, bool) {
	synctest.Wait()
	select {
	case <-c.finished:
		return c.err, true
	default:
		return nil, false
	}
}

// finish releases op and returns what the call returned.
func (c *call) finish() error {
	c.let()
	<-c.finished
	return c.err
}

// running reports whether op has started and the call has not returned
// (call synctest.Wait first).
func (c *call) running() bool {
	select {
	case <-c.finished:
		return false
	default:
		return c.inside()
	}
}

// mustRun stops the test unless c's op is running: c was made with a slot
// free, so Execute should have started op at once.
func mustRun(t *testing.T, c *call, what string) {
	t.Helper()
	synctest.Wait()
	if c.running() {
		return
	}
	if err, done := c.returned(); done {
		t.Fatalf("%s: with a slot free, the call should run op, but it returned %v without running it", what, err)
	}
	t.Fatalf("%s: with a slot free, the call should run op at once, but it is still waiting", what)
}

// countInside counts the calls whose op is running right now.
func countInside(calls []*call) int {
	synctest.Wait()
	n := 0
	for _, c := range calls {
		if c.running() {
			n++
		}
	}
	return n
}

// isCtxError reports whether err matches ctx's error and is not nil.
func isCtxError(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// panicsWith runs f and returns what it panicked with, or nil.
func panicsWith(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// cancelled returns a context that has already been cancelled.
func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
