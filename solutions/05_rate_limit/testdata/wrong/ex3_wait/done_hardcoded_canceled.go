// Mistake: a wait ended by the context returns context.Canceled whatever ctx.Err() says.
// Caught: "return ctx.Err() rather than context.Canceled"
package exercises

import (
	"context"
	"fmt"
	"time"

	"reliability/05_rate_limit/ratelimit"
)

// WaitN blocks until lim lets n events happen, and then returns nil. It
// returns at once, taking nothing, when ctx is already done (ctx.Err()),
// when n can never be granted (ratelimit.ErrBurstExceeded) or when the
// tokens would arrive after ctx's deadline
// (ratelimit.ErrWouldExceedDeadline). If ctx ends while it waits, it gives
// the tokens back and returns ctx.Err().
func WaitN(ctx context.Context, lim *ratelimit.Limiter, n int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	r := lim.ReserveN(now, n)
	if !r.OK() {
		return fmt.Errorf("%w: %d tokens, burst %d", ratelimit.ErrBurstExceeded, n, lim.Burst())
	}
	delay := r.DelayFrom(now)
	if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) {
		// Waiting would be in vain: the tokens go back for someone else.
		r.CancelAt(now)
		return fmt.Errorf("%w: %d tokens in %v", ratelimit.ErrWouldExceedDeadline, n, delay)
	}
	if delay == 0 {
		return nil
	}

	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		r.CancelAt(time.Now())
		return context.Canceled
	}
}
