package compose

import (
	"context"
	"errors"
	"fmt"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/adaptivethrottler"

	"reliability/01_retry/retry"
)

// FailsafeAdaptive builds the twin of AdaptiveThrottling with failsafe-go's
// adaptivethrottler, set up to follow the same rule as far as it can:
// a failure rate threshold of 1-1/K (so a request is refused with
// probability max(0, (executions - K*successes) / (executions + 1))), an
// execution threshold of MinRequests, the same Window (kept in 20 slices
// aligned on Unix time, as AdaptiveThrottle's are), and no cap on the
// rejection rate. It returns the layer and the throttler, whose
// RejectionRate and Record methods a test can drive.
//
// A refused call returns an error matching ErrThrottledLocally and
// adaptivethrottler.ErrExceeded, marked with retry.Permanent, like the
// hand-rolled layer's. Where the two still differ, the twin keeps the
// library's behaviour, because that is what its users get:
//
//   - failsafe-go counts an execution when its result is recorded, and
//     counts only the calls it let through. The book, and AdaptiveThrottle,
//     count every request when it is made, refused ones included. So
//     while the dependency accepts nothing, the book's rule refuses all
//     but one request in N+1 (N the requests in the window), while
//     failsafe-go's, counting only the few it let through, refuses less:
//     with ten executions in the window, one call in eleven goes out.
//   - Counting at the end, failsafe-go never refuses a fresh client's
//     first calls; the book's rule does, as long as they are unanswered
//     (MinRequests is there for that).
//   - failsafe-go slides its window only when it records a result, so
//     after a quiet spell its first decision still sees the old counts.
//   - Its draws come from math/rand/v2's global source, so its decisions
//     cannot be replayed: Rand and Now must be nil.
//   - By default it caps the rejection rate at 0.9; here the cap is 1.
//
// Invalid settings, or a Rand or Now (which the library cannot take),
// give an error wrapping ErrInvalidAdaptive.
func FailsafeAdaptive(s AdaptiveSettings) (Layer, adaptivethrottler.AdaptiveThrottler[any], error) {
	if _, err := NewAdaptiveThrottle(s); err != nil {
		return nil, nil, err
	}
	if s.Rand != nil || s.Now != nil {
		return nil, nil, fmt.Errorf("%w: failsafe-go's throttler uses its own random source and the wall clock: leave Rand and Now nil", ErrInvalidAdaptive)
	}
	accepted := s.Accepted
	if accepted == nil {
		accepted = func(err error) bool { return err == nil }
	}
	at := adaptivethrottler.NewBuilder[any]().
		WithFailureRateThreshold(1-1/s.K, uint(s.MinRequests), s.Window).
		WithMaxRejectionRate(1).
		HandleIf(func(_ any, err error) bool { return !accepted(err) }).
		Build()
	executor := failsafe.With[any](at)
	layer := func(next Call) Call {
		return func(ctx context.Context) error {
			err := executor.WithContext(ctx).Run(func() error { return next(ctx) })
			if errors.Is(err, adaptivethrottler.ErrExceeded) {
				return retry.Permanent(fmt.Errorf("%w: %w", ErrThrottledLocally, err))
			}
			return err
		}
	}
	return layer, at, nil
}
