package bulkhead

import (
	"context"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Interface is what the hand-rolled Bulkhead and the library twin have in
// common. The package's behavioural tests and benchmarks run over it, and
// the demo swaps one for the other.
type Interface interface {
	Execute(ctx context.Context, op func(context.Context) error) error
	TryExecute(ctx context.Context, op func(context.Context) error) error
	InFlight() int
	Waiting() int
	Limit() int
	Stats() Stats
}

var (
	_ Interface = (*Bulkhead)(nil)
	_ Interface = (*Library)(nil)
)

// Library is the library twin: the same bulkhead built on
// golang.org/x/sync/semaphore.Weighted, with the same contract, errors and
// counters as Bulkhead. In production code, prefer the semaphore (or this
// thin wrapper) when you need more than a plain slot count: Weighted lets
// one call take several slots, for work of unequal size.
type Library struct {
	sem     *semaphore.Weighted
	limit   int
	maxWait time.Duration
	// Weighted does not say how much of it is taken or how many wait.
	inFlight atomic.Int64
	waiting  atomic.Int64
	counters
}

// NewLibrary returns a Library configured like New(maxConcurrent,
// maxWait), with the same configuration errors.
func NewLibrary(maxConcurrent int, maxWait time.Duration) (*Library, error) {
	if err := validate(maxConcurrent, maxWait); err != nil {
		return nil, err
	}
	return &Library{sem: semaphore.NewWeighted(int64(maxConcurrent)), limit: maxConcurrent, maxWait: maxWait}, nil
}

// Execute behaves as Bulkhead.Execute.
func (l *Library) Execute(ctx context.Context, op func(context.Context) error) error {
	return l.execute(ctx, l.maxWait, op)
}

// TryExecute behaves as Bulkhead.TryExecute.
func (l *Library) TryExecute(ctx context.Context, op func(context.Context) error) error {
	return l.execute(ctx, 0, op)
}

func (l *Library) execute(ctx context.Context, maxWait time.Duration, op func(context.Context) error) error {
	if op == nil {
		return errNilOp
	}
	if err := l.acquire(ctx, maxWait); err != nil {
		return err
	}
	l.inFlight.Add(1)
	defer func() {
		l.inFlight.Add(-1)
		l.sem.Release(1)
	}()
	return op(ctx)
}

// acquire tries TryAcquire first: when a slot is free it costs no context
// and no timer. Only a call that must wait builds the context that bounds
// the wait, so Acquire gives up at maxWait or when ctx ends. Acquire
// returns the same error in both cases, so ctx itself tells them apart.
func (l *Library) acquire(ctx context.Context, maxWait time.Duration) error {
	if ctx.Err() != nil {
		return l.leave(ctx)
	}
	if l.sem.TryAcquire(1) {
		l.admit()
		return nil
	}
	if maxWait == 0 {
		return l.reject()
	}

	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	waitCtx, cancel := context.WithTimeout(ctx, maxWait)
	defer cancel()
	if err := l.sem.Acquire(waitCtx, 1); err != nil {
		if ctx.Err() != nil {
			return l.leave(ctx)
		}
		return l.reject()
	}
	l.admit()
	return nil
}

// InFlight returns the number of slots taken right now.
func (l *Library) InFlight() int { return int(l.inFlight.Load()) }

// Waiting returns the number of calls waiting for a slot right now.
func (l *Library) Waiting() int { return int(l.waiting.Load()) }

// Limit returns maxConcurrent, the number of slots.
func (l *Library) Limit() int { return l.limit }

// Stats returns a snapshot of the counters, as Bulkhead.Stats.
func (l *Library) Stats() Stats { return l.stats(l.InFlight(), l.Waiting()) }
