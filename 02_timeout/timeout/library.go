package timeout

import (
	"context"
	"fmt"
	"time"
)

// DoStdlib is the library twin of Do: the same job with
// context.WithTimeoutCause doing the bookkeeping Do spells out by hand. It
// keeps Do's contract, with one difference:
//
//   - A deadline inherited from ctx that fires first is reported the way the
//     caller set it up: the error matches context.DeadlineExceeded and the
//     caller's cause, if it gave one, but not ErrTimeout (unless that cause
//     does), because WithTimeoutCause tags only the deadline it creates.
//
// Everything else is as in Do: op's result wins if it is ready when the
// deadline is seen, an error op returns after its context ended is reported
// as the deadline or the cancellation, a cancelled ctx gives
// context.Canceled and its cause, a panic in op is re-raised on the caller's
// goroutine, and d <= 0 or a nil op give ErrInvalidTimeout without calling
// op. Like Do, it stops waiting; it cannot stop op.
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

	done := start(ctx, op)
	select {
	case o := <-done:
		return o.stdlibResult(ctx, cause)
	case <-ctx.Done():
		select { // a result that is ready wins; see Do
		case o := <-done:
			return o.stdlibResult(ctx, cause)
		default:
			return stdlibStopped(ctx, cause)
		}
	}
}

// stdlibResult is outcome.result for DoStdlib.
func (o outcome) stdlibResult(ctx context.Context, own error) error {
	if o.panicked {
		panic(o.value)
	}
	if o.err != nil && ctx.Err() != nil {
		return stdlibStopped(ctx, own)
	}
	return o.err
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
