package lockwatch

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

// lockPatience is how long a goroutine may wait for a lock before the
// watchdog calls it stuck. Correct code waits microseconds.
const lockPatience = 3 * time.Second

// testPatience is the backstop for hangs the watcher cannot see (a
// sync.Mutex of the learner's own, say): after this long, in real time,
// the watchdog prints every goroutine and exits, rather than leave go test
// silent for its default ten minutes. A passing test takes milliseconds;
// a failing one may wait a few seconds for an event that never comes.
const testPatience = 30 * time.Second

// tick is how often the watchdog looks at the waiting goroutines, in real
// time, whatever virtual time a synctest bubble is in.
const tick = 10 * time.Millisecond

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
	// pkg is the import path of the test package and its code under test
	// plus ".", the prefix of its functions' names: the frames that are
	// the learner's code, to name where a mistake is. Set by Watch.
	pkg string

	mu     sync.Mutex
	locks  map[*Mutex]*lockState
	test   testing.TB // the running test, set by Guard
	start  time.Time  // when it started
	broken bool       // the watchdog forced the locks open in this test
	stalls int        // how many times the watchdog has fired so far
}

// Main is what Watch returns: a *testing.M that runs with the watcher on.
type Main struct {
	m *testing.M
	w *watcher
}

// Watch turns the watcher on for the test binary and returns m wrapped so
// that its Run starts the watchdog and stops it when every test is done.
// Call it from TestMain, in the package whose tests and code under test
// use Mutex, and hand the result to goleak.VerifyTestMain:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(lockwatch.Watch(m)) }
//
// Call it once per test binary, before any test runs.
func Watch(m *testing.M) Main {
	w := &watcher{locks: map[*Mutex]*lockState{}}
	if pc, _, _, ok := runtime.Caller(1); ok {
		w.pkg = packageOf(funcName(pc)) + "."
	}
	watching = w
	return Main{m: m, w: w}
}

// Run runs the tests with the watchdog running and returns their exit
// code, as testing.M's Run does.
func (m Main) Run() int {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.w.watchdog(stop)
	}()
	code := m.m.Run()
	close(stop)
	<-done
	return code
}

// packageOf returns the import path in a function's full name:
// "a/b/pkg.(*T).M.func1" gives "a/b/pkg".
func packageOf(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
		return fn[:slash+1+dot]
	}
	return fn
}

// Guard makes t the running test until it ends: the watchdog fails t when
// a goroutine is stuck on a Mutex. Every test that uses a Mutex calls it
// first. Guard needs Watch; without it, it fails t.
func Guard(t testing.TB) {
	t.Helper()
	w := watching
	if w == nil {
		t.Fatal("lockwatch.Guard without lockwatch.Watch: call Watch in TestMain")
	}
	w.mu.Lock()
	w.test, w.start, w.broken = t, time.Now(), false
	w.mu.Unlock()
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.test, w.broken = nil, false
		clear(w.locks)
	})
}

// stateOf returns l's state, creating it. Called with w.mu held.
func (w *watcher) stateOf(l *Mutex) *lockState {
	s := w.locks[l]
	if s == nil {
		s = &lockState{waiters: map[int64]*lockWaiter{}}
		w.locks[l] = s
	}
	return s
}

// tidy forgets a lock that is free, unwatched and awaited by nobody.
// Called with w.mu held.
func (w *watcher) tidy(l *Mutex, s *lockState) {
	if s.holder == 0 && len(s.waiters) == 0 && s.beforeLock == nil && s.afterUnlock == nil {
		delete(w.locks, l)
	}
}

