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
			return fmt.Errorf("stopped after %d attempts: %w", i-1, err)
		}
		last = op(ctx)
		if last == nil || retry.IsPermanent(last) {
			return last
		}
		if i == attempts {
			break
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("stopped after %d attempts: %w (last error: %w)", i, ctx.Err(), last)
		}
	}
	return fmt.Errorf("giving up after %d attempts: %w", attempts, last)
}
