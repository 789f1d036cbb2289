package exercises

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// TestMain turns on the lock watcher (package lockwatch: the breakers' mu
// is a lockwatch.Mutex) for every test and checks, as in every test
// package of the course, that no test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(lockwatch.Watch(m)) }

// errDown is the dependency's failure in the exercise tests.
var errDown = errors.New("dependency is down")

func fail() error    { return errDown }
func succeed() error { return nil }

// together runs call on n goroutines that all start at the same moment and
// returns what each returned. It is the race detector's best chance to see
// a field touched without the lock; the forced interleavings in the other
// tests are what catch such mistakes without -race. The test itself checks
// the results: t.Fatal must not be called from these goroutines.
func together[T any](n int, call func() T) []T {
	results := make([]T, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = call()
		})
	}
	close(start)
	wg.Wait()
	return results
}

// heldCall is a call whose fn waits until the test releases it, so that
// its result arrives when the test chooses: after the breaker has moved
// on, or while other goroutines use the breaker.
type heldCall struct {
	entered    chan struct{} // closed when fn starts
	lockedInFn atomic.Bool   // the breaker's lock was held by fn's goroutine
	release    chan struct{}
	once       sync.Once
	done       chan error // what the call returned
}

// startHeld calls call on a new goroutine with an fn that returns result
// once released. mu is the breaker's lock, which fn checks is not held.
// Release the call (defer h.let()) before the test ends, so the goroutine
// can exit.
func startHeld(call func(func() error) error, mu *lockwatch.Mutex, result error) *heldCall {
	h := &heldCall{entered: make(chan struct{}), release: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		h.done <- call(func() error {
			h.lockedInFn.Store(lockwatch.HeldByMe(mu))
			close(h.entered)
			<-h.release
			return result
		})
	}()
	return h
}

// hasEntered reports whether fn has started.
func (h *heldCall) hasEntered() bool {
	select {
	case <-h.entered:
		return true
	default:
		return false
	}
}

// let releases fn; calling it again does nothing.
func (h *heldCall) let() { h.once.Do(func() { close(h.release) }) }

// finish releases fn and returns what the call returned.
func (h *heldCall) finish() error {
	h.let()
	return <-h.done
}

// realTimeout is the real-time limit for an event that correct code
// produces at once. It only turns a hang into a failure; a passing test
// never waits for it. Use it outside synctest bubbles only.
const realTimeout = 5 * time.Second

// after returns a channel that fires after d of real time.
func after(d time.Duration) <-chan time.Time { return time.After(d) }

// firstWhileHeld reports what a method did while the test held the breaker's
// lock: whether it asked for the lock first (as it should), or first ran
// fn or returned without ever asking. event is "asked", "fn", "returned"
// or "nothing" (within realTimeout).
func firstWhileHeld(mu *lockwatch.Mutex, fnEntered <-chan struct{}, run func()) string {
	asked, release := lockwatch.Hold(mu)
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		run()
	}()
	var event string
	select {
	case <-asked:
		event = "asked"
	case <-fnEntered:
		event = "fn"
	case <-returned:
		event = "returned"
	case <-after(realTimeout):
		event = "nothing"
	}
	release()
	select {
	case <-returned:
	case <-after(realTimeout):
	}
	return event
}

// didText says what a method did, for firstWhileHeld's events.
func didText(event string) string {
	switch event {
	case "fn":
		return "ran fn without asking for the lock first"
	case "returned":
		return "returned without asking for the lock"
	case "nothing":
		return "neither asked for the lock nor returned within " + realTimeout.String()
	}
	return "asked for the lock"
}

// fnRunsUnlocked starts a call whose fn blocks, and while fn runs, asks
// for the breaker's state and makes a second call from other goroutines.
// It returns "" if all is well, or what went wrong. It runs in real time,
// outside any synctest bubble: a goroutine blocked on a mutex is not
// "durably blocked" to synctest, so inside a bubble a mutex held while fn
// runs would hang the test instead of failing it.
func fnRunsUnlocked(call func(func() error) error, state func() breaker.State, mu *lockwatch.Mutex) string {
	slow := startHeld(call, mu, nil)
	defer slow.let()
	select {
	case <-slow.entered:
	case err := <-slow.done:
		return fmt.Sprintf("a closed breaker should call fn, but Call returned %v without calling it", err)
	case <-after(realTimeout):
		return "Call neither called fn nor returned within " + realTimeout.String()
	}
	if slow.lockedInFn.Load() {
		return "mu is locked while fn runs: is the mutex held while fn runs? A slow dependency would then make every other caller wait"
	}
	answered := make(chan struct{}, 2)
	go func() { state(); answered <- struct{}{} }()
	go func() { _ = call(succeed); answered <- struct{}{} }()
	for range 2 {
		select {
		case <-answered:
		case <-after(realTimeout):
			return "while one call's fn was running, State() and a second Call did not return within " +
				realTimeout.String() + ": is the mutex held while fn runs?"
		}
	}
	if err := slow.finish(); err != nil {
		return fmt.Sprintf("the slow call's fn returned nil, so Call should return nil, got %v", err)
	}
	return ""
}

// recordsUnderLock starts a call whose fn returns result when released,
// holds the breaker's lock while fn returns, and reports what Call did
// next: "asked" for the lock (right), "returned" without it, or
// "nothing". It runs in real time, outside any synctest bubble.
func recordsUnderLock(call func(func() error) error, mu *lockwatch.Mutex, result error) string {
	slow := startHeld(call, mu, result)
	defer slow.let()
	select {
	case <-slow.entered:
	case <-slow.done:
		return "returned"
	case <-after(realTimeout):
		return "nothing"
	}
	asked, release := lockwatch.Hold(mu)
	slow.let()
	event := "nothing"
	select {
	case <-asked:
		event = "asked"
	case <-slow.done:
		event = "returned"
	case <-after(realTimeout):
	}
	release()
	return event
}
