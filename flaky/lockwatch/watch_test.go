package lockwatch

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(Watch(m)) }

// recorder is a test that keeps its errors instead of failing, so that a
// test can check what the watcher reports.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range args {
		r.errs = append(r.errs, a.(string))
	}
}

func (r *recorder) reported() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

// within fails t if ch does not close within a second of real time; the
// events it waits for happen at once in correct code.
func within(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Fatalf("%s did not happen", what)
	}
}

// until yields until cond holds, and fails t if it does not within a
// second of real time. A goroutine blocked on a mutex is not durably
// blocked to synctest, so these tests run in real time.
func until(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen", what)
		}
	}
}

// waiters returns how many goroutines wait for l.
func waiters(l *Mutex) int {
	watching.mu.Lock()
	defer watching.mu.Unlock()
	if s := watching.locks[l]; s != nil {
		return len(s.waiters)
	}
	return 0
}

func TestWatchKnowsThePackage(t *testing.T) {
	if want := "reliability/flaky/lockwatch."; watching.pkg != want {
		t.Fatalf("the watched package is %q, want %q", watching.pkg, want)
	}
	for fn, want := range map[string]string{
		"reliability/05_rate_limit/exercises.(*Bucket).AllowN":   "reliability/05_rate_limit/exercises",
		"reliability/03_circuit_breaker/exercises.TestEx1.func1": "reliability/03_circuit_breaker/exercises",
		"main.main": "main",
	} {
		if got := packageOf(fn); got != want {
			t.Errorf("packageOf(%q) = %q, want %q", fn, got, want)
		}
	}
}

func TestHoldSeesTheAsker(t *testing.T) {
	Guard(t)
	var l Mutex
	asked, release := Hold(&l)
	if !HeldByMe(&l) {
		t.Fatal("Hold should leave the lock held by the test's goroutine")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Lock()
		defer l.Unlock()
	}()
	within(t, asked, "asked, after another goroutine called Lock,")
	select {
	case <-done:
		t.Fatal("the other goroutine got the lock while the test held it")
	default:
	}
	release()
	within(t, done, "the other goroutine's Lock, after release,")
}

func TestHoldForCountsAskers(t *testing.T) {
	Guard(t)
	var l Mutex
	asked, release := HoldFor(&l, 2)
	var wg sync.WaitGroup
	entered := 0 // guarded by l
	enter := func() {
		l.Lock()
		defer l.Unlock()
		entered++
	}
	wg.Go(enter)
	until(t, func() bool { return waiters(&l) == 1 }, "the first goroutine's Lock")
	select {
	case <-asked:
		t.Fatal("asked closed after one asker, want two")
	default:
	}
	wg.Go(enter)
	within(t, asked, "asked, after two goroutines called Lock,")
	release()
	wg.Wait()
	if entered != 2 {
		t.Fatalf("%d goroutines got the lock after release, want 2", entered)
	}
}

func TestPauseAfterUnlockLetsAnotherIn(t *testing.T) {
	Guard(t)
	var l Mutex
	paused, resume := PauseAfterUnlock(&l)
	defer resume()
	done := make(chan struct{})
	turns := 0 // guarded by l
	go func() {
		defer close(done)
		l.Lock()
		turns++
		l.Unlock()
	}()
	within(t, paused, "the pause after Unlock")
	l.Lock() // free while the other goroutine is paused
	if !HeldByMe(&l) {
		t.Fatal("HeldByMe is false right after Lock")
	}
	turns++
	l.Unlock()
	resume()
	within(t, done, "the paused goroutine's return, after resume,")
	if turns != 2 {
		t.Fatalf("%d turns with the lock, want 2", turns)
	}
	if HeldByMe(&l) {
		t.Fatal("HeldByMe is true after Unlock")
	}
}

func TestUnlockTooManyIsReported(t *testing.T) {
	r := &recorder{TB: t}
	Guard(r)
	var l Mutex
	n := 0
	l.Lock()
	n++
	l.Unlock()
	l.Unlock()
	if got := r.reported(); !strings.Contains(got, "is Unlock called twice") {
		t.Fatalf("a second Unlock (after %d turn) reported %q, want it to ask whether Unlock is called twice", n, got)
	}
}

// stall runs f on a goroutine, which must get stuck on a lock, lets the
// watchdog judge it as if lockPatience had passed, and returns what it
// reported. The watchdog forces the locks open, so f then finishes.
func stall(t *testing.T, f func()) string {
	t.Helper()
	r := &recorder{TB: t}
	Guard(r)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	w := watching
	until(t, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, s := range w.locks {
			if len(s.waiters) > 0 && s.holder != 0 {
				return true
			}
		}
		return false
	}, "a wait for a held lock")
	w.check(time.Now())
	w.check(time.Now().Add(lockPatience + time.Second))
	within(t, done, "the stuck goroutine's return, once the locks were forced open,")
	return r.reported()
}

type counter struct {
	mu Mutex
	n  int
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *counter) incAndGet() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.get() // locks again: stuck
}

func (c *counter) incForgetful() {
	c.mu.Lock()
	c.n++
}

func TestWatchdogNamesLockedTwice(t *testing.T) {
	var c counter
	got := stall(t, func() { c.incAndGet() })
	if !strings.Contains(got, "is it locked twice") {
		t.Fatalf("a method that locks again while holding the lock was reported as %q, want \"is it locked twice\"", got)
	}
}

func TestWatchdogNamesAMissingUnlock(t *testing.T) {
	var c counter
	got := stall(t, func() {
		c.incForgetful()
		c.incForgetful()
	})
	if !strings.Contains(got, "is an Unlock missing") {
		t.Fatalf("a method that returns without unlocking was reported as %q, want \"is an Unlock missing\"", got)
	}
}

func TestUnwatchedMutexIsAPlainMutex(t *testing.T) {
	if HeldByMe(&Mutex{}) {
		t.Fatal("HeldByMe on a fresh Mutex is true")
	}
	saved := watching
	watching = nil
	defer func() { watching = saved }()
	var l Mutex
	l.Lock()
	if l.mu.TryLock() {
		t.Fatal("an unwatched Lock did not lock the underlying sync.Mutex")
	}
	l.Unlock()
	if !l.mu.TryLock() {
		t.Fatal("an unwatched Unlock did not unlock the underlying sync.Mutex")
	}
}
