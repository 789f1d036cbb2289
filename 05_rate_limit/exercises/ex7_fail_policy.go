package exercises

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Policy is what a Guard does when the store cannot answer.
type Policy int

const (
	// FailOpen admits the request: the service stays up, unlimited.
	FailOpen Policy = iota + 1
	// FailClosed refuses the request.
	FailClosed
)

var (
	// ErrStoreDown is wrapped by a FailClosed refusal.
	ErrStoreDown = errors.New("rate limit store unavailable")
	// ErrNoPolicy is returned by a Guard whose Policy is neither
	// FailOpen nor FailClosed.
	ErrNoPolicy = errors.New("no policy chosen for when the store is down")
)

// Exercise 7: fail open or fail closed, and never wait long for the store.
//
// A Guard stands between a request and a shared rate limit's store. Allow
// asks the store, through Ask, whether the request may go ahead:
//
//   - Ask gets a context that ends Timeout after the call starts, and
//     also as soon as ctx ends: a store that hangs costs a request at
//     most Timeout, and a caller who gave up stops the store call too.
//     (Ask honours its context, as a go-redis call does.)
//   - Ask answered (err == nil): return its answer and nil.
//   - Ask failed or timed out, and ctx itself is still live: apply
//     Policy. FailOpen: return true, nil, add one to FailedOpen, and log
//     a warning on Log (slog's Warn) that says the request was admitted
//     without a limit. FailClosed: return false and an error that wraps
//     both ErrStoreDown and Ask's error.
//   - ctx ended (the caller gave up): return false and ctx's error. That
//     is not a store outage: no policy, no count.
//   - Policy is neither FailOpen nor FailClosed: return false and
//     ErrNoPolicy, without asking the store. There is no default: the
//     choice belongs to whoever runs the service.
//
// Timeout is above zero and Log is set. Allow may be called from many
// goroutines at once.
//
// Hint: context.WithTimeout(ctx, g.Timeout), and defer its cancel.
// After Ask fails, ctx.Err() tells a caller who gave up from a store
// that failed. fmt.Errorf with two %w wraps two errors. failedOpen is an
// atomic.Int64 if you make it one.
//
// Run: go test -run Ex7 ./05_rate_limit/exercises/
type Guard struct {
	Ask     func(ctx context.Context) (bool, error)
	Timeout time.Duration
	Policy  Policy
	Log     *slog.Logger

	// Add the fields you need.
}

// Allow decides one request. See Guard.
func (g *Guard) Allow(ctx context.Context) (bool, error) {
	return false, errNotImplemented
}

// FailedOpen returns how many requests were admitted because the store
// could not answer.
func (g *Guard) FailedOpen() int64 {
	return 0
}
