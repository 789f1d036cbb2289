// Mistake: a d of 0 or less runs op with no deadline.
// Caught: "CancelAndWait(ctx, 0s, op): a timeout of 0s has already passed"
package exercises

import (
	"context"
	"time"
)

// Exercise 2: cancel the work and wait for it.
//
// CancelAndWait runs op with a deadline d from now and returns only once op
// has returned, so that nothing op started outlives the call. Exercise 1
// returns at the deadline while op may still be running, or still cleaning
// up (rolling back a transaction, closing a connection) after being told
// to stop; here the caller waits for all of it:
//   - op gets a context derived from ctx that ends d from now, or at ctx's
//     deadline if that is sooner, and that has ended by the time
//     CancelAndWait returns;
//   - CancelAndWait returns only after op has returned;
//   - if op returns nil, return nil, even if its deadline has passed by
//     then: the work is done, and reporting a timeout would make the
//     caller redo it;
//   - if op returns an error before its context ends, return that error;
//   - if op returns an error after its context ended, return an error
//     matching the context's error, context.DeadlineExceeded or
//     context.Canceled: that is why op stopped, whatever op called it.
//
// Hint: you need no goroutine at all; call op directly. ctx.Err() says
// which way a context ended. context.Cause(ctx) is the reason a canceller
// gave (WithCancelCause, WithTimeoutCause), which need not match either.
// The price, compared with exercise 1: if op ignores its context,
// CancelAndWait is as late as op is.
//
// Run: go test -run Ex2 ./02_timeout/exercises/
func CancelAndWait(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	if d <= 0 {
		return op(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()

	// Calling op directly means we wait for all of it, including the
	// clean-up it does after its context ends.
	err := op(ctx)
	if err != nil && ctx.Err() != nil {
		// Whatever op called its failure, it stopped because its context
		// ended. ctx.Err(), not context.Cause(ctx): a cause the caller
		// gave would match neither DeadlineExceeded nor Canceled.
		return ctx.Err()
	}
	return err
}
