package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Policy is what a Guard does when the store cannot answer.
type Policy int

const (
	// FailOpen admits the request: the service stays up and the limit is
	// gone until the store is back. Every such request is counted
	// (GuardStats.FailedOpen) and the outage is logged. Choose it when the
	// limit protects against abuse and an outage of the store must not
	// become an outage of the service.
	FailOpen Policy = iota + 1
	// FailClosed refuses the request with an error wrapping ErrStoreDown.
	// Choose it when the limit is a hard quota or protects a dependency
	// that would fall over without it.
	FailClosed
)

func (p Policy) String() string {
	switch p {
	case FailOpen:
		return "fail-open"
	case FailClosed:
		return "fail-closed"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

var (
	// ErrNoPolicy is wrapped by NewGuard's error when OnStoreDown is not
	// chosen.
	ErrNoPolicy = errors.New("redislimit: choose what happens when the store is down: FailOpen or FailClosed")
	// ErrStoreDown is wrapped by a FailClosed Guard's error when the store
	// did not answer in time; the store's own error is wrapped too.
	ErrStoreDown = errors.New("redislimit: rate limit store unavailable")
)

// DefaultTimeout bounds a Guard's store call when GuardConfig.Timeout is 0:
// far above a loopback or same-zone round trip (well under a millisecond),
// far below what a request can afford to wait for its limit.
const DefaultTimeout = 50 * time.Millisecond

// GuardConfig configures a Guard. Limiter and OnStoreDown are required.
type GuardConfig struct {
	Limiter Limiter
	// OnStoreDown is the policy when the store fails or is slow. It has
	// no default: NewGuard refuses a config without one.
	OnStoreDown Policy
	// Timeout bounds each store call. Default: DefaultTimeout.
	Timeout time.Duration
	// Logger gets a line when the store stops answering and when it
	// answers again. Default: slog.Default().
	Logger *slog.Logger
}

// Guard puts a Limiter in front of requests: every store call is bounded
// by a timeout, and a store that fails or hangs gets the chosen Policy
// instead of the request. A Guard never waits longer than its Timeout,
// never panics on a store error, and is safe for concurrent use. It
// satisfies ratelimit.SharedLimit, so lesson 05's middleware takes it.
type Guard struct {
	cfg GuardConfig

	mu   sync.Mutex
	down bool // the last store call failed: log once per outage

	failedOpen, failedClosed atomic.Int64
}

// NewGuard checks cfg and returns the Guard. A nil Limiter, a missing or
// unknown OnStoreDown (ErrNoPolicy) or a negative Timeout is an error.
func NewGuard(cfg GuardConfig) (*Guard, error) {
	switch {
	case cfg.Limiter == nil:
		return nil, errors.New("redislimit: GuardConfig.Limiter is nil")
	case cfg.OnStoreDown != FailOpen && cfg.OnStoreDown != FailClosed:
		return nil, fmt.Errorf("%w (got %v)", ErrNoPolicy, cfg.OnStoreDown)
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("redislimit: GuardConfig.Timeout is %v, want >= 0", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Guard{cfg: cfg}, nil
}

// Allow asks the store about one request for key, within the Timeout.
//
//   - The store answered: its Decision, nil.
//   - The store failed or timed out, FailOpen: an allowing Decision, nil,
//     and the request is counted in FailedOpen.
//   - The store failed or timed out, FailClosed: a refusing Decision and
//     an error wrapping ErrStoreDown and the store's error.
//   - ctx itself was done: its error, whatever the policy: a caller that
//     gave up is not a store outage.
func (g *Guard) Allow(ctx context.Context, key string) (Decision, error) {
	callCtx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	d, err := g.cfg.Limiter.Allow(callCtx, key)
	cancel()
	if err == nil {
		g.storeAnswered()
		return d, nil
	}
	if ctx.Err() != nil {
		return Decision{}, fmt.Errorf("redislimit: %w", context.Cause(ctx))
	}
	g.storeFailed(err)
	if g.cfg.OnStoreDown == FailOpen {
		g.failedOpen.Add(1)
		return Decision{Allowed: true}, nil
	}
	g.failedClosed.Add(1)
	return Decision{}, fmt.Errorf("%w: %w", ErrStoreDown, err)
}

// Take is Allow in the shape of ratelimit.SharedLimit.
func (g *Guard) Take(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error) {
	d, err := g.Allow(ctx, key)
	return d.Allowed, d.RetryAfter, err
}

// storeFailed logs the first failure of an outage; one line per failed
// request would flood the log exactly when the store is struggling.
func (g *Guard) storeFailed(err error) {
	g.mu.Lock()
	first := !g.down
	g.down = true
	g.mu.Unlock()
	if first {
		g.cfg.Logger.Warn("rate limit store unavailable",
			"policy", g.cfg.OnStoreDown.String(), "err", err)
	}
}

func (g *Guard) storeAnswered() {
	g.mu.Lock()
	was := g.down
	g.down = false
	g.mu.Unlock()
	if was {
		g.cfg.Logger.Info("rate limit store answers again",
			"failed_open", g.failedOpen.Load(), "failed_closed", g.failedClosed.Load())
	}
}

// GuardStats counts the requests that met a failed store.
type GuardStats struct {
	FailedOpen   int64 // admitted without a limit (FailOpen)
	FailedClosed int64 // refused for want of an answer (FailClosed)
}

// Stats returns the Guard's counters.
func (g *Guard) Stats() GuardStats {
	return GuardStats{FailedOpen: g.failedOpen.Load(), FailedClosed: g.failedClosed.Load()}
}
