// This file is a copy of 05_rate_limit/exercises/lock.go, so that this
// package builds (and vets) on its own. The exercise checks put these
// solutions into the lesson's package, next to the original.

package exercises

import "sync"

// lock is the mutex of exercises 2 and 5. Use it exactly as you would use a
// sync.Mutex: the zero value is unlocked, and Lock, Unlock and
// defer Unlock work the same. In your own code, use sync.Mutex.
//
// Why not sync.Mutex itself: the mistakes these exercises are about (a
// field read without the lock, a check and an act in two separate
// critical sections, so that two requests spend the same token) only show
// when another goroutine arrives at just the wrong moment, which a plain
// run almost never arranges. Through lock the tests arrange it every
// time: they hold the lock themselves to see whether your method waits
// for it, pause a goroutine just after it unlocks to let another one in,
// and turn a goroutine stuck on the lock into a failure that names the
// likely cause, within seconds.
type lock struct {
	mu sync.Mutex
}

// Lock locks l; it waits until l is free.
func (l *lock) Lock() {
	if lockWatcher != nil {
		lockWatcher.lock(l)
		return
	}
	l.mu.Lock()
}

// Unlock unlocks l.
func (l *lock) Unlock() {
	if lockWatcher != nil {
		lockWatcher.unlock(l)
		return
	}
	l.mu.Unlock()
}

// lockWatcher is set by the tests before any test runs (see
// lockwatch_test.go). Outside the tests it is nil and lock is a plain
// sync.Mutex.
var lockWatcher interface {
	lock(l *lock)
	unlock(l *lock)
}
