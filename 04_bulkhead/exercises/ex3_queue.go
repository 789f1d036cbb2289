package exercises

import (
	"context"

	"reliability/04_bulkhead/bulkhead"
)

// Exercise 3: a waiting line with a length limit.
//
// QueueBulkhead runs at most maxConcurrent operations at once and lets at
// most maxWaiting callers wait for a slot. A caller who finds every slot
// taken and the line full as well is refused at once. Bounding the line is
// what keeps a queue from hiding overload: past a few waiters, waiting
// only adds latency to calls that will time out anyway. (A worker-pool
// bulkhead, such as resilience4j's ThreadPoolBulkhead, bounds its queue
// the same way.) Implement NewQueueBulkhead, Execute and Waiting:
//
//   - NewQueueBulkhead(maxConcurrent, maxWaiting): a maxConcurrent below 1
//     means 1; a maxWaiting below 0 means 0 (nobody waits).
//   - Execute runs op(ctx) in a free slot and returns op's error
//     unchanged; the slot is freed when op returns or panics (let the
//     panic go on up).
//   - With every slot taken: if fewer than maxWaiting callers are waiting,
//     the caller waits in line for a slot while ctx lives; otherwise
//     Execute returns at once, without running op, an error that matches
//     bulkhead.ErrBulkheadFull.
//   - If ctx ends while the caller waits, it leaves the line and gets an
//     error that matches ctx.Err() and not bulkhead.ErrBulkheadFull. A ctx
//     that has already ended runs nothing and gets the same kind of error.
//   - Waiting reports how many callers are waiting in line.
//
// Hint: exercise 1's semaphore, plus a second channel for the places in
// the line. Take a place without waiting (a select with a default case)
// before you wait for a slot, and give it back as soon as you stop
// waiting, whether you got the slot or gave up.
//
// Run: go test -run Ex3 ./04_bulkhead/exercises/
type QueueBulkhead struct {
	// Add the fields you need.
}

// The refusal is bulkhead.ErrBulkheadFull, from the lesson's package,
// imported above for it: return it, or an error that wraps it.
var _ = bulkhead.ErrBulkheadFull

// NewQueueBulkhead returns a QueueBulkhead with maxConcurrent slots (at
// least 1) and room for maxWaiting callers in line (at least 0).
func NewQueueBulkhead(maxConcurrent, maxWaiting int) *QueueBulkhead {
	return &QueueBulkhead{}
}

// Execute runs op in a slot, waiting in line if there is room in it.
func (b *QueueBulkhead) Execute(ctx context.Context, op func(context.Context) error) error {
	return errNotImplemented
}

// Waiting reports how many callers are waiting in line.
func (b *QueueBulkhead) Waiting() int {
	return 0
}
