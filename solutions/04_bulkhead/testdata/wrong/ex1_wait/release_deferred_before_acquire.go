// Mistake: defers the release before the slot is taken, so a caller who gives up frees someone else's slot.
// Caught: "freed a slot it never took"
package exercises

import (
	"context"
	"fmt"
)

// Semaphore lets at most n operations run at once. It is safe for
// concurrent use.
type Semaphore struct {
	slots chan struct{} // one value per operation running
}

// NewSemaphore returns a Semaphore with n slots (at least 1). An
// unbuffered channel would admit nobody, so n below 1 means 1.
func NewSemaphore(n int) *Semaphore {
	return &Semaphore{slots: make(chan struct{}, max(n, 1))}
}

// Execute runs op in a slot, waiting for one while ctx lives. If ctx ends
// first, the error matches ctx.Err() and context.Cause(ctx), never
// bulkhead.ErrBulkheadFull.
func (s *Semaphore) Execute(ctx context.Context, op func(context.Context) error) error {
	// Checked first because select picks at random among ready cases: with
	// a slot free, an ended ctx would otherwise win only half the time.
	if ctx.Err() != nil {
		return semaphoreGaveUp(ctx)
	}
	defer func() { <-s.slots }()
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return semaphoreGaveUp(ctx)
	}
	return op(ctx)
}

// semaphoreGaveUp says that the caller left, keeping both the context's
// error and the caller's cause reachable with errors.Is.
func semaphoreGaveUp(ctx context.Context) error {
	err, cause := ctx.Err(), context.Cause(ctx)
	if cause == err {
		return fmt.Errorf("gave up waiting for a slot: %w", err)
	}
	return fmt.Errorf("gave up waiting for a slot: %w (%w)", err, cause)
}
