// Mistake: checks ctx.Err() after taking the slot and returns before the release is deferred.
// Caught: "ran nothing but took a slot and kept it"
package exercises

import (
	"context"
	"fmt"

	"reliability/04_bulkhead/bulkhead"
)

// TryBulkhead runs at most n operations at once and never queues. It is
// safe for concurrent use.
type TryBulkhead struct {
	slots chan struct{} // one value per operation running
}

// NewTryBulkhead returns a TryBulkhead with n slots (at least 1).
func NewTryBulkhead(n int) *TryBulkhead {
	return &TryBulkhead{slots: make(chan struct{}, max(n, 1))}
}

// TryExecute runs op if a slot is free and refuses the call with
// bulkhead.ErrBulkheadFull otherwise. A caller whose ctx has ended gets
// ctx's error and nothing runs.
func (b *TryBulkhead) TryExecute(ctx context.Context, op func(context.Context) error) error {
	select {
	case b.slots <- struct{}{}:
	default: // full: never wait
		return bulkhead.ErrBulkheadFull
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("caller gave up: %w", err)
	}
	defer func() { <-b.slots }() // freed even if op panics
	return op(ctx)
}

// InFlight reports how many operations are running.
func (b *TryBulkhead) InFlight() int { return len(b.slots) }
