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

// Do runs op and waits for it at most d. op gets a context whose deadline is
// d from now, or the caller's deadline if that comes sooner: a callee is
// never given more time than its caller is willing to wait.
//
// If op returns before the deadline, Do returns op's error (nil on success).
//
// If the deadline passes first, Do returns at that moment with an error that
// matches both ErrTimeout and context.DeadlineExceeded. This holds whether
// the deadline was Do's own or an earlier one inherited from ctx. If op
// itself returns an error after its context has ended, Do reports the
// deadline (or cancellation) instead, since that is why op gave up.
//
// If ctx is cancelled first, Do returns at that moment with an error that
// matches context.Canceled (and the cancellation cause, if any) and not
// ErrTimeout: the caller gave up, nothing timed out. If ctx has already ended
// when Do is called, op is not started.
//
// If d <= 0 or op is nil, Do returns an error wrapping ErrInvalidTimeout and
// does not call op. A zero timeout is almost always a missing setting, and
// running op with a context that is dead on arrival would hide that.
//
// What Do can and cannot stop: Do always stops waiting at the deadline, and
// it always cancels op's context then. It cannot stop op. Go has no way to
// kill a goroutine; op stops only if it watches ctx.Done() (or passes ctx to
// something that does, such as an HTTP request or a database query). An op
// that ignores its context keeps running in its own goroutine after Do has
// returned, holding whatever it holds, and its eventual result is dropped.
// Do makes sure that goroutine can at least exit when op finally returns,
// but only a cooperative op is actually cancelled.
//
// Even a cooperative op outlives Do for a while: cancelling its context only
// asks it to stop, and it still has to notice and wind down (close a
// connection, roll back a transaction) before it returns. Do does not wait
// for that wind-down; that is the price of returning on time. A caller that
// must know nothing is left running should call op directly under
// context.WithTimeout instead (see DoStdlib), and accept that it returns only
// when op does.
//
// A panic in op happens on op's goroutine and crashes the program, like any
// unrecovered panic.
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

	// WithDeadline keeps the earlier of the two deadlines. Which one that is
	// is decided here, once: if the caller's deadline is not later than
	// ours, a deadline that fires is the caller's. It cannot be read from the
	// context afterwards, because a derived context inherits its parent's
	// error and cause, so a Do nested inside another Do would otherwise claim
	// the outer timeout as its own.
	deadline := time.Now().Add(d)
	parentDeadline, hasParentDeadline := ctx.Deadline()
	own := !hasParentDeadline || parentDeadline.After(deadline)
	opCtx, cancel := context.WithDeadline(ctx, deadline)
	// cancel tells op to stop as soon as we stop waiting, for whatever
	// reason, and releases the context's timer.
	defer cancel()

	// The buffer of one is what lets the goroutine below finish. Once Do has
	// returned nobody receives from done; with an unbuffered channel the
	// late send would block forever and every timeout would leak a
	// goroutine, even with an op that honours its context.
	done := make(chan error, 1)
	go func() { done <- op(opCtx) }()

	select {
	case err := <-done:
		if err != nil && opCtx.Err() != nil {
			return stopped(opCtx, d, own)
		}
		return err
	case <-opCtx.Done():
		return stopped(opCtx, d, own)
	}
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
