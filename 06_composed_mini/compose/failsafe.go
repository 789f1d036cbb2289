package compose

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
	fstimeout "github.com/failsafe-go/failsafe-go/timeout"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
)

// Failsafe builds the same chain as HandRolled with
// github.com/failsafe-go/failsafe-go: failsafe.With(deadline, retryPolicy,
// attemptTimeout, circuitBreaker), the same order and the same numbers.
//
// The settings map one to one: Deadline and AttemptTimeout to
// timeout.New; Retry.MaxAttempts to WithMaxAttempts; the delays to
// WithDelayFunc, which draws each delay from the policy itself
// (Policy.Delay with Policy.Rand), so a seeded policy replays the same
// waits as the hand-rolled chain; the classification to HandleIf, with
// failsafe-go's ErrOpen treated like breaker.ErrOpenState; Breaker.Failures
// to WithFailureThreshold, Trials to WithSuccessThreshold (which is also
// the number of trial calls failsafe-go admits) and OpenFor to WithDelay.
// Its errors are translated so that callers match one set of sentinels:
// a rejection by the open breaker matches breaker.ErrOpenState, and a
// timeout matches timeout.ErrTimeout and context.DeadlineExceeded, each
// still wrapping failsafe-go's own error.
//
// Where failsafe-go behaves differently, the twin keeps the library's
// behaviour, because that is what its users get:
//
//   - failsafe-go's Timeout runs the call on the caller's goroutine and
//     only cancels its context at the deadline, so an attempt that ignores
//     cancellation is not cut off: the caller waits until it returns. The
//     hand-rolled Timeout returns at the deadline.
//   - That cancellation is a plain cancel: the service sees
//     context.Canceled, not context.DeadlineExceeded, and its context has
//     no deadline to pass on. So the twin's breaker counts every error,
//     cancellations included, or timeouts would not trip it.
//   - The retry loop does not look at the deadline before waiting: it
//     sleeps into it and is cut off there, where retry.Do stops early.
//
// Failsafe returns an error wrapping ErrInvalidSettings for invalid
// Settings, for DecorrelatedJitter and for a Budget.
func (s Settings) Failsafe() (Layer, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	var policies []failsafe.Policy[any]
	if s.Deadline > 0 {
		policies = append(policies, fstimeout.New[any](s.Deadline))
	}
	if s.Retry != nil {
		rp, err := s.failsafeRetry()
		if err != nil {
			return nil, err
		}
		policies = append(policies, rp)
	}
	if s.AttemptTimeout > 0 {
		policies = append(policies, fstimeout.New[any](s.AttemptTimeout))
	}
	if b := s.Breaker; b != nil {
		cb := circuitbreaker.NewBuilder[any]().
			WithFailureThreshold(uint(b.Failures)).
			WithSuccessThreshold(uint(b.Trials)).
			WithDelay(b.OpenFor)
		if b.OnStateChange != nil {
			name, notify := b.Name, b.OnStateChange
			cb = cb.OnStateChanged(func(e circuitbreaker.StateChangedEvent) {
				notify(name, fromFailsafe(e.OldState), fromFailsafe(e.NewState))
			})
		}
		policies = append(policies, cb.Build())
	}
	if len(policies) == 0 {
		return func(next Call) Call { return next }, nil
	}
	executor := failsafe.With(policies...)
	return func(next Call) Call {
		return func(ctx context.Context) error {
			err := executor.WithContext(ctx).RunWithExecution(func(e failsafe.Execution[any]) error {
				return next(e.Context())
			})
			return fromFailsafeError(err)
		}
	}, nil
}

func (s Settings) failsafeRetry() (failsafe.Policy[any], error) {
	p := *s.Retry
	if p.Jitter == retry.DecorrelatedJitter {
		return nil, fmt.Errorf("%w: Failsafe cannot replay DecorrelatedJitter", ErrInvalidSettings)
	}
	if s.Budget != nil {
		return nil, fmt.Errorf("%w: Failsafe has no equivalent of Budget", ErrInvalidSettings)
	}
	attempts := p.MaxAttempts
	if attempts == 0 {
		attempts = retry.DefaultMaxAttempts
	}
	randN := p.Rand
	if randN == nil {
		randN = rand.Int64N // what retry.Do uses for a nil Rand
	}
	transient := s.RetryIf
	return retrypolicy.NewBuilder[any]().
		WithMaxAttempts(attempts).
		ReturnLastFailure().
		HandleIf(func(_ any, err error) bool {
			if errors.Is(err, circuitbreaker.ErrOpen) {
				return false
			}
			err = fromFailsafeError(err)
			return IsTransient(err) && (transient == nil || transient(err))
		}).
		WithDelayFunc(func(e failsafe.ExecutionAttempt[any]) time.Duration {
			return p.Delay(e.Attempts(), 0, randN)
		}).
		Build(), nil
}

// fromFailsafe converts failsafe-go's breaker state to lesson 03's.
func fromFailsafe(s circuitbreaker.State) breaker.State {
	switch s {
	case circuitbreaker.OpenState:
		return breaker.StateOpen
	case circuitbreaker.HalfOpenState:
		return breaker.StateHalfOpen
	default:
		return breaker.StateClosed
	}
}

// fromFailsafeError adds this workshop's sentinels to failsafe-go's, so a
// caller matches either chain's errors the same way.
func fromFailsafeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, circuitbreaker.ErrOpen) && !errors.Is(err, breaker.ErrOpenState):
		return fmt.Errorf("%w: %w", breaker.ErrOpenState, err)
	case errors.Is(err, fstimeout.ErrExceeded) && !isTimeout(err):
		return fmt.Errorf("%w: %w: %w", timeout.ErrTimeout, err, context.DeadlineExceeded)
	}
	return err
}
