package sharedbreaker

import (
	"context"

	"github.com/sony/gobreaker/v2"

	"reliability/03_circuit_breaker/breaker"
)

// Library is the library twin: gobreaker v2's DistributedCircuitBreaker on
// a SharedDataStore. It is safe for concurrent use.
//
// Know its price before you pick it. Execute reads the shared state, takes
// a lock in the store (retrying every 500 ms for up to 5 s), runs the call
// while holding it, writes the state back and unlocks: calls through one
// breaker run one at a time across every replica, and a caller that cannot
// get the lock within 5 s gets the store's lock error instead of a call.
// It also reads the state before it has the lock, so a caller that waited
// writes back counts that miss the calls made while it waited.
type Library struct {
	dcb *gobreaker.DistributedCircuitBreaker[struct{}]
}

// NewLibrary returns gobreaker's distributed breaker on store, configured
// like Settings says (StoreRetry and the fallback do not apply: gobreaker
// has none). It takes the store's lock once, to create the shared state if
// there is none, and fails if it cannot.
func NewLibrary(store gobreaker.SharedDataStore, s Settings) (*Library, error) {
	dcb, err := gobreaker.NewDistributedCircuitBreaker[struct{}](store, s.library())
	if err != nil {
		return nil, err
	}
	return &Library{dcb: dcb}, nil
}

// Name returns Settings.Name.
func (l *Library) Name() string { return l.dcb.Name() }

// Execute runs fn through gobreaker's distributed breaker and returns fn's
// error unchanged, or breaker.ErrOpenState / breaker.ErrTooManyRequests if
// the breaker refused, or a store error (the lock could not be taken in 5
// s, the store is down). ctx is only checked before starting: gobreaker's
// store interface takes no context, so the store's own timeouts bound each
// store call.
func (l *Library) Execute(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := l.dcb.Execute(func() (struct{}, error) { return struct{}{}, fn() })
	return fromLibrary(err)
}

// State returns the shared state (it takes the lock to move it on).
func (l *Library) State(ctx context.Context) (breaker.State, error) {
	if err := ctx.Err(); err != nil {
		return breaker.StateClosed, err
	}
	st, err := l.dcb.State()
	return breaker.State(st), err
}

// fromLibrary maps gobreaker's sentinels to lesson 03's, by identity, as
// breaker.Library does.
func fromLibrary(err error) error {
	switch err {
	case gobreaker.ErrOpenState:
		return breaker.ErrOpenState
	case gobreaker.ErrTooManyRequests:
		return breaker.ErrTooManyRequests
	}
	return err
}
