// Mistake: ctx.Err() is checked only when ctx has a deadline: a cancelled ctx without deadline gets an attempt.
// Caught: "is ctx.Err() looked at only when ctx has a deadline?"
package exercises

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBudgetSpent is matched by AttemptContext's error when too little time
// is left before the overall deadline to start another attempt.
var ErrBudgetSpent = errors.New("overall time budget spent")

// ErrBadBudget is matched by AttemptContext's error when perAttempt is not
// positive or minUseful is negative.
var ErrBadBudget = errors.New("bad budget configuration")

// Exercise 3: split one deadline across retry attempts.
//
// AttemptContext returns the context for the next attempt of a retry loop
// whose overall deadline is ctx's deadline. Three attempts of 2s each can
// take 6s plus backoff; a caller who allowed 5s in total must not wait that
// long, so each attempt gets only what is left:
//   - the attempt's context is derived from ctx, so cancelling ctx ends the
//     attempt too, and it ends after min(perAttempt, time left before ctx's
//     deadline); with no deadline on ctx, after perAttempt;
//   - if less than minUseful is left before ctx's deadline (or nothing at
//     all), start nothing: return a nil context, a nil CancelFunc and an
//     error that matches both ErrBudgetSpent and context.DeadlineExceeded;
//   - if ctx has been cancelled, start nothing either: return an error
//     that matches context.Canceled and not ErrBudgetSpent (the caller left,
//     time did not run out);
//   - if perAttempt <= 0 or minUseful < 0, return an error matching
//     ErrBadBudget;
//   - otherwise return the context, its CancelFunc and a nil error.
//
// Hint: context.WithTimeout(ctx, ...) already keeps the earlier of the two
// deadlines, so the real work is the check: ctx.Deadline() and time.Until
// tell you how much is left, ctx.Err() whether the caller is still there.
// fmt.Errorf with two %w verbs wraps two errors at once.
//
// Run: go test -run Ex3 ./02_timeout/exercises/
func AttemptContext(ctx context.Context, perAttempt, minUseful time.Duration) (context.Context, context.CancelFunc, error) {
	if perAttempt <= 0 || minUseful < 0 {
		return nil, nil, fmt.Errorf("%w: perAttempt %v must be positive and minUseful %v not negative",
			ErrBadBudget, perAttempt, minUseful)
	}
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline); left <= 0 || left < minUseful {
			return nil, nil, fmt.Errorf("%w: %v left, an attempt needs %v: %w",
				ErrBudgetSpent, max(left, 0), minUseful, context.DeadlineExceeded)
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
	}
	// Derived from ctx, so the caller's cancellation reaches the attempt;
	// WithTimeout keeps ctx's deadline if it comes first, so the attempt
	// gets min(perAttempt, time left).
	ctx, cancel := context.WithTimeout(ctx, perAttempt)
	return ctx, cancel, nil
}
