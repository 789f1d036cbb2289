// Mistake: a Guard without a policy fails open: the choice is made in silence.
// Caught: "not a default picked in silence"
package exercises

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
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

// Guard stands between a request and a shared rate limit's store: every
// store call bounded by Timeout, and Policy when the store cannot answer.
type Guard struct {
	Ask     func(ctx context.Context) (bool, error)
	Timeout time.Duration
	Policy  Policy
	Log     *slog.Logger

	failedOpen atomic.Int64
}

// Allow decides one request. See Guard.
func (g *Guard) Allow(ctx context.Context) (bool, error) {
	// Derived from ctx: the store call ends when the caller gives up, and
	// at the latest Timeout from now.
	callCtx, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	ok, err := g.Ask(callCtx)
	if err == nil {
		return ok, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if g.Policy == FailOpen {
		g.failedOpen.Add(1)
		g.Log.Warn("rate limit store unavailable: request admitted without a limit", "err", err)
		return true, nil
	}
	return false, fmt.Errorf("%w: %w", ErrStoreDown, err)
}

// FailedOpen returns how many requests were admitted because the store
// could not answer.
func (g *Guard) FailedOpen() int64 {
	return g.failedOpen.Load()
}
