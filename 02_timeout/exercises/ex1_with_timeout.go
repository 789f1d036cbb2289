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
func WithTimeout(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	return errNotImplemented
}
