package bulkhead

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Bulkhead limits how many operations run at once. Create one with New;
// the zero Bulkhead has no slots and refuses every call. A Bulkhead is safe
// for concurrent use by many goroutines.
type Bulkhead struct {
	limit   uint64
	maxWait time.Duration

	// state packs two counts into one word, so that one compare-and-swap
	// can look at both and change one: the low 32 bits count the slots
	// taken, the high 32 bits the callers queued for a slot. See slots.go.
	state atomic.Uint64

	mu    sync.Mutex // guards queue; taken only by callers that must wait
	queue []*waiter  // oldest first; len(queue) == queued(state) under mu

	counters
}

// New returns a Bulkhead that runs at most maxConcurrent operations at
// once and lets a call wait at most maxWait for a free slot. A maxWait of
// 0 means never wait: a call that finds the bulkhead full is refused at
// once. maxConcurrent outside 1 to math.MaxInt32, or a negative maxWait, is
// a configuration error (wrapping ErrInvalidConfig) and New returns a nil
// Bulkhead.
func New(maxConcurrent int, maxWait time.Duration) (*Bulkhead, error) {
	if err := validate(maxConcurrent, maxWait); err != nil {
		return nil, err
	}
	return &Bulkhead{limit: uint64(maxConcurrent), maxWait: maxWait}, nil
}

// Execute runs op(ctx) in a slot and returns op's error unchanged.
//
// If every slot is taken, Execute waits for one, at most maxWait, behind
// the callers that came earlier. If none comes free in that time, op is
// not run and the error matches ErrBulkheadFull. If ctx ends first (or had
// ended before the call, even with a slot free), op is not run and the
// error matches ctx.Err() and context.Cause(ctx), and does not match
// ErrBulkheadFull.
//
// The slot is given back when op returns or panics; a panic then
// continues up the caller's stack. A nil op is an error and is not
// counted.
func (b *Bulkhead) Execute(ctx context.Context, op func(context.Context) error) error {
	return b.execute(ctx, b.maxWait, op)
}

// TryExecute is Execute that never waits: if no slot is free right now, op
// is not run and the error matches ErrBulkheadFull, whatever maxWait is.
// Errors, panics and a nil op are handled as in Execute.
func (b *Bulkhead) TryExecute(ctx context.Context, op func(context.Context) error) error {
	return b.execute(ctx, 0, op)
}

func (b *Bulkhead) execute(ctx context.Context, maxWait time.Duration, op func(context.Context) error) error {
	if op == nil {
		return errNilOp
	}
	if err := b.acquire(ctx, maxWait); err != nil {
		return err
	}
	defer b.release() // also when op panics
	return op(ctx)
}

// acquire takes a slot, waiting at most maxWait. The fast path, a free
// slot and a live context, takes no lock, starts no timer and allocates
// nothing.
func (b *Bulkhead) acquire(ctx context.Context, maxWait time.Duration) error {
	// A caller that has already gone gets no slot, even a free one: its
	// op would work for nobody.
	if ctx.Err() != nil {
		return b.leave(ctx)
	}
	if b.tryTake() {
		b.admit()
		return nil
	}
	if maxWait == 0 {
		return b.reject()
	}
	return b.wait(ctx, maxWait)
}

// wait queues the caller until a slot is handed to it, ctx ends or maxWait
// passes, whichever comes first.
func (b *Bulkhead) wait(ctx context.Context, maxWait time.Duration) error {
	w := b.enqueue()
	if w == nil { // a slot came free while we were getting in line
		b.admit()
		return nil
	}
	timer := time.NewTimer(maxWait)
	defer timer.Stop()

	select {
	case <-w.ready:
	case <-ctx.Done():
	case <-timer.C:
	}
	// Whichever case select picked, the slot may have been handed over at
	// the same moment: leaving the queue tells us whether it was.
	gotSlot := !b.dequeue(w)
	switch {
	case ctx.Err() != nil:
		// The caller has left, so its slot, if it got one, goes to the
		// next in line instead of running op for nobody.
		if gotSlot {
			b.release()
		}
		return b.leave(ctx)
	case gotSlot:
		b.admit()
		return nil
	default:
		return b.reject()
	}
}

// InFlight returns the number of slots taken right now.
func (b *Bulkhead) InFlight() int { return int(taken(b.state.Load())) }

// Waiting returns the number of calls waiting for a slot right now.
func (b *Bulkhead) Waiting() int { return int(queued(b.state.Load())) }

// Limit returns maxConcurrent, the number of slots.
func (b *Bulkhead) Limit() int { return int(b.limit) }

// Stats returns a snapshot of the counters. The fields are read one by
// one, so while calls are running they need not add up exactly.
func (b *Bulkhead) Stats() Stats {
	s := b.state.Load()
	return b.stats(int(taken(s)), int(queued(s)))
}
