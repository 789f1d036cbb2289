package compose

import (
	"context"
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
