// Package retry calls an operation again when it fails, waiting a little
// longer each time, with jitter, so that a brief failure does not become an
// error for the caller and a long one does not become an attack on the
// struggling dependency.
//
// Retrying is only safe when the operation is idempotent (doing it twice
// has the same effect as doing it once) and only useful when the failure is
// transient. Mark errors that retrying cannot fix with Permanent.
//
// Do is the hand-rolled loop this lesson studies; DoBackoff does the same
// job with github.com/cenkalti/backoff/v5 so the two can be compared.
package retry

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors of Do and DoBackoff. Match them with errors.Is.
var (
	// ErrNilOp is returned when op is nil: there is nothing to retry.
	ErrNilOp = errors.New("retry: op is nil")

	// ErrNoTimeLeft is wrapped by the error Do returns when ctx's deadline
	// is too close for another attempt. See Do for how to classify it.
	ErrNoTimeLeft = errors.New("retry: no time left for another attempt")
)

// Do calls op until it succeeds, returns a permanent error, runs out of
// attempts, or ctx ends, waiting between attempts as p says.
//
//   - Success: Do returns nil as soon as op does.
//   - Permanent failure: if op returns an error marked with Permanent, Do
//     returns that error at once, still marked, so an outer retry loop
//     stops too instead of multiplying attempts.
//   - Exhausted: after p.MaxAttempts failed attempts Do returns an error
//     that says how many attempts were made and wraps op's last error.
//   - Cancellation: Do does not start an attempt once ctx has ended, and a
//     wait between attempts ends the moment ctx does. The error matches
//     ctx.Err(), and the context's own cause too if it was given one
//     (context.WithCancelCause, context.WithTimeoutCause); it wraps op's
//     last error, if there was one.
//   - No time left: if ctx has a deadline and the next attempt would start
//     at or after it, Do returns at once instead of sleeping toward
//     certain failure. The error matches ErrNoTimeLeft, wraps op's last
//     error and is marked Permanent. It does not match
//     context.DeadlineExceeded: ctx.Err() is still nil. Classify it as
//     "out of time" for the caller (a timeout, an HTTP 504), but do not
//     retry it: no layer above has more time than ctx.
//   - Bad configuration: if p is invalid, Do returns an error wrapping
//     ErrInvalidPolicy; if op is nil, ErrNilOp. Either way op never runs.
//
// op receives ctx and should pass it on to whatever it calls. Do
// allocates nothing when op succeeds at once.
func Do(ctx context.Context, p Policy, op func(context.Context) error) error {
	if op == nil {
		return ErrNilOp
	}
	p, err := p.withDefaults()
	if err != nil {
		return err
	}
	var (
		lastErr error
		prev    time.Duration // the previous delay, for DecorrelatedJitter
	)
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return stopped(ctx, attempt-1, lastErr)
		}
		lastErr = op(ctx)
		if lastErr == nil || IsPermanent(lastErr) {
			return lastErr // a permanent error keeps its mark
		}
		if attempt >= p.MaxAttempts {
			return fmt.Errorf("retry: giving up after %d attempts: %w", attempt, lastErr)
		}
		if ctx.Err() != nil {
			// The caller gave up while op ran: announcing a wait through
			// OnRetry would be a lie.
			return stopped(ctx, attempt, lastErr)
		}

		delay := p.delay(attempt, prev, p.Rand)
		prev = delay

		// Sleeping until after the deadline only to fail then wastes the
		// caller's time: fail now, while the caller can still do
		// something useful with what is left.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= delay {
			return noTimeLeft(attempt, delay, lastErr)
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, lastErr, delay)
		}
		if !sleep(ctx, delay) {
			return stopped(ctx, attempt, lastErr)
		}
	}
}

// stopped builds the error for a retry loop ended by its context after
// the given number of attempts.
func stopped(ctx context.Context, attempts int, lastErr error) error {
	if lastErr == nil {
		return fmt.Errorf("retry: stopped before the first attempt: %w", ctxError(ctx))
	}
	return fmt.Errorf("retry: stopped after %d attempts: %w (last error: %w)", attempts, ctxError(ctx), lastErr)
}

// noTimeLeft builds the error for a retry loop that stops because its next
// attempt, delay from now, would start at or after ctx's deadline.
func noTimeLeft(attempts int, delay time.Duration, lastErr error) error {
	return Permanent(fmt.Errorf("retry: stopped after %d attempts, the next would start in %v, past the deadline: %w (last error: %w)",
		attempts, delay, ErrNoTimeLeft, lastErr))
}

// ctxError says why ctx ended. It matches ctx.Err() (context.Canceled or
// context.DeadlineExceeded), which is how most callers classify it, and
// the cause given to WithCancelCause or WithTimeoutCause, if any, which
// is the reason the caller actually recorded.
//
// A cause often wraps ctx.Err() itself, as in
// fmt.Errorf("budget: %w", context.DeadlineExceeded): it already matches
// both, so it is returned as it is. Returning ctx.Err() in that case
// would throw the caller's reason away.
func ctxError(ctx context.Context) error {
	err, cause := ctx.Err(), context.Cause(ctx)
	switch {
	case cause == nil || cause == err:
		return err
	case errors.Is(cause, err):
		return cause
	default:
		return fmt.Errorf("%w: %w", err, cause)
	}
}

// sleep waits for d or until ctx ends, and reports whether it waited the
// whole d. It uses a timer it stops on the way out, rather than
// time.After, so that an early return releases the timer at once.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: Do returns it at once. The
// returned error has the same message and wraps err, so errors.Is and
// errors.As still reach the cause. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or any error it wraps, was marked with
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
