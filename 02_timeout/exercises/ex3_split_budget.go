package exercises

import (
	"context"
	"errors"
	"time"
)

// ErrBudgetSpent is matched by AttemptContext's error when too little time
// is left before the overall deadline to start another attempt.
var ErrBudgetSpent = errors.New("overall time budget spent")

// ErrBadBudget is matched by AttemptContext's error when perAttempt is not
// positive or minUseful is negative.
var ErrBadBudget = errors.New("bad budget configuration")

// AttemptContext returns the context for the next attempt of a retry loop
// whose overall deadline is ctx's deadline. Three attempts of 2s each can
// take 6s plus backoff; a caller who allowed 5s in total must not wait that
// long, so each attempt gets only what is left.
//
// Task:
//   - the attempt's context ends after min(perAttempt, time left before
//     ctx's deadline); with no deadline on ctx, after perAttempt;
//   - if less than minUseful is left before ctx's deadline, start nothing:
//     return a nil context, a nil CancelFunc and an error that matches both
//     ErrBudgetSpent and context.DeadlineExceeded;
//   - if perAttempt <= 0 or minUseful < 0, return an error matching
//     ErrBadBudget;
//   - otherwise return the context, its CancelFunc and a nil error.
//
// Hint: context.WithTimeout already keeps the earlier of the two deadlines,
// so the real work is the check: ctx.Deadline() and time.Until tell you how
// much is left. fmt.Errorf with two %w verbs wraps two errors at once.
func AttemptContext(ctx context.Context, perAttempt, minUseful time.Duration) (context.Context, context.CancelFunc, error) {
	return nil, nil, errNotImplemented
}
