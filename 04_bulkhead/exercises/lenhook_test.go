package exercises

import (
	"reflect"
	"sync"
	"testing/synctest"
)

// In the test build of this package, and only there, len is the function
// below instead of Go's built-in len: a declaration at package level
// hides the built-in in every file of the package, yours included. It
// answers exactly what the built-in would, for every kind of value. What
// it adds is a hook for one concurrency test of exercise 2.
//
// Why: "look at len(ch), then send" takes a slot in two steps. Another
// caller can take the last free slot between them, and then the send,
// which should never wait, waits. That window is a few instructions wide;
// no scheduler opens it on demand, and with one processor it practically
// never opens at all. Through this len the test opens it every time: when
// armed, the next len of a channel with exactly one free place (the
// moment when an out-of-date answer matters) first measures the channel,
// then lets the test run a rival caller until it has taken that place,
// and only then returns what it measured, a number that is now out of
// date, exactly as if the caller had been paused between its check and
// its send.
//
// Code that takes a place in one step (a select with a default case) never
// asks len before taking, so the hook changes nothing for it.
func len[T any](v T) int {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return 0 // an untyped nil: no value has length
	}
	if rv.Kind() == reflect.Pointer {
		return rv.Type().Elem().Len() // a pointer to an array: its length, even if nil
	}
	n := rv.Len()
	if rv.Kind() == reflect.Chan && n == rv.Cap()-1 {
		if rival := lenHook.take(); rival != nil {
			rival()
		}
	}
	return n
}

// lenHook holds the rival that the next len of a channel runs.
var lenHook hook

type hook struct {
	mu    sync.Mutex
	rival func()
}

// arm makes the next len of a channel with one free place, on any
// goroutine, run rival after it has measured the channel and before it
// returns. Call disarm when the
// test is over, in case no len of a channel came.
func (h *hook) arm(rival func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rival = rival
}

func (h *hook) disarm() { h.arm(nil) }

// take returns the armed rival, if any, and disarms the hook, so that the
// rival's own len calls run no rival.
func (h *hook) take() func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rival
	h.rival = nil
	return r
}

// overtake starts a call with the len hook armed. If the call looks at a
// channel with one free place before taking it, it is held right there
// while a rival call starts and settles (takes the place, waits or is
// refused); then the first call goes on. It returns both calls, the
// rival nil if the first call never looked. Call it inside a bubble; the
// verdict is the caller's to read with caller.returned().
func overtake(start, startRival func() *call) (caller, rival *call) {
	looked, goOn := make(chan struct{}), make(chan struct{})
	lenHook.arm(func() {
		close(looked)
		<-goOn
	})
	defer lenHook.disarm()
	caller = start()
	synctest.Wait()
	select {
	case <-looked:
		rival = startRival()
		synctest.Wait()
		close(goOn)
	default:
	}
	return caller, rival
}
