package exercises

import (
	"testing"

	"reliability/flaky/lockwatch"
)

// The buckets' mu is a lockwatch.Mutex, watched by the shared harness in
// package lockwatch (TestMain turns it on). These short names are the
// harness's functions as the tests of exercises 2 and 5 call them; see
// lockwatch's doc for what each one does.

// guard makes t the test that the watchdog fails when a goroutine is
// stuck on mu. Every test of exercises 2 and 5 calls it first.
func guard(t *testing.T) {
	t.Helper()
	lockwatch.Guard(t)
}

// holdLock holds l for the test; asked closes when another goroutine asks
// for it.
func holdLock(l *lockwatch.Mutex) (asked <-chan struct{}, release func()) {
	return lockwatch.Hold(l)
}

// holdLockFor is holdLock, with asked closed once n goroutines have asked.
func holdLockFor(l *lockwatch.Mutex, n int) (asked <-chan struct{}, release func()) {
	return lockwatch.HoldFor(l, n)
}

// pauseAfterUnlock stops the next goroutine that unlocks l right after
// the unlock, until resume is called.
func pauseAfterUnlock(l *lockwatch.Mutex) (paused <-chan struct{}, resume func()) {
	return lockwatch.PauseAfterUnlock(l)
}
