package exercises

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The lock watcher sees every Lock and Unlock of the exercises' lock type
// (lock.go). It gives the tests three powers over the learner's code:
//
//   - holdLock: the test holds the lock itself, to check that a method
//     waits for it instead of reading or writing fields without it;
//   - pauseAfterUnlock: a goroutine stops just after it releases the lock,
//     so that another goroutine can act between two critical sections;
//   - the watchdog: a goroutine that has waited lockPatience (real time)
//     for a lock fails the running test with the likely cause (the lock
//     locked twice, or never unlocked), and the lock
//     is forced open so that the test can finish instead of hanging.
//
// Every test of exercises 2 and 5 calls guard(t) first, so the watchdog
// knows which test to fail.

// lockPatience is how long a goroutine may wait for a lock before the
// watchdog calls it stuck. Correct code waits microseconds.
const lockPatience = 3 * time.Second

// testPatience is the backstop for hangs the lock watcher cannot see (a
// sync.Mutex of the learner's own, say): after this long the watchdog
// prints every goroutine and exits, rather than leave go test silent for
// its default ten minutes. Every test of exercises 2 and 5 takes
// milliseconds.
const testPatience = 10 * time.Second

// lockState is what the watcher knows about one lock.
type lockState struct {
	holder   int64     // id of the goroutine holding it, 0 if free
	lockedAt []uintptr // where the holder locked it
	waiters  map[int64]*lockWaiter

	// Spies set by a test; each runs on the goroutine that locks or
	// unlocks, outside the watcher's own mutex.
	beforeLock  func() // about to wait for the lock
	afterUnlock func() // has just released it
}

type lockWaiter struct {
	at   []uintptr // where it asked for the lock
	seen time.Time // when the watchdog first saw it waiting (real time)
}

type watcher struct {
	mu     sync.Mutex
	locks  map[*lock]*lockState
	test   *testing.T // the running test, set by guard
	start  time.Time  // when it started
	broken bool       // the watchdog forced the locks open in this test
	stalls int        // how many times the watchdog has fired so far
}

var watch = &watcher{locks: map[*lock]*lockState{}}

// watchedM runs the tests with the watcher installed and its watchdog
// running; TestMain hands it to goleak.VerifyTestMain.
type watchedM struct{ m *testing.M }

func (w watchedM) Run() int {
	lockWatcher = watch
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		watch.watchdog(stop)
	}()
	code := w.m.Run()
	close(stop)
	<-done
	return code
}

// guard registers t as the running test until it ends.
func guard(t *testing.T) {
	t.Helper()
	watch.mu.Lock()
	watch.test, watch.start, watch.broken = t, time.Now(), false
	watch.mu.Unlock()
	t.Cleanup(func() {
		watch.mu.Lock()
		defer watch.mu.Unlock()
		watch.test, watch.broken = nil, false
		clear(watch.locks)
	})
}

// stateOf returns l's state, creating it. Called with w.mu held.
func (w *watcher) stateOf(l *lock) *lockState {
	s := w.locks[l]
	if s == nil {
		s = &lockState{waiters: map[int64]*lockWaiter{}}
		w.locks[l] = s
	}
	return s
}

// tidy forgets a lock that is free, unwatched and awaited by nobody.
// Called with w.mu held.
func (w *watcher) tidy(l *lock, s *lockState) {
	if s.holder == 0 && len(s.waiters) == 0 && s.beforeLock == nil && s.afterUnlock == nil {
		delete(w.locks, l)
	}
}

func (w *watcher) lock(l *lock) {
	id, at := goid(), callers()
	w.mu.Lock()
	if w.broken {
		// The watchdog has already failed this test and forced the
		// locks open; let the test run to its end without blocking.
		w.mu.Unlock()
		return
	}
	s := w.stateOf(l)
	s.waiters[id] = &lockWaiter{at: at}
	spy := s.beforeLock
	w.mu.Unlock()

	if spy != nil {
		spy()
	}
	l.mu.Lock()

	w.mu.Lock()
	s = w.stateOf(l)
	delete(s.waiters, id)
	s.holder, s.lockedAt = id, at
	w.mu.Unlock()
}

