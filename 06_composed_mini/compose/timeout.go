package compose

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reliability/02_timeout/timeout"
)

// Timeout returns a layer that gives each call through it at most d,
// with lesson 02's timeout.Do: the call's context gets a deadline d from
// now (or the caller's, if that comes sooner) and the layer returns at
// that deadline even if next ignores its context.
//
// Where it sits decides what it bounds. Inside a Retry layer it bounds
// each attempt; outside, the whole call, retries and backoff included.
// Use both: an attempt timeout so that one slow attempt cannot eat the
// whole budget, and an overall one that the retry loop cannot run past.
// The inner deadline never reaches past the outer one, because a context
// keeps the earlier of two deadlines.
//
// On timeout the error matches timeout.ErrTimeout and
// context.DeadlineExceeded. The Retry layer retries it while the caller's
// context is alive (a slow attempt is transient); once the outer deadline
// has passed, the retry loop stops. If d <= 0, every call returns an error
// wrapping timeout.ErrInvalidTimeout without calling next.
func Timeout(d time.Duration) Layer {
	return func(next Call) Call {
		return func(ctx context.Context) error {
			return timeout.Do(ctx, d, next)
		}
	}
}

// ContextTimeout returns a layer that gives each call through it a
// context with a deadline d from now (or the caller's, if sooner) and runs
// next on the caller's goroutine: the standard library idiom, and what
// failsafe-go's Timeout does. It starts no goroutine, so it costs a
// fraction of Timeout, but it returns only when next does: use it where
// next honours its context, as net/http and database/sql calls do, and
// Timeout where it might not.
//
// If the deadline has passed when next returns an error, the error also
// matches timeout.ErrTimeout, so a Retry layer outside treats it as the
// transient timeout it is; its message says whether it was this layer's
// d or the caller's earlier deadline, as Timeout's does. If d <= 0, every call returns an error
// wrapping timeout.ErrInvalidTimeout without calling next.
func ContextTimeout(d time.Duration) Layer {
	return func(next Call) Call {
		return func(ctx context.Context) error {
			if d <= 0 {
				return fmt.Errorf("%w: timeout is %v, want a positive duration", timeout.ErrInvalidTimeout, d)
			}
			// Whose deadline is the earlier is decided now: once the
			// context has ended, its error is the same either way.
			deadline := time.Now().Add(d)
			parent, hasParent := ctx.Deadline()
			own := !hasParent || parent.After(deadline)
			ctx, cancel := context.WithDeadline(ctx, deadline)
			defer cancel()
			err := next(ctx)
			if err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, timeout.ErrTimeout) {
				return err
			}
			if own {
				return fmt.Errorf("%w after %v: %w", timeout.ErrTimeout, d, err)
			}
			return fmt.Errorf("%w at the caller's deadline, before the %v timeout: %w", timeout.ErrTimeout, d, err)
		}
	}
}
