package breaker

// Why OnStateChange runs outside the lock.
//
// gobreaker calls OnStateChange while it holds its mutex. That makes the
// order of callbacks trivially right, but a callback that calls State or
// Counts deadlocks, and a slow callback (a log write to a full pipe, a
// metrics push) stalls every caller of the breaker, because none of them
// can take the mutex until the callback returns.
//
// Breaker instead queues each transition under the lock and calls
// OnStateChange after unlocking. Two rules keep the callbacks in the order
// the transitions happened, even when goroutines race:
//
//   - Only one goroutine delivers at a time (the one that finds the queue
//     non-empty and nobody delivering). Others just add to the queue and
//     leave; the deliverer keeps going, oldest transition first, until the
//     queue is empty.
//   - A transition caused by the callback itself (State inside the
//     callback can turn an open breaker half-open) is queued behind the
//     current one and delivered when the callback returns, not nested
//     inside it.
//
// Who waits for a slow callback: the deliverer, and only it. It runs every
// queued callback, including those for transitions other goroutines queued
// while it was busy, before it goes on. In Execute that happens at two
// points: before the call is admitted, if transitions are waiting
// (typically open -> half-open, found just now by looking at the clock),
// so the deliverer holds no trial slot meanwhile; and after fn's result
// is recorded, if that result tripped or closed the breaker. Every other
// caller goes on without waiting, but the transitions it causes are
// reported only when the deliverer reaches them.
//
// The price, compared with gobreaker:
//
//   - A callback cannot assume the breaker is still in the state it is
//     told about: another goroutine may have moved it on already.
//   - When goroutines race, a transition may be reported by another
//     goroutine, after the call that caused it has returned.
//   - Even from a single goroutine, two cases report late. If a callback
//     panics, the panic reaches the caller of Execute or State, and the
//     transitions still queued are delivered by the next Execute or State
//     (Counts and Name never deliver). And an Execute or State called
//     inside a callback returns before the transitions it caused are
//     reported, since they queue behind the running callback.
//
// Apart from those two cases, a program that calls the breaker from one
// goroutine has seen every callback run by the time Execute or State
// returns, as with gobreaker.

// transition is one change of state waiting for OnStateChange.
type transition struct{ from, to State }

// notifier is the queue of undelivered transitions. It is embedded in
// Breaker and guarded by Breaker.mu.
type notifier struct {
	pending    []transition
	delivering bool
}

// queue adds a transition. Called with b.mu held.
func (n *notifier) queue(from, to State) {
	n.pending = append(n.pending, transition{from, to})
}

// claimDelivery reports whether the caller must run deliver after
// unlocking, and if so marks delivery as taken. Called with b.mu held.
func (n *notifier) claimDelivery() bool {
	if n.delivering || len(n.pending) == 0 {
		return false
	}
	n.delivering = true
	return true
}

// deliver calls OnStateChange for every queued transition, oldest first,
// without holding b.mu while a callback runs. Only the goroutine that won
// claimDelivery calls it.
func (b *Breaker) deliver() {
	done := false
	defer func() {
		if !done {
			// A callback panicked. Give up the delivery role so the next
			// call that finds transitions queued delivers the rest.
			b.mu.Lock()
			b.delivering = false
			b.mu.Unlock()
		}
	}()
	for {
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.delivering = false
			b.mu.Unlock()
			done = true
			return
		}
		t := b.pending[0]
		// Shift rather than reslice, so the backing array is reused and a
		// breaker that flaps forever does not allocate forever.
		n := copy(b.pending, b.pending[1:])
		b.pending = b.pending[:n]
		b.mu.Unlock()

		b.onStateChange(b.name, t.from, t.to)
	}
}
