package breaker

// How OnStateChange is called outside the lock. This file is not part of
// the pattern; it is the price of one promise (see Settings.OnStateChange
// and the lesson's README): callbacks run without b.mu held, one at a
// time, in the order the changes happened.
//
// The breaker queues each change under b.mu. The goroutine that finds the
// queue non-empty and nobody delivering becomes the deliverer: it unlocks
// and calls OnStateChange for every queued change, oldest first, until the
// queue is empty, taking b.mu only to pop the next one. Any other goroutine
// just queues and goes on. A change caused from inside a callback (a State
// that turns the breaker half-open) is queued behind the running callback,
// never delivered inside it.
//
// Execute delivers at two points: in lockCurrent, before the call is
// admitted, so that the deliverer holds no half-open trial slot while a
// callback runs and a callback that panics leaves nothing counted; and in
// afterCall, once the result is recorded.

// transition is one change of state waiting for OnStateChange.
type transition struct{ from, to State }

// notifier is the queue of undelivered changes. It is embedded in Breaker
// and guarded by Breaker.mu.
type notifier struct {
	pending    []transition
	delivering bool
}

// queue adds a change. Called with b.mu held.
func (n *notifier) queue(from, to State) {
	n.pending = append(n.pending, transition{from, to})
}

// claimDelivery reports whether the caller must call deliver after
// unlocking, and if so marks delivery as taken. Called with b.mu held.
func (n *notifier) claimDelivery() bool {
	if n.delivering || len(n.pending) == 0 {
		return false
	}
	n.delivering = true
	return true
}

// lockCurrent locks b.mu, brings the breaker up to date with the clock and
// returns its state and generation, with b.mu held. If looking at the
// clock changed the state (the Timeout had passed, say), the change is
// reported first, without the lock, and the breaker is looked at again.
func (b *Breaker) lockCurrent() (State, uint64) {
	b.mu.Lock()
	for {
		state, generation := b.currentState(&clock{})
		if !b.claimDelivery() {
			return state, generation
		}
		b.mu.Unlock()
		b.deliver()
		b.mu.Lock()
	}
}

// unlockAndNotify unlocks b.mu and then reports the queued changes, unless
// another goroutine is already reporting them.
func (b *Breaker) unlockAndNotify() {
	deliver := b.claimDelivery()
	b.mu.Unlock()
	if deliver {
		b.deliver()
	}
}

// deliver calls OnStateChange for every queued change, oldest first,
// without holding b.mu while a callback runs. Only the goroutine that won
// claimDelivery calls it.
func (b *Breaker) deliver() {
	done := false
	defer func() {
		if !done {
			// A callback panicked. Give up the delivery role so that the
			// next look at the breaker delivers the rest.
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

		b.settings.OnStateChange(b.settings.Name, t.from, t.to)
	}
}