func (w *watcher) unlock(l *lock) {
	w.mu.Lock()
	s := w.locks[l]
	if s == nil || s.holder == 0 {
		t, broken := w.test, w.broken
		w.mu.Unlock()
		if !broken {
			w.report(t, "the lock (mu) was unlocked while it was not locked, at "+site(callers())+
				": is Unlock called twice, say an Unlock and a deferred Unlock? (sync.Mutex crashes the program here)")
		}
		return
	}
	s.holder, s.lockedAt = 0, nil
	spy := s.afterUnlock
	w.tidy(l, s)
	l.mu.Unlock()
	w.mu.Unlock()

	if spy != nil {
		spy()
	}
}

// report fails t with msg, from any goroutine. Without a running test (a
// test that forgot guard, or a goroutine that outlived its test) it
// prints msg and exits, which is still better than a silent hang.
func (w *watcher) report(t *testing.T, msg string) {
	if t != nil {
		t.Error(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "exercises:", msg)
	os.Exit(1)
}

// watchdog looks at the waiting goroutines a hundred times a second, in
// real time, whatever virtual time a synctest bubble is in.
func (w *watcher) watchdog(stop <-chan struct{}) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			w.check(now)
		}
	}
}

func (w *watcher) check(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.test != nil && !w.start.IsZero() && now.Sub(w.start) > testPatience {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		fmt.Fprintf(os.Stderr, "exercises: %s has run for %v of real time: something is stuck "+
			"(a sync.Mutex of your own locked twice, or never unlocked?). The goroutines:\n%s\n",
			w.test.Name(), testPatience, buf)
		os.Exit(1)
	}
	if w.broken {
		// The test has failed and the locks were forced open, but a
		// goroutine that was already waiting may have got a lock since
		// and kept it (an Unlock missing on some path), with others
		// queued behind it: open it again, so that they all finish in
		// a few ticks rather than at testPatience.
		for l, s := range w.locks {
			if s.holder != 0 && len(s.waiters) > 0 {
				s.holder, s.lockedAt = 0, nil
				l.mu.Unlock()
			}
		}
		return
	}
	for _, s := range w.locks {
		for id, waiter := range s.waiters {
			if waiter.seen.IsZero() {
				waiter.seen = now
				continue
			}
			patience := lockPatience
			if w.stalls > 0 {
				// The code under test has already deadlocked once: no
				// need to wait as long to recognise it again.
				patience = lockPatience / 10
			}
			if now.Sub(waiter.seen) < patience {
				continue
			}
			w.stalls++
			msg := fmt.Sprintf("watchdog: a goroutine has waited %v for the lock (mu)%s: %s",
				patience, lockedAtText(s.lockedAt), diagnose(id, waiter.at, s.holder, s.lockedAt))
			// Force every lock open, so the stuck goroutines can move
			// on and the test can end; from now on Lock does not lock.
			w.broken = true
			for l2, s2 := range w.locks {
				if s2.holder != 0 {
					s2.holder, s2.lockedAt = 0, nil
					l2.mu.Unlock()
				}
			}
			w.report(w.test, msg)
			return
		}
	}
}

func lockedAtText(at []uintptr) string {
	if at == nil {
		return ""
	}
	return ", which was locked at " + site(at)
}

// diagnose says why goroutine waiter, asking for a lock at waitAt, is
// stuck on the lock that holder took at lockedAt.
func diagnose(waiter int64, waitAt []uintptr, holder int64, lockedAt []uintptr) string {
	const (
		twice    = "a goroutine that holds the lock asks for it again: is it locked twice, say by calling Len() or another method that locks while holding it?"
		unlocked = "the goroutine that locked it went on without unlocking it: is an Unlock missing on some return path?"
	)
	if holder == 0 {
		return "nobody seems to hold it: is Unlock called on a different lock than Lock?"
	}
	if holder == waiter {
		// The same goroutine: either it asks again from inside the
		// function that locked it (nested), or that function returned
		// without unlocking and this is a later call.
		if nested(waitAt, lockedAt) {
			return twice
		}
		return unlocked
	}
	frames, alive := goroutineFrames(holder)
	switch {
	case !alive:
		return unlocked
	case waitingForLock(frames):
		return twice
	}
	return unlocked
}

