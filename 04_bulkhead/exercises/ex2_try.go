package exercises

import (
	"context"

	"reliability/04_bulkhead/bulkhead"
)

// Exercise 2: refuse at once when full.
//
// TryBulkhead never queues: a call that finds every slot taken is refused
// on the spot, so an overloaded service sheds load instead of piling up
// waiting goroutines. Implement NewTryBulkhead, TryExecute and InFlight:
//
//   - NewTryBulkhead(n) makes room for n operations at once. An n below 1
//     means 1.
//   - TryExecute runs op(ctx) if a slot is free right now, and returns
//     op's error unchanged. The slot is freed when op returns or panics
//     (let the panic go on up).
//   - If no slot is free, TryExecute returns at once, without running op,
//     an error that matches bulkhead.ErrBulkheadFull with errors.Is. It
//     never waits.
//   - A ctx that has already ended runs nothing and gets an error that
//     matches ctx.Err() and not bulkhead.ErrBulkheadFull, whether a slot
//     is free or not: the caller has gone.
//   - InFlight reports how many operations are running.
//
// Hint: a select with a default case never blocks: it tries the send and
// takes the default when the channel is full. The number of values in a
// channel is len(ch).
//
// Run: go test -run Ex2 ./04_bulkhead/exercises/
type TryBulkhead struct {
	// Add the fields you need.
}

// The refusal is bulkhead.ErrBulkheadFull, from the lesson's package,
// imported above for it: return it, or an error that wraps it.
var _ = bulkhead.ErrBulkheadFull

// NewTryBulkhead returns a TryBulkhead with n slots (at least 1).
func NewTryBulkhead(n int) *TryBulkhead {
	return &TryBulkhead{}
}

// TryExecute runs op if a slot is free and refuses the call otherwise.
func (b *TryBulkhead) TryExecute(ctx context.Context, op func(context.Context) error) error {
	return errNotImplemented
}

// InFlight reports how many operations are running.
func (b *TryBulkhead) InFlight() int {
	return 0
}
