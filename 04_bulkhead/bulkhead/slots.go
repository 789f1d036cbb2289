package bulkhead

import "slices"

// How the slots are counted.
//
// The state word holds the slots taken (low 32 bits) and the callers
// queued for one (high 32 bits). Reading both and changing one in the same
// compare-and-swap is what keeps the fast path lock-free and still fair:
//
//   - A slot is taken without a lock only if one is free AND nobody is
//     queued, so a newcomer never overtakes a caller already waiting.
//   - Giving a slot back is one atomic add. If the result shows callers
//     queued, handOff then gives a free slot to the oldest of them, under
//     the lock that guards the queue.
//
// Two properties follow. Every way of taking a slot is a compare-and-swap
// that checks for a free one, so no more than limit are ever taken. And a
// caller queues only when every slot is taken or others are queued, while
// every slot given back with callers queued is followed by a handOff, so
// nobody stays queued while a slot is free.

// waiterUnit is one queued caller in the state word. Adding
// minusOneWaiter or minusOneSlot subtracts one (two's complement).
const (
	waiterUnit     = 1 << 32
	minusOneWaiter = ^uint64(waiterUnit - 1)
	minusOneSlot   = ^uint64(0)
)

func taken(state uint64) uint64  { return state & (waiterUnit - 1) }
func queued(state uint64) uint64 { return state >> 32 }

// waiter is a caller queued for a slot. ready is closed when a slot is
// handed to it.
type waiter struct{ ready chan struct{} }

// tryTake takes a slot if one is free and nobody is queued for one.
func (b *Bulkhead) tryTake() bool {
	for {
		s := b.state.Load()
		if queued(s) > 0 || taken(s) >= b.limit {
			return false
		}
		if b.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// release gives a slot back. If callers are queued, the slot is handed to
// the oldest of them instead: nobody can take it meanwhile, because the
// fast path takes no slot while anybody is queued.
func (b *Bulkhead) release() {
	if s := b.state.Add(minusOneSlot); queued(s) > 0 {
		if testHookBeforeHandOff != nil {
			testHookBeforeHandOff()
		}
		b.handOff()
	}
}

// testHookBeforeHandOff, when set by a test, runs between giving a slot
// back and handing it over, so the test can make other callers act in
// that gap. It is nil outside tests.
var testHookBeforeHandOff func()

// handOff gives a free slot to the oldest waiter. It runs after release,
// and a lot can happen before it gets the lock: the waiters release saw
// may have given up, and a newcomer may have taken the slot while nobody
// was queued and then been followed by new waiters. So it hands a slot
// over only if someone is in line and a slot is still free.
func (b *Bulkhead) handOff() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.queue) > 0 {
		// Slots can only be given back meanwhile, never taken: with
		// callers queued, every other way of taking one is shut.
		s := b.state.Load()
		if taken(s) >= b.limit {
			return
		}
		if b.state.CompareAndSwap(s, s+1+minusOneWaiter) { // one more taken, one fewer queued
			w := b.queue[0]
			b.queue[0] = nil // let the waiter be collected
			b.queue = b.queue[1:]
			close(w.ready)
			return
		}
	}
}

// enqueue puts the caller in line and returns its waiter, or returns nil if
// it took a slot that came free meanwhile.
func (b *Bulkhead) enqueue() *waiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		s := b.state.Load()
		if queued(s) == 0 && taken(s) < b.limit {
			if b.state.CompareAndSwap(s, s+1) {
				return nil
			}
			continue
		}
		// Counting the waiter in the state word under the lock makes any
		// release from now on take the lock too, so it finds the waiter
		// in the queue.
		if b.state.CompareAndSwap(s, s+waiterUnit) {
			break
		}
	}
	w := &waiter{ready: make(chan struct{})}
	b.queue = append(b.queue, w)
	return w
}

// dequeue takes w out of the line. It returns false if w is no longer in
// it, which means that a slot has been handed to w and w must use it or
// give it back.
func (b *Bulkhead) dequeue(w *waiter) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, q := range b.queue {
		if q == w {
			b.queue = slices.Delete(b.queue, i, i+1)
			b.state.Add(minusOneWaiter)
			return true
		}
	}
	return false
}
