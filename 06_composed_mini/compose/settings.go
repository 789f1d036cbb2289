package compose

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
)

// ErrInvalidSettings is wrapped by the error HandRolled and Failsafe return
// for Settings they cannot build.
var ErrInvalidSettings = errors.New("compose: invalid settings")

// Settings describes a whole chain in numbers that the hand-rolled layers
// and failsafe-go both understand, so one value builds both (HandRolled and
// Failsafe) and the two can be compared call for call. Zero fields leave
// their layer out, so any subset composes; the order is always
//
//	Deadline → Retry → AttemptTimeout → Breaker → service
type Settings struct {
	// Deadline bounds the whole call, retries and backoff included. Zero
	// means no deadline of the chain's own.
	Deadline time.Duration

	// Retry, if not nil, retries transient errors as the policy says.
	// Failsafe supports FullJitter, EqualJitter and NoJitter (its delay
	// function sees no state from one retry to the next, which
	// DecorrelatedJitter needs). Retry.OnRetry is called by HandRolled
	// only.
	Retry *retry.Policy

	// RetryIf narrows which errors are retried (see the RetryIf option).
	// It needs Retry: both builders reject a RetryIf without it.
	RetryIf func(error) bool

	// Budget, if not nil, is shared by every call of the hand-rolled chain
	// (see WithBudget). It needs Retry: both builders reject a Budget
	// without it. Failsafe rejects it in any case: failsafe-go's own
	// budget limits concurrent retries, a different rule.
	Budget RetryBudget

	// AttemptTimeout bounds each attempt. Zero means none.
	AttemptTimeout time.Duration

	// Breaker, if not nil, puts a circuit breaker in front of the service.
	Breaker *BreakerSettings
}

// BreakerSettings configures the breaker of a chain.
type BreakerSettings struct {
	// Name identifies the breaker in OnStateChange.
	Name string
	// Failures is how many failures in a row open the breaker (at least 1).
	Failures uint32
	// OpenFor is how long it stays open before trial calls (positive).
	OpenFor time.Duration
	// Trials is how many trial calls it lets through while half-open, and
	// how many successes in a row close it again (at least 1).
	Trials uint32
	// OnStateChange, if not nil, is told every change of state. It may run
	// on any goroutine that calls through the chain.
	OnStateChange func(name string, from, to breaker.State)
}

func (s Settings) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidSettings, fmt.Sprintf(format, args...))
	}
	switch {
	case s.Deadline < 0:
		return bad("Deadline is %v, want 0 (none) or more", s.Deadline)
	case s.AttemptTimeout < 0:
		return bad("AttemptTimeout is %v, want 0 (none) or more", s.AttemptTimeout)
	// Without Retry there is no retry layer to limit or narrow: building
	// the chain without it would silently drop what the caller asked for.
	case s.Budget != nil && s.Retry == nil:
		return bad("Budget is set but Retry is nil: a budget limits retries, so set Retry too")
	case s.RetryIf != nil && s.Retry == nil:
		return bad("RetryIf is set but Retry is nil: it narrows what Retry retries, so set Retry too")
	}
	if s.Retry != nil {
		if err := s.Retry.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidSettings, err)
		}
	}
	if b := s.Breaker; b != nil {
		switch {
		case b.Failures < 1:
			return bad("Breaker.Failures is %d, want at least 1", b.Failures)
		case b.OpenFor <= 0:
			return bad("Breaker.OpenFor is %v, want a positive duration", b.OpenFor)
		case b.Trials < 1:
			return bad("Breaker.Trials is %d, want at least 1", b.Trials)
		}
	}
	return nil
}

// HandRolled builds the chain from this package's layers and the lessons'
// hand-rolled packages. The breaker, if any, is lesson 03's breaker.New:
// it trips after Failures consecutive failures and excludes
// context.Canceled (a caller who gave up), so a timed-out attempt still
// counts as a failure. Each call of HandRolled creates a new breaker; the
// returned Layer shares it among every call it wraps.
//
// Invalid Settings give an error wrapping ErrInvalidSettings: a negative
// duration, an invalid Retry policy or Breaker, or a Budget or RetryIf
// without a Retry to apply to.
func (s Settings) HandRolled() (Layer, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	var layers []Layer
	if s.Deadline > 0 {
		layers = append(layers, Timeout(s.Deadline))
	}
	if s.Retry != nil {
		layers = append(layers, Retry(*s.Retry, RetryIf(s.RetryIf), WithBudget(s.Budget)))
	}
	if s.AttemptTimeout > 0 {
		layers = append(layers, Timeout(s.AttemptTimeout))
	}
	if b := s.Breaker; b != nil {
		failures := b.Failures
		layers = append(layers, Breaker(breaker.New(breaker.Settings{
			Name:          b.Name,
			MaxRequests:   b.Trials,
			Timeout:       b.OpenFor,
			ReadyToTrip:   func(c breaker.Counts) bool { return c.ConsecutiveFailures >= failures },
			IsExcluded:    func(err error) bool { return errors.Is(err, context.Canceled) },
			OnStateChange: b.OnStateChange,
		})))
	}
	return Stack(layers...), nil
}

// isTimeout reports whether err is an attempt's own timeout, as the
// hand-rolled layers report it.
func isTimeout(err error) bool { return errors.Is(err, timeout.ErrTimeout) }
