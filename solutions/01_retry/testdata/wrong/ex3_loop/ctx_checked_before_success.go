// Mistake: ctx is checked right after each attempt, before its result, so a success that finishes as ctx ends is reported as a failure.
// Caught: "a success is a success"
package exercises

import (
	"context"
	"fmt"
	"time"

	"reliability/01_retry/retry"
)

// Retry calls op up to attempts times, waiting delay in between, and stops
// early on success, on a permanent error, or when ctx ends.
func Retry(ctx context.Context, attempts int, delay time.Duration, op func(context.Context) error) error {
	attempts = max(attempts, 1)
	var last error
	for i := 1; i <= attempts; i++ {
		if err := ctx.Err(); err != nil {
			return stopped(err, i-1, last)
		}
		last = op(ctx)
		if err := ctx.Err(); err != nil {
			return stopped(err, i, last)
		}
		if last == nil || retry.IsPermanent(last) {
			return last // a permanent error goes back as it came, still marked
		}
		if i == attempts {
			break // no wait after the last attempt
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return stopped(ctx.Err(), i, last)
		}
	}
	return fmt.Errorf("giving up after %d attempts: %w", attempts, last)
}

// stopped is the error of a loop ended by its context after n attempts.
func stopped(ctxErr error, n int, last error) error {
	if last == nil {
		return fmt.Errorf("stopped before the first attempt: %w", ctxErr)
	}
	return fmt.Errorf("stopped after %d attempts: %w (last error: %w)", n, ctxErr, last)
}
