package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors WaitN returns before waiting at all. x/time/rate returns errors
// with the same meaning but no sentinel to match; these wrap one, so
// callers can use errors.Is.
var (
	// ErrBurstExceeded: the call asked for more tokens than the bucket can
	// ever hold, so no amount of waiting would do.
	ErrBurstExceeded = errors.New("ratelimit: more tokens than the burst")
	// ErrWouldExceedDeadline: the tokens would be earned only after the
	// context's deadline, so waiting for them would be wasted.
	ErrWouldExceedDeadline = errors.New("ratelimit: the wait would end after the context's deadline")
)

// Wait is WaitN(ctx, 1).
func (l *Limiter) Wait(ctx context.Context) error { return l.WaitN(ctx, 1) }

// WaitN blocks until n events may happen, and returns nil then. It returns
// at once, without taking tokens, with an error wrapping ErrBurstExceeded
// when n exceeds the burst (and the Limit is not Inf), with ctx.Err() when
// ctx is already done, and with an error wrapping ErrWouldExceedDeadline
// when the wait would end after ctx's deadline. If ctx ends while it
// waits, it gives the tokens back (Reservation.CancelAt) and returns
// ctx.Err(), so the next caller does not wait for tokens nobody used.
func (l *Limiter) WaitN(ctx context.Context, n int) error {
	// Read under the lock, checked outside it, as x/time/rate does: a
	// SetBurst racing with this call may go either way.
	l.mu.Lock()
	burst, limit := l.burst, l.limit
	l.mu.Unlock()
	if n > burst && limit != Inf {
		return fmt.Errorf("%w: Wait(n=%d) with burst %d", ErrBurstExceeded, n, burst)
	}

	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
	}

	now := time.Now()
	maxWait := InfDuration
	if deadline, ok := ctx.Deadline(); ok {
		maxWait = deadline.Sub(now)
	}
	ok, act, rate := l.take(now, n, maxWait)
	if !ok {
		return fmt.Errorf("%w: Wait(n=%d)", ErrWouldExceedDeadline, n)
	}
	r := Reservation{ok: true, lim: l, tokens: n, act: act, rate: rate}
	delay := r.DelayFrom(now)
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
		return ctx.Err()
	}
}
