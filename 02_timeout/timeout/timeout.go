package timeout

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is matched (with errors.Is) by the error Do returns when a
// deadline passes before the operation finishes. The same error also matches
// context.DeadlineExceeded, so code that only knows about contexts still
// recognises it.
var ErrTimeout = errors.New("timeout: gave up waiting")

// ErrInvalidTimeout is wrapped by the error Do returns when it is called with
// a configuration that cannot work: a timeout that is not positive, or a nil
// operation. Do returns it without calling the operation.
var ErrInvalidTimeout = errors.New("timeout: invalid configuration")

// Do runs op on a goroutine of its own and waits for it at most d. op gets
// a context whose deadline is d from now, or the caller's deadline if that
// comes sooner.
//
//   - op returns first: Do returns op's error (nil on success). If op's
//     result is ready when Do sees the deadline, the result wins: work that
//     finished is never reported as timed out.
//   - The deadline passes first: Do returns at that moment with an error
//     matching ErrTimeout and context.DeadlineExceeded, whether the deadline
//     was Do's own or the caller's (then with the caller's cause, if any).
//     An error op returns after its context ended is reported the same way,
//     since that is why op gave up.
//   - ctx is cancelled first: Do returns at that moment with an error
//     matching context.Canceled and the cancellation cause, not ErrTimeout.
//     If ctx has already ended, op is not started.
//   - op panics before Do returns: Do panics with the same value on the
//     caller's goroutine, where the caller's recover (net/http's, say) can
//     catch it. A panic after Do has returned is dropped with the rest of
//     op's late result, as http.TimeoutHandler does.
//   - d <= 0 or op == nil: an error wrapping ErrInvalidTimeout; op is not
//     called.
//
// When Do returns, op's context has ended, but op itself may still be
// running: Do stops waiting, it cannot stop op. An op that ignores its
// context runs on, and even one that honours it is still winding down. A
// caller that must know nothing is left running calls op directly under
// context.WithTimeout instead, and returns only when op does.
func Do(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	if d <= 0 {
		return fmt.Errorf("%w: timeout is %v, want a positive duration", ErrInvalidTimeout, d)
	}
	if op == nil {
		return fmt.Errorf("%w: op is nil", ErrInvalidTimeout)
	}
	if ctx.Err() != nil {
		// The caller has already given up; starting work nobody waits for
		// would be a leak of our own making.
		return stopped(ctx, d, false)
	}

	// Which deadline is the earlier one is decided here, once: a derived
	// context inherits its parent's error and cause, so afterwards a Do
	// nested inside another Do could not tell its own timeout from the
	// outer one.
	deadline := time.Now().Add(d)
	parentDeadline, hasParentDeadline := ctx.Deadline()
	own := !hasParentDeadline || parentDeadline.After(deadline)
	opCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel() // op is told to stop as soon as we stop waiting

	done := start(opCtx, op)
	select {
	case o := <-done:
		return o.result(opCtx, d, own)
	case <-opCtx.Done():
		// op may have finished at this very moment. A select picks at
		// random among ready cases, so look once more: a finished result
		// must not be reported as a timeout, or the caller redoes work
		// that already succeeded.
		select {
		case o := <-done:
			return o.result(opCtx, d, own)
		default:
			return stopped(opCtx, d, own)
		}
	}
}

// outcome is what op's goroutine hands back: op's error, or the value op
// panicked with.
type outcome struct {
	err      error
	panicked bool
	value    any
}

// start runs op(ctx) on a new goroutine and returns the channel its outcome
// arrives on. The channel has room for the one outcome, so the goroutine can
// always send it and exit, even after the caller has stopped listening;
// unbuffered, every timeout would leave the goroutine blocked on its send
// forever. A panic in op is recovered here and handed over, because a
// panic on this goroutine would be out of reach of the caller's recover and
// would crash the program.
func start(ctx context.Context, op func(context.Context) error) <-chan outcome {
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- outcome{panicked: true, value: v}
			}
		}()
		done <- outcome{err: op(ctx)}
	}()
	return done
}

// result re-panics a recovered panic on the caller's goroutine, and
// otherwise returns op's error, reporting the deadline or cancellation
// instead if op failed after its context ended.
func (o outcome) result(opCtx context.Context, d time.Duration, own bool) error {
	if o.panicked {
		panic(o.value)
	}
	if o.err != nil && opCtx.Err() != nil {
		return stopped(opCtx, d, own)
	}
	return o.err
}

// stopped builds the error for a call whose context ended before op
// finished, telling apart Do's own deadline (own reports whether Do's
// deadline was the earlier one), an inherited deadline and a cancellation.
func stopped(ctx context.Context, d time.Duration, own bool) error {
	err := ctx.Err()
	cause := context.Cause(ctx)
	switch {
	case own && errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w after %v: %w", ErrTimeout, d, context.DeadlineExceeded)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w at the caller's deadline, before the %v timeout: %w", ErrTimeout, d, withCause(err, cause))
	default:
		return fmt.Errorf("timeout: caller cancelled: %w", withCause(err, cause))
	}
}

// withCause joins a context's error with the cause its canceller gave, so
// that errors.Is matches both and the message shows the reason.
func withCause(err, cause error) error {
	if cause == nil || cause == err {
		return err
	}
	return fmt.Errorf("%w: %w", err, cause)
}