// nested reports whether the stack waitAt runs inside the call that
// locked at lockedAt: lockedAt's callers are waitAt's outer frames, and the
// function that locked is still running, at another line.
func nested(waitAt, lockedAt []uintptr) bool {
	if len(lockedAt) == 0 || len(waitAt) <= len(lockedAt) {
		return false
	}
	outer := waitAt[len(waitAt)-len(lockedAt):]
	for i := 1; i < len(lockedAt); i++ {
		if outer[i] != lockedAt[i] {
			return false
		}
	}
	return funcName(outer[0]) == funcName(lockedAt[0])
}

func funcName(pc uintptr) string {
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	return f.Function
}

// frame is one line pair of a goroutine dump.
type frame struct{ fn, file string }

const pkgPrefix = "reliability/05_rate_limit/exercises."

// goroutineFrames returns the current stack of goroutine id.
func goroutineFrames(id int64) ([]frame, bool) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	head := fmt.Sprintf("goroutine %d [", id)
	for _, block := range strings.Split(string(buf), "\n\n") {
		if !strings.HasPrefix(block, head) {
			continue
		}
		lines := strings.Split(block, "\n")[1:]
		var frames []frame
		for i := 0; i+1 < len(lines); i += 2 {
			frames = append(frames, frame{fn: lines[i], file: strings.TrimSpace(lines[i+1])})
		}
		return frames, true
	}
	return nil, false
}

// waitingForLock reports whether a stack is blocked in the watcher's lock.
func waitingForLock(frames []frame) bool {
	for _, f := range frames {
		if strings.Contains(f.fn, "(*watcher).lock(") {
			return true
		}
	}
	return false
}

// goid returns the current goroutine's id, from the header of its stack.
func goid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	fields := bytes.Fields(buf[:n])
	if len(fields) < 2 {
		return -1
	}
	id, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return -1
	}
	return id
}

// callers records the stack from the caller of lock.Lock or lock.Unlock.
func callers() []uintptr {
	pcs := make([]uintptr, 64)
	return pcs[:runtime.Callers(4, pcs)]
}

// site names the first frame of pcs in the exercise's own code.
func site(pcs []uintptr) string {
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, pkgPrefix) && !strings.HasSuffix(f.File, "_test.go") && !strings.HasSuffix(f.File, "/lock.go") {
			return fmt.Sprintf("%s:%d (%s)", baseName(f.File), f.Line, strings.TrimPrefix(f.Function, pkgPrefix))
		}
		if !more {
			return "an unknown place"
		}
	}
}

func baseName(path string) string { return path[strings.LastIndexAny(path, `/\`)+1:] }

// holdLock locks l for the test and returns a channel that is closed as
// soon as another goroutine asks for l, and the function that unlocks it.
func holdLock(l *lock) (asked <-chan struct{}, release func()) { return holdLockFor(l, 1) }

// holdLockFor is holdLock, with asked closed once n goroutines have asked
// for l.
func holdLockFor(l *lock, n int) (asked <-chan struct{}, release func()) {
	l.Lock()
	ch := make(chan struct{})
	var count atomic.Int64
	watch.mu.Lock()
	watch.stateOf(l).beforeLock = func() {
		if count.Add(1) == int64(n) {
			close(ch)
		}
	}
	watch.mu.Unlock()
	return ch, func() {
		watch.mu.Lock()
		if s := watch.locks[l]; s != nil {
			s.beforeLock = nil
		}
		watch.mu.Unlock()
		l.Unlock()
	}
}

// pauseAfterUnlock makes the next goroutine that unlocks l stop right
// after the unlock until resume is called. paused is closed when it
// stops. Call resume in every case (defer it): it also disarms the pause.
func pauseAfterUnlock(l *lock) (paused <-chan struct{}, resume func()) {
	p := make(chan struct{})
	r := make(chan struct{})
	var fired atomic.Bool
	var resumed sync.Once
	disarm := func() {
		watch.mu.Lock()
		if s := watch.locks[l]; s != nil {
			s.afterUnlock = nil
			watch.tidy(l, s)
		}
		watch.mu.Unlock()
	}
	watch.mu.Lock()
	watch.stateOf(l).afterUnlock = func() {
		if !fired.CompareAndSwap(false, true) {
			return
		}
		disarm()
		close(p)
		<-r
	}
	watch.mu.Unlock()
	return p, func() {
		resumed.Do(func() {
			disarm()
			close(r)
		})
	}
}
