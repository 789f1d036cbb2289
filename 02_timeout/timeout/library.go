package timeout

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DoStdlib is the library twin of Do: the same contract assembled from the
// standard library's own pieces, with context.WithTimeoutCause doing the
// bookkeeping Do spells out by hand. Use it to see how little code the job
// needs, and where the standard pieces fall short of Do:
//
//   - If the deadline passes first, DoStdlib returns at that moment with an
//     error matching ErrTimeout and context.DeadlineExceeded, even if op
//     ignores its context, exactly like Do. If op returns an error after its
//     context ended, that deadline (or cancellation) is reported instead.
//   - A deadline inherited from ctx that fires first is reported the way the
//     caller set it up: it matches context.DeadlineExceeded (and the
//     caller's cause, if any) but not ErrTimeout, because WithTimeoutCause
//     only attaches its cause to the deadline it creates. Do tags both.
//   - Cancellation of ctx, d <= 0 and a nil op behave as in Do: an error
//     matching context.Canceled, or an error wrapping ErrInvalidTimeout
//     without calling op.
//
// DoStdlib, like Do, cannot stop an op that ignores its context.
//
// When op is known to honour its context, skip the goroutine altogether:
//
//	ctx, cancel := context.WithTimeout(ctx, d)
//	defer cancel()
//	return op(ctx)
//
// That is the standard idiom. It never leaves anything running behind, but
// it returns only when op does: a late op makes the caller late too.
func DoStdlib(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	if d <= 0 {
		return fmt.Errorf("%w: timeout is %v, want a positive duration", ErrInvalidTimeout, d)
	}
	if op == nil {
		return fmt.Errorf("%w: op is nil", ErrInvalidTimeout)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// The cause is what context.Cause returns when this timeout fires, so
	// it doubles as the error we hand back. It is built on every call,
	// which is part of what the benchmark measures.
	cause := fmt.Errorf("%w after %v: %w", ErrTimeout, d, context.DeadlineExceeded)
	ctx, cancel := context.WithTimeoutCause(ctx, d, cause)
	defer cancel()

	done := make(chan error, 1) // room for a late result; see Do
	go func() { done <- op(ctx) }()

	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil {
			return stdlibStopped(ctx)
		}
		return err
	case <-ctx.Done():
		return stdlibStopped(ctx)
	}
}

// stdlibStopped returns our timeout error if our own deadline fired, and
// otherwise the context's error, which matches context.Canceled or
// context.DeadlineExceeded even when the caller attached its own cause.
func stdlibStopped(ctx context.Context) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrTimeout) {
		return cause
	}
	return ctx.Err()
}
