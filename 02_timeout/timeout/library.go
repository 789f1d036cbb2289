package timeout

import (
	"context"
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
//     caller set it up: the error matches context.DeadlineExceeded and the
//     caller's cause, if it gave one, but not ErrTimeout (unless that cause
//     does), because WithTimeoutCause only attaches its cause to the
//     deadline it creates. Do tags both.
//   - Cancellation of ctx behaves as in Do: the error matches
//     context.Canceled and the cause given to the CancelCauseFunc, if any.
//   - d <= 0 and a nil op behave as in Do: an error wrapping
//     ErrInvalidTimeout, without calling op.
//
// DoStdlib, like Do, cannot stop an op that ignores its context, and does
// not wait for a cooperative op to wind down after its context ends.
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
		return withCause(err, context.Cause(ctx))
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
			return stdlibStopped(ctx, cause)
		}
		return err
	case <-ctx.Done():
		return stdlibStopped(ctx, cause)
	}
}

// stdlibStopped returns own, the cause this call attached, if its own
// deadline fired. Otherwise the context ended because the caller's did, and
// it returns the context's error joined with the caller's cause, so the
// result matches context.Canceled or context.DeadlineExceeded and whatever
// reason the caller gave. The check is by identity: a nested DoStdlib
// inherits its parent's cause, which also matches ErrTimeout but is not its
// own.
func stdlibStopped(ctx context.Context, own error) error {
	cause := context.Cause(ctx)
	if cause == own {
		return own
	}
	return withCause(ctx.Err(), cause)
}
