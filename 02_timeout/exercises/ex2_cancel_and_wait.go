package exercises

import (
	"context"
	"time"
)

// CancelAndWait runs op with a deadline d from now and returns only once op
// has returned, so that nothing it started outlives the call.
//
// This is the wrapper from the workshop's seed notes. It gives up waiting at
// the deadline, but it leaks:
//
//	func WithTimeout(ctx context.Context, timeout time.Duration, operation func(context.Context) error) error {
//		ctx, cancel := context.WithTimeout(ctx, timeout)
//		defer cancel()
//		errChan := make(chan error, 1)
//		go func() {
//			errChan <- operation(ctx)
//		}()
//		select {
//		case err := <-errChan:
//			return err
//		case <-ctx.Done():
//			return ctx.Err()
//		}
//	}
//
// At the deadline it returns while operation is still running. Even an
// operation that honours its context needs a moment to notice and clean up
// (roll back a transaction, close a connection), and that work goes on after
// the caller has moved on: a goroutine outlives the call.
//
// Task: write the version that cancels the work and waits for it.
//   - op gets a context that ends d from now, or at ctx's deadline if that
//     is sooner;
//   - CancelAndWait returns only after op has returned;
//   - if op returns before its context ends, return op's error (nil on
//     success);
//   - if op returns an error after its context ended, return an error
//     matching the context's error (context.DeadlineExceeded, or
//     context.Canceled if the caller cancelled): that is why op stopped.
//
// Hint: you need no goroutine at all. The price, compared with exercise 1:
// if op ignores its context, CancelAndWait is as late as op is.
func CancelAndWait(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	return errNotImplemented
}
