// Package lockwatch is a mutex that exercise tests can watch, and the
// harness that watches it.
//
// Exercises that guard their fields with a lock (lesson 03's breakers,
// lesson 05's buckets) declare it as a lockwatch.Mutex instead of a
// sync.Mutex. Use it exactly as you would use a sync.Mutex: the zero value
// is unlocked, and Lock, Unlock and defer Unlock work the same. Outside
// the exercise tests it is nothing more than a sync.Mutex; in your own
// code, use sync.Mutex.
//
// Why the tests need their own mutex: the mistakes those exercises are
// about (a field read without the lock, a check and an act in two separate
// critical sections, the lock held while a slow call runs) only show when
// another goroutine arrives at just the wrong moment, which a plain run
// almost never arranges. Through a Mutex the tests arrange it every time,
// with or without -race:
//
//   - Hold: the test holds the lock itself and sees whether the code under
//     test asks for it before it reads or writes the fields;
//   - PauseAfterUnlock: a goroutine stops just after it releases the lock,
//     so that another goroutine can act between two critical sections;
//   - the watchdog: a goroutine that has waited seconds (real time) for a
//     lock fails the running test with the likely cause (locked twice,
//     held while fn runs, never unlocked), and the locks are forced open
//     so that the test ends instead of hanging until go test's timeout.
//
// A test package turns the watcher on in its TestMain with Watch, and
// every test that uses a Mutex calls Guard first, so that the watchdog
// knows which test to fail.
package lockwatch

import "sync"

// Mutex is a mutual exclusion lock that the exercise tests can watch.
// The zero value is unlocked. Unless a test binary has called Watch, it
// is exactly a sync.Mutex. A Mutex must not be copied after first use.
type Mutex struct {
	mu sync.Mutex
}

// Lock locks m; it waits until m is free.
func (m *Mutex) Lock() {
	if watching != nil {
		watching.lock(m)
		return
	}
	m.mu.Lock()
}

// Unlock unlocks m. Unlocking a Mutex that is not locked is a mistake:
// unwatched it crashes the program as sync.Mutex does; watched it fails
// the running test and says where.
func (m *Mutex) Unlock() {
	if watching != nil {
		watching.unlock(m)
		return
	}
	m.mu.Unlock()
}

// watching is the watcher, set by Watch before any test runs and never
// changed after, so reading it needs no lock. Outside tests it stays nil
// and a Mutex is a plain sync.Mutex.
var watching *watcher
