package exercises

import (
	"context"

	"reliability/05_rate_limit/ratelimit"
)

// Exercise 3: wait for tokens, but not past the context.
//
// WaitN blocks until lim lets n events happen, and then returns nil. Build
// it on lim's reservations (ReserveN, Reservation.DelayFrom and
// Reservation.CancelAt), not on lim.WaitN, and read the clock with
// time.Now. It must not waste a caller's time or the limiter's tokens:
//
//   - ctx already done: return ctx.Err() at once, taking nothing;
//   - n tokens can never be granted at once (the reservation is not OK,
//     because n is above the burst): return an error wrapping
//     ratelimit.ErrBurstExceeded at once;
//   - the tokens would arrive after ctx's deadline: give them back and
//     return an error wrapping ratelimit.ErrWouldExceedDeadline at once
//     (arriving exactly at the deadline is in time);
//   - ctx ends while waiting: give the tokens back and return ctx.Err()
//     at once, so that the next caller does not wait for tokens nobody
//     will use.
//
// Hint: take the time once, reserve, and compare now plus the delay with
// ctx.Deadline(). Wait with a time.Timer in a select that also watches
// ctx.Done(); time.Sleep cannot be interrupted. Give tokens back with
// r.CancelAt(time.Now()).
//
// Run: go test -run Ex3 ./05_rate_limit/exercises/
func WaitN(ctx context.Context, lim *ratelimit.Limiter, n int) error {
	return errNotImplemented
}
