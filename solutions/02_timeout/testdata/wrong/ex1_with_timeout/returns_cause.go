// Mistake: returns context.Cause instead of ctx.Err, so a caller's cause hides Canceled.
// Caught: "that is context.Cause(ctx), the reason the canceller gave"
package exercises

import (
	"context"
	"time"
)

// Exercise 1: a timeout that returns on time.
//
// WithTimeout runs op and waits for it at most d:
//   - op gets a context derived from ctx that ends d from now, or at ctx's
//     deadline if that is sooner;
//   - if op returns first, return its error (nil on success), and if op's
//     result is ready by the time you see the deadline, return the result
//     too: work that finished must not be reported as timed out, or the
//     caller redoes it;
//   - if the deadline passes first, return right then with an error that
//     matches context.DeadlineExceeded, even if op ignores its context and
//     keeps running;
//   - if ctx is cancelled first, return right then with an error that
//     matches context.Canceled;
//   - once WithTimeout has returned, op's context has ended, whatever the
//     outcome, and nothing WithTimeout started is stuck forever.
//
// This is the pattern's core from the lesson's README. It returns on time
// at a price: an op that ignores its context keeps running after
// WithTimeout has returned. Exercise 2 makes the opposite trade.
//
// Hint: context.WithTimeout gives op its deadline; call its cancel func on
// every path (defer). Run op in a goroutine that sends its result on a
// channel, and select on that channel and the context's Done channel. Give
// the channel room for one value: after you stop listening, op's goroutine
// must still be able to send and exit. A select picks at random among
// ready cases, so when the Done case wins, look at the result channel once
// more (a select with a default case) before reporting the deadline.
//
// Run: go test -run Ex1 ./02_timeout/exercises/
func WithTimeout(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel() // tell op to stop once we stop waiting, on every path

	// Buffered: if we return at the deadline, op's late send still
	// succeeds and its goroutine exits instead of blocking forever.
	done := make(chan error, 1)
	go func() { done <- op(ctx) }()

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// op may have finished at this very moment: a result that is
		// ready wins over the deadline.
		select {
		case err := <-done:
			return err
		default:
		}
		// ctx.Err() is DeadlineExceeded for the deadline and Canceled
		// when the caller gave up.
		return context.Cause(ctx)
	}
}
