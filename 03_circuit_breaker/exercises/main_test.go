package exercises

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// errDown is the dependency's failure in the exercise tests.
var errDown = errors.New("dependency is down")

func fail() error    { return errDown }
func succeed() error { return nil }

// together runs call on n goroutines that all start at the same moment,
// which gives a data race or a check-then-act race its best chance to show
// (run with -race to see the former reported), and returns what each
// returned. The test itself checks the results: t.Fatal must not be called
// from these goroutines.
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

// heldCall is a call whose fn waits until the test releases it, so that its
// result arrives after the breaker has moved on.
type heldCall struct {
	entered atomic.Bool // fn has started
	release chan struct{}
	once    sync.Once
	done    chan error
}

// startHeld calls call on a new goroutine with an fn that returns result
// once released. Release it (or defer h.let()) before the test ends, so
// the goroutine can exit.
func startHeld(call func(func() error) error, result error) *heldCall {
	h := &heldCall{release: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		h.done <- call(func() error {
			h.entered.Store(true)
			<-h.release
			return result
		})
	}()
	return h
}

// let releases fn; calling it again does nothing.
func (h *heldCall) let() { h.once.Do(func() { close(h.release) }) }

// finish releases fn and returns what the call returned.
func (h *heldCall) finish() error {
	h.let()
	return <-h.done
}
