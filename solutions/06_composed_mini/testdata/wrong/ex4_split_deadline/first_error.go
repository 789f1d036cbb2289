// Mistake: keeps the first attempt's error instead of the last one.
// Caught: "Do should return an error wrapping the last one"
package exercises

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrTooLittleTime is matched by the error of Split's methods when the
	// time left cannot give the next attempt its MinAttempt.
	ErrTooLittleTime = errors.New("too little time left for an attempt")
	// ErrBadSplit is matched by the error of Split's methods for settings
	// out of range.
	ErrBadSplit = errors.New("bad split settings")
)

// Split shares one overall deadline, the one on the caller's context,
// among the attempts of a retry loop.
type Split struct {
	Attempts   int           // attempts in all, the first included (at least 1)
	PerAttempt time.Duration // the most any attempt may take (positive)
	MinAttempt time.Duration // no attempt starts with less than this (0 or more)
	Backoff    time.Duration // the wait between two attempts (0 or more)
}

// Exercise 4: split the deadline across the attempts.
//
// A caller allows 1s in all for 3 attempts. If the first attempt may take
// the whole second, a slow first attempt leaves nothing for the others and
// the retries never happen. Give each attempt its share instead.
//
// Timeout returns how long the next attempt may take, when attemptsLeft
// attempts (this one included) remain:
//
//   - the time left before ctx's deadline, minus the waits still to come
//     between those attempts ((attemptsLeft-1) × Backoff), shared equally
//     among them, and never more than PerAttempt;
//   - with no deadline on ctx, PerAttempt;
//   - if ctx has already ended, an error matching ctx.Err();
//   - if the share is below MinAttempt (or nothing at all), an error
//     matching both ErrTooLittleTime and context.DeadlineExceeded: an
//     attempt that cannot finish only adds load;
//   - for attemptsLeft < 1, PerAttempt <= 0, or a negative MinAttempt or
//     Backoff, an error matching ErrBadSplit.
//
// Do calls op at most Attempts times, each attempt under a context whose
// timeout Timeout gives, waiting Backoff between attempts (never after the
// last). It returns nil as soon as op does. It stops with Timeout's error
// when Timeout refuses an attempt, with an error matching ctx.Err() when
// ctx ends during a wait, and with an error wrapping op's last error when
// every attempt has failed. Attempts < 1 is an ErrBadSplit error.
//
// Hint: 1s for 3 attempts with 50ms waits is 3 × 300ms + 2 × 50ms. Ask
// Timeout again before every attempt: an attempt that failed fast leaves
// more for the ones after it. Wait with a select on a timer and
// ctx.Done(), and cancel each attempt's context when it is done.
//
// Run: go test -run Ex4 ./06_composed_mini/exercises/
func (s Split) Timeout(ctx context.Context, attemptsLeft int) (time.Duration, error) {
	if attemptsLeft < 1 || s.PerAttempt <= 0 || s.MinAttempt < 0 || s.Backoff < 0 {
		return 0, fmt.Errorf("%w: %+v with %d attempts left", ErrBadSplit, s, attemptsLeft)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return s.PerAttempt, nil
	}
	// The waits still to come are spent whatever the attempts do, so
	// only what remains after them is shared.
	left := time.Until(deadline) - time.Duration(attemptsLeft-1)*s.Backoff
	share := left / time.Duration(attemptsLeft)
	if share <= 0 || share < s.MinAttempt {
		return 0, fmt.Errorf("%w: %v per attempt, want at least %v: %w",
			ErrTooLittleTime, max(share, 0), s.MinAttempt, context.DeadlineExceeded)
	}
	return min(s.PerAttempt, share), nil
}

// Do runs op with retries, each attempt under its share of the deadline.
func (s Split) Do(ctx context.Context, op func(context.Context) error) error {
	if s.Attempts < 1 {
		return fmt.Errorf("%w: Attempts is %d, want at least 1", ErrBadSplit, s.Attempts)
	}
	var last error
	for i := range s.Attempts {
		if i > 0 {
			t := time.NewTimer(s.Backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("split: stopped after %d attempts: %w (last error: %w)", i, ctx.Err(), last)
			}
		}
		d, err := s.Timeout(ctx, s.Attempts-i)
		if err != nil {
			return err
		}
		attemptCtx, cancel := context.WithTimeout(ctx, d)
		err = op(attemptCtx)
		cancel()
		if err == nil {
			return nil
		}
		if last == nil {
			last = err // the first failure is the interesting one
		}
	}
	return fmt.Errorf("split: all %d attempts failed: %w", s.Attempts, last)
}
