package exercises

import "context"

// Exercise 1: wait for a slot, and blame the right one.
//
// Semaphore lets at most n operations run at once, the heart of every
// bulkhead. Implement NewSemaphore and Execute:
//
//   - NewSemaphore(n) makes room for n operations at once. An n below 1
//     means 1.
//   - Execute runs op(ctx) in a free slot and returns op's error
//     unchanged. The slot is freed when op returns, and also when op
//     panics (let the panic go on up).
//   - When every slot is taken, Execute waits for one, for as long as ctx
//     lives.
//   - If ctx ends first, Execute returns at once, without running op, an
//     error that matches both ctx.Err() and context.Cause(ctx) with
//     errors.Is, and does NOT match bulkhead.ErrBulkheadFull: the caller
//     gave up, the semaphore refused nothing.
//   - A ctx that has already ended runs nothing, even with a slot free.
//
// Hint: a buffered channel with room for n values is a semaphore: sending
// takes a slot, receiving frees one. Wait with a select on the send and on
// ctx.Done(), but look at ctx.Err() before: when both cases of a select
// are ready, Go picks one at random. fmt.Errorf with two %w verbs wraps two
// errors at once.
//
// Run: go test -run Ex1 ./04_bulkhead/exercises/
type Semaphore struct {
	// Add the fields you need.
}

// NewSemaphore returns a Semaphore with n slots (at least 1).
func NewSemaphore(n int) *Semaphore {
	return &Semaphore{}
}

// Execute runs op in a slot, waiting for one while ctx lives.
func (s *Semaphore) Execute(ctx context.Context, op func(context.Context) error) error {
	return errNotImplemented
}
