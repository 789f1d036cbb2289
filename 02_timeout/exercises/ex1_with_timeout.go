package exercises

import (
	"context"
	"time"
)

// WithTimeout runs op and waits for it at most d.
//
// Task:
//   - op gets a context that ends d from now, or at ctx's deadline if that
//     is sooner;
//   - if op returns first, return its error (nil on success);
//   - if the deadline passes first, return right then with an error that
//     matches context.DeadlineExceeded, even if op ignores its context and
//     keeps running;
//   - if ctx is cancelled first, return right then with an error that
//     matches context.Canceled.
//
// Hint: context.WithTimeout gives op its deadline. Run op in a goroutine
// that sends its result on a channel, and select on that channel and the
// context's Done channel. Give the channel room for one value: after you
// stop listening, op's goroutine must still be able to send and exit.
//
// What you build here is the wrapper from the workshop's seed notes, the one
// exercise 2 calls leaky, and it is leaky: it returns on time, but an op that
// ignores its context keeps running after WithTimeout has returned, and even
// an op that honours it is still winding down then. Returning on time
// without waiting for op is exactly what makes that unavoidable. Exercise 2
// builds the other trade: wait for op, and leave nothing behind.
func WithTimeout(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	return errNotImplemented
}
