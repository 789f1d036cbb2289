// Mistake: the free slot is checked with len(ch) == cap(ch) and taken by a plain send in a second step, so a caller overtaken in between waits on its send.
// Caught: "Checking len(ch) and then sending in a separate step lets another caller in between"
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
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("caller gave up: %w", err)
	}
	if len(b.slots) == cap(b.slots) { // full: never wait
		return bulkhead.ErrBulkheadFull
	}
	b.slots <- struct{}{}
	defer func() { <-b.slots }() // freed even if op panics
	return op(ctx)
}

// InFlight reports how many operations are running.
func (b *TryBulkhead) InFlight() int { return len(b.slots) }
