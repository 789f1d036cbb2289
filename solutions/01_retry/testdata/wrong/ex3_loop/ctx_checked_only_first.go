// Mistake: ctx is checked once, before the loop; between attempts only the wait's select watches it, and when the wait and ctx end together select may pick the wait.
// Caught: "check ctx before every attempt, not only before the first"
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
	if err := ctx.Err(); err != nil {
		return stopped(err, 0, nil)
	}
	for i := 1; i <= attempts; i++ {
		last = op(ctx)
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