func (w *watcher) lock(l *Mutex) {
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

func (w *watcher) unlock(l *Mutex) {
	w.mu.Lock()
	s := w.locks[l]
	if s == nil || s.holder == 0 {
		t, broken := w.test, w.broken
		w.mu.Unlock()
		if l.mu.TryLock() {
			// It really was not locked: one Unlock too many.
			l.mu.Unlock()
			if !broken {
				w.report(t, "the lock (mu) was unlocked while it was not locked, at "+w.site(callers())+
					": is Unlock called twice, say an Unlock and a deferred Unlock? (sync.Mutex crashes the program here)")
			}
			return
		}
		// Locked by a goroutine the watcher no longer knows about: its
		// test has ended, or the watchdog forced the lock. Release it.
		l.mu.Unlock()
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
// test that forgot Guard, or a goroutine that outlived its test) it
// prints msg and exits, which is still better than a silent hang.
func (w *watcher) report(t testing.TB, msg string) {
	if t != nil {
		t.Error(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "lockwatch:", msg)
	os.Exit(1)
}

// watchdog looks at the waiting goroutines every tick until stop closes.
func (w *watcher) watchdog(stop <-chan struct{}) {
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-ticker.C:
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
		fmt.Fprintf(os.Stderr, "lockwatch: %s has run for %v of real time: something is stuck "+
			"(a sync.Mutex of your own held while fn runs, locked twice, or never unlocked?). The goroutines:\n%s\n",
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
				patience, w.lockedAtText(s.lockedAt), w.diagnose(id, waiter.at, s.holder, s.lockedAt))
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

func (w *watcher) lockedAtText(at []uintptr) string {
	if at == nil {
		return ""
	}
	return ", which was locked at " + w.site(at)
}

// The likely causes of a goroutine stuck on a lock.
const (
	lockedTwice = "a goroutine that holds the lock asks for it again: is it locked twice, " +
		"say by a method that holds it calling another method that locks it (State(), Len())?"
	heldInFn = "the goroutine holding the lock is inside fn: is the mutex held while fn runs? " +
		"A slow dependency would then stall every caller"
	neverUnlocked = "the goroutine that locked it went on without unlocking it: " +
		"is an Unlock missing on some return path?"
)

// diagnose says why goroutine waiter, asking for a lock at waitAt, is
// stuck on the lock that holder took at lockedAt.
func (w *watcher) diagnose(waiter int64, waitAt []uintptr, holder int64, lockedAt []uintptr) string {
	if holder == 0 {
		return "nobody seems to hold it: is Unlock called on a different lock than Lock?"
	}
	if holder == waiter {
		// The same goroutine: either it asks again from inside the
		// function that locked it (nested), or that function returned
		// without unlocking and this is a later call.
		if nested(waitAt, lockedAt) {
			return lockedTwice
		}
		return neverUnlocked
	}
	frames, alive := goroutineFrames(holder)
	switch {
	case !alive:
		return neverUnlocked
	case w.insideFn(frames):
		return heldInFn
	case waitingForLock(frames):
		return lockedTwice
	}
	return neverUnlocked
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

// goroutineFrames returns the current stack of goroutine id.
func goroutineFrames(id int64) ([]frame, bool) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	head := fmt.Sprintf("goroutine %d [", id)
	for block := range strings.SplitSeq(string(buf), "\n\n") {
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

// insideFn reports whether a stack is in test code (an fn) called from
// the code under test: the innermost frame of the watched package is in
// a _test.go file, and an outer one is not.
func (w *watcher) insideFn(frames []frame) bool {
	inTest := false
	for _, f := range frames {
		if !strings.HasPrefix(f.fn, w.pkg) {
			continue
		}
		test := strings.Contains(f.file, "_test.go:")
		switch {
		case !inTest && test:
			inTest = true
		case !inTest:
			return false
		case !test:
			return true
		}
	}
	return false
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

// callers records the stack from the caller of Mutex.Lock or
// Mutex.Unlock.
func callers() []uintptr {
	pcs := make([]uintptr, 64)
	return pcs[:runtime.Callers(4, pcs)]
}

// site names the first frame of pcs in the watched package's own code
// (not its tests), as "file.go:line (Func)".
func (w *watcher) site(pcs []uintptr) string {
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, w.pkg) && !strings.HasSuffix(f.File, "_test.go") {
			return fmt.Sprintf("%s:%d (%s)", baseName(f.File), f.Line, strings.TrimPrefix(f.Function, w.pkg))
		}
		if !more {
			return "an unknown place"
		}
	}
}

func baseName(path string) string { return path[strings.LastIndexAny(path, `/\`)+1:] }

// HeldByMe reports whether the calling goroutine holds l. A test's fn
// uses it to see whether the code under test called fn with its lock
// held. It needs Watch; without it, it reports false.
func HeldByMe(l *Mutex) bool {
	w := watching
	if w == nil {
		return false
	}
	id := goid()
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.locks[l]
	return s != nil && s.holder == id
}

// Hold locks l for the test and returns a channel that is closed as soon
// as another goroutine asks for l, and the function that unlocks l. A
// method that returns, or runs fn, before asked is closed did its work
// without the lock. Call release exactly once. Hold needs Watch.
func Hold(l *Mutex) (asked <-chan struct{}, release func()) { return HoldFor(l, 1) }

// HoldFor is Hold, with asked closed once n goroutines have asked for l:
// the test can line up n callers behind the lock before it lets them in.
func HoldFor(l *Mutex, n int) (asked <-chan struct{}, release func()) {
	w := mustWatch()
	l.Lock()
	ch := make(chan struct{})
	var count atomic.Int64
	w.mu.Lock()
	w.stateOf(l).beforeLock = func() {
		if count.Add(1) == int64(n) {
			close(ch)
		}
	}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		if s := w.locks[l]; s != nil {
			s.beforeLock = nil
		}
		w.mu.Unlock()
		l.Unlock()
	}
}

// PauseAfterUnlock makes the next goroutine that unlocks l stop right
// after the unlock until resume is called; paused is closed when it stops.
// Between the two, the test can let another goroutine through the lock:
// code that checks in one critical section and acts in another is caught
// between them. Call resume in every case (defer it): it also disarms the
// pause if it never fired. PauseAfterUnlock needs Watch.
func PauseAfterUnlock(l *Mutex) (paused <-chan struct{}, resume func()) {
	w := mustWatch()
	p := make(chan struct{})
	r := make(chan struct{})
	var fired atomic.Bool
	var resumed sync.Once
	disarm := func() {
		w.mu.Lock()
		if s := w.locks[l]; s != nil {
			s.afterUnlock = nil
			w.tidy(l, s)
		}
		w.mu.Unlock()
	}
	w.mu.Lock()
	w.stateOf(l).afterUnlock = func() {
		if !fired.CompareAndSwap(false, true) {
			return
		}
		disarm()
		close(p)
		<-r
	}
	w.mu.Unlock()
	return p, func() {
		resumed.Do(func() {
			disarm()
			close(r)
		})
	}
}

// mustWatch returns the watcher; the helpers that steer a lock cannot
// work without it, and a test that forgot Watch should say so at once.
func mustWatch() *watcher {
	if watching == nil {
		panic("lockwatch: Hold and PauseAfterUnlock need lockwatch.Watch in TestMain")
	}
	return watching
}
