package timeout

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrBudgetExhausted is matched by the error a Budget returns when the
// overall deadline leaves no room for another attempt: either too little
// time is left to start one, or the overall deadline cut the attempt short.
// The error also matches context.DeadlineExceeded. A retry loop should treat
// it as final: waiting and trying again cannot help, the time left only
// shrinks.
var ErrBudgetExhausted = errors.New("timeout: overall budget exhausted")

// Budget splits one overall deadline across the attempts of a retry loop:
// each attempt gets min(per-attempt timeout, time left before the overall
// deadline), and none starts with less than a minimum left. The overall
// deadline is the one on the context each method gets. A Budget holds no
// state and is safe for concurrent use. Its zero value is not usable: its
// methods report ErrInvalidTimeout. Use NewBudget.
type Budget struct {
	perAttempt time.Duration
	minAttempt time.Duration
}

// NewBudget returns a Budget that gives each attempt at most perAttempt and
// starts no attempt with less than minAttempt left before the overall
// deadline. perAttempt must be positive and minAttempt must be in
// [0, perAttempt]; otherwise NewBudget returns an error wrapping
// ErrInvalidTimeout.
func NewBudget(perAttempt, minAttempt time.Duration) (Budget, error) {
	b := Budget{perAttempt: perAttempt, minAttempt: minAttempt}
	if err := b.validate(); err != nil {
		return Budget{}, err
	}
	return b, nil
}

func (b Budget) validate() error {
	switch {
	case b.perAttempt <= 0:
		return fmt.Errorf("%w: per-attempt timeout is %v, want a positive duration", ErrInvalidTimeout, b.perAttempt)
	case b.minAttempt < 0 || b.minAttempt > b.perAttempt:
		return fmt.Errorf("%w: minimum attempt time is %v, want between 0 and the per-attempt timeout %v",
			ErrInvalidTimeout, b.minAttempt, b.perAttempt)
	}
	return nil
}

// Next returns the timeout an attempt started now under ctx would get:
// the per-attempt timeout, or the time left before ctx's deadline if that is
// shorter. If ctx has no deadline there is no overall budget, and every
// attempt gets the per-attempt timeout.
//
// If less than the minimum attempt time is left (or nothing at all), Next
// returns an error matching ErrBudgetExhausted and context.DeadlineExceeded.
// If ctx has been cancelled, it returns an error matching context.Canceled
// (and the cancellation cause, if any), not ErrBudgetExhausted. A zero
// Budget returns an error wrapping ErrInvalidTimeout.
func (b Budget) Next(ctx context.Context) (time.Duration, error) {
	if err := b.validate(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return 0, withCause(err, context.Cause(ctx))
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return b.perAttempt, nil
	}
	left := time.Until(deadline)
	if left <= 0 || left < b.minAttempt {
		return 0, fmt.Errorf("%w: %v left, an attempt needs at least %v: %w",
			ErrBudgetExhausted, max(left, 0), b.minAttempt, context.DeadlineExceeded)
	}
	return min(b.perAttempt, left), nil
}

// Do runs op as one attempt within the budget. If Next reports that the
// budget is exhausted (or ctx cancelled), Do returns that error without
// calling op. Otherwise it runs op with the package's Do and the per-attempt
// timeout; since an earlier deadline on ctx wins, the attempt ends at
// min(per-attempt timeout, overall deadline), as Next said.
//
// It returns what the package's Do returns (nil, op's own error, an error
// matching ErrTimeout, or one matching context.Canceled), with one
// addition: if the attempt failed and ctx's deadline, the overall one, has
// passed by then, the error also matches ErrBudgetExhausted. The attempt was
// the last one that fit, and a retry loop that stops on ErrBudgetExhausted
// must stop here too rather than wait out a backoff it has no time for.
func (b Budget) Do(ctx context.Context, op func(context.Context) error) error {
	if _, err := b.Next(ctx); err != nil {
		return err
	}
	err := Do(ctx, b.perAttempt, op)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: the overall deadline ended the attempt: %w", ErrBudgetExhausted, err)
	}
	return err
}

// Wrap returns op bound to the budget: each call of the returned function is
// one attempt run by b.Do. It has the shape a retry loop takes. The loop
// must treat ErrBudgetExhausted as final (with lesson 01's retry.Do, by
// returning retry.Permanent(err)): when Next refuses an attempt the
// context is still alive, and a loop that retries would only be refused
// again until the deadline.
func (b Budget) Wrap(op func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error { return b.Do(ctx, op) }
}

// WorstCase returns the longest a retry loop can keep its caller waiting
// when every attempt runs into its timeout: attempts × perAttempt plus every
// wait between attempts (backoffs, in order; values beyond attempts-1 are
// ignored). Negative durations count as zero. It returns 0 if attempts < 1,
// and the largest time.Duration if the sum does not fit in one. Three
// attempts of 2s with 100ms and 200ms of backoff: 6.3s.
func WorstCase(attempts int, perAttempt time.Duration, backoffs ...time.Duration) time.Duration {
	if attempts < 1 {
		return 0
	}
	perAttempt = max(perAttempt, 0)
	if perAttempt > 0 && int64(attempts) > math.MaxInt64/int64(perAttempt) {
		return math.MaxInt64
	}
	total := time.Duration(attempts) * perAttempt
	for i, wait := range backoffs {
		if i >= attempts-1 {
			break
		}
		wait = max(wait, 0)
		if wait > math.MaxInt64-total {
			return math.MaxInt64
		}
		total += wait
	}
	return total
}
