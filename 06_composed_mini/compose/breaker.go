package compose

import (
	"context"
	"errors"

	"reliability/03_circuit_breaker/breaker"
)

// ErrNoBreaker is returned by every call through Breaker(nil).
var ErrNoBreaker = errors.New("compose: Breaker layer without a breaker")

// Breaker returns a layer that sends each call through cb, lesson 03's
// hand-rolled breaker or its gobreaker twin. cb sees every call that
// reaches it, so inside a Retry layer it counts every attempt, and an
// attempt ended by a Timeout layer outside it counts as a failure: the
// service returns its context's error (context.DeadlineExceeded) and cb's
// default classification calls any error a failure.
//
// Keep it that way when configuring cb: exclude context.Canceled (a caller
// who gave up says nothing about the dependency) but never
// context.DeadlineExceeded, or timeouts stop tripping the breaker.
//
// When cb is open, the call fails at once with breaker.ErrOpenState (or
// ErrTooManyRequests while half-open), which the Retry layer treats as
// final. A nil cb makes every call return ErrNoBreaker.
func Breaker(cb breaker.CircuitBreaker) Layer {
	if cb == nil {
		return func(Call) Call {
			return func(context.Context) error { return ErrNoBreaker }
		}
	}
	if b, ok := cb.(*breaker.Breaker); ok {
		// The same layer, for lesson 03's own breaker. Called through the
		// interface, Execute might keep fn, so the closure below escapes
		// to the heap on every call; called on the concrete type, the
		// compiler sees that fn does not outlive the call and keeps it
		// on the stack. One allocation less per call, on the success path.
		return func(next Call) Call {
			return func(ctx context.Context) error {
				return b.Execute(func() error { return next(ctx) })
			}
		}
	}
	return func(next Call) Call {
		return func(ctx context.Context) error {
			return cb.Execute(func() error { return next(ctx) })
		}
	}
}
