package bulkhead

import (
	"context"
	"sync/atomic"
)

// Stats is a snapshot of a bulkhead's counters. Every call that reached
// Execute or TryExecute with a non-nil op is counted exactly once, in
// Admitted, Rejected or GaveUp, so the three add up to the calls made.
type Stats struct {
	// Admitted counts calls that got a slot and ran their op (whatever op
	// returned, and even if it panicked).
	Admitted uint64
	// Rejected counts calls refused with ErrBulkheadFull: the bulkhead was
	// full and stayed full for maxWait. This is the bulkhead shedding load.
	Rejected uint64
	// GaveUp counts calls whose caller's context ended before they got a
	// slot, including contexts that had ended before the call. This is the
	// caller leaving, not the bulkhead refusing.
	GaveUp uint64
	// InFlight is the number of slots taken right now.
	InFlight int
	// Waiting is the number of calls waiting for a slot right now.
	Waiting int
}

// counters are the Stats counters, shared by Bulkhead and Library. They
// are atomics rather than fields under a mutex so that counting adds no
// lock to the fast path.
type counters struct {
	admitted atomic.Uint64
	rejected atomic.Uint64
	gaveUp   atomic.Uint64
}

func (c *counters) admit() { c.admitted.Add(1) }

func (c *counters) reject() error {
	c.rejected.Add(1)
	return ErrBulkheadFull
}

func (c *counters) leave(ctx context.Context) error {
	c.gaveUp.Add(1)
	return callerGaveUp(ctx)
}

func (c *counters) stats(inFlight, waiting int) Stats {
	return Stats{
		Admitted: c.admitted.Load(),
		Rejected: c.rejected.Load(),
		GaveUp:   c.gaveUp.Load(),
		InFlight: inFlight,
		Waiting:  waiting,
	}
}
