// Mistake: a free slot is checked with len(ch) < cap(ch) and taken by a plain send in a second step, so a caller overtaken in between waits for a slot outside the line.
// Caught: "it waited for a slot outside the line"
package exercises

import (
	"context"
	"fmt"

	"reliability/04_bulkhead/bulkhead"
)

// QueueBulkhead runs at most maxConcurrent operations at once and lets at
// most maxWaiting callers wait for a slot. It is safe for concurrent use.
type QueueBulkhead struct {
	slots chan struct{} // one value per operation running
	line  chan struct{} // one value per caller waiting for a slot
}

// NewQueueBulkhead returns a QueueBulkhead with maxConcurrent slots (at
// least 1) and room for maxWaiting callers in line (at least 0).
func NewQueueBulkhead(maxConcurrent, maxWaiting int) *QueueBulkhead {
	return &QueueBulkhead{
		slots: make(chan struct{}, max(maxConcurrent, 1)),
		// With no room at all the channel is unbuffered, and a send with a
		// default case then always takes the default: nobody waits.
		line: make(chan struct{}, max(maxWaiting, 0)),
	}
}

// Execute runs op in a slot, waiting in line if there is room in it, and
// refuses the call with bulkhead.ErrBulkheadFull otherwise.
func (b *QueueBulkhead) Execute(ctx context.Context, op func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("caller gave up: %w", err)
	}
	if len(b.slots) < cap(b.slots) {
		b.slots <- struct{}{}
	} else if err := b.waitInLine(ctx); err != nil {
		return err
	}
	defer func() { <-b.slots }() // freed even if op panics
	return op(ctx)
}

// waitInLine takes a place in the line, if there is one, and waits there
// for a slot. The place is given back however the wait ends.
func (b *QueueBulkhead) waitInLine(ctx context.Context) error {
	select {
	case b.line <- struct{}{}:
	default:
		return bulkhead.ErrBulkheadFull // every slot taken and the line full
	}
	defer func() { <-b.line }()
	select {
	case b.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("caller gave up waiting in line: %w", ctx.Err())
	}
}

// Waiting reports how many callers are waiting in line.
func (b *QueueBulkhead) Waiting() int { return len(b.line) }
