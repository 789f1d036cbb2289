// Package flaky is the simulated downstream service every lesson of the
// workshop calls. It fails, stalls and recovers on command, so each
// reliability pattern can be shown against the same misbehaving dependency.
//
// A Service decides the fate of each call when the call arrives: whether it
// fails (the first N calls, an outage window, or a seeded coin flip) and how
// long it takes (a fixed latency plus seeded jitter). Because the decisions
// come from a seeded source in arrival order, a sequential run is the same
// every time for a given seed, which makes demos replayable and tests exact.
//
// The service reads the time with time.Now and waits with timers, so inside
// a testing/synctest bubble it runs in virtual time: a call with one hour of
// latency finishes instantly in a test.
package flaky

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrTransient marks a failure that may go away on its own: retrying
	// later is reasonable.
	ErrTransient = errors.New("flaky: transient failure")

	// ErrPermanent marks a failure that retrying cannot fix, such as a
	// malformed request.
	ErrPermanent = errors.New("flaky: permanent failure")

	// ErrInvalidConfig is wrapped by New when a Config field is out of range.
	ErrInvalidConfig = errors.New("flaky: invalid config")
)

// Config describes how a Service misbehaves. The zero Config is a healthy
// service that answers every call at once.
type Config struct {
	// Seed seeds the random source behind FailureRate and LatencyJitter.
	// The same seed gives the same sequence of outcomes.
	Seed uint64

	// FailFirst makes the first FailFirst calls fail, like a dependency that
	// is still warming up. Must not be negative.
	FailFirst int

	// FailureRate is the probability, in [0, 1], that any call fails.
	FailureRate float64

	// Latency is how long every call takes at least. Must not be negative.
	Latency time.Duration

	// LatencyJitter adds a uniform random extra in [0, LatencyJitter) to
	// each call's latency. Must not be negative.
	LatencyJitter time.Duration

	// OutageStart and OutageDuration describe an outage window measured
	// from the moment New returned: every call that arrives inside
	// [OutageStart, OutageStart+OutageDuration) fails. A zero
	// OutageDuration means no outage. Neither may be negative.
	OutageStart    time.Duration
	OutageDuration time.Duration

	// Permanent makes failures match ErrPermanent instead of ErrTransient.
	Permanent bool

	// IgnoreContext makes calls sleep their full latency even when the
	// caller's context ends, the way a dependency that never looks at its
	// context behaves. Use it to show why a timeout that only stops waiting
	// leaks work.
	IgnoreContext bool

	// HTTPStatus is the status ServeHTTP answers transient failures with:
	// http.StatusServiceUnavailable (503, the default when zero) or
	// http.StatusTooManyRequests (429).
	HTTPStatus int

	// RetryAfter is the delay ServeHTTP advertises in the Retry-After header
	// of a failure, rounded up to whole seconds as the header requires.
	// Zero means one second. Must not be negative.
	RetryAfter time.Duration
}

// badConfig is the error for a configuration field out of range: field
// holds v, and the caller must give want.
func badConfig(field string, v any, want string) error {
	return fmt.Errorf("%w: %s is %v, want %s", ErrInvalidConfig, field, v, want)
}

// validate reports the first out-of-range field, wrapped in ErrInvalidConfig.
func (c Config) validate() error {
	switch {
	case c.FailFirst < 0:
		return badConfig("FailFirst", c.FailFirst, ">= 0")
	case math.IsNaN(c.FailureRate) || c.FailureRate < 0 || c.FailureRate > 1:
		return badConfig("FailureRate", c.FailureRate, "a probability in [0, 1]")
	case c.Latency < 0:
		return badConfig("Latency", c.Latency, ">= 0")
	case c.LatencyJitter < 0:
		return badConfig("LatencyJitter", c.LatencyJitter, ">= 0")
	case c.OutageStart < 0:
		return badConfig("OutageStart", c.OutageStart, ">= 0")
	case c.OutageDuration < 0:
		return badConfig("OutageDuration", c.OutageDuration, ">= 0")
	case c.HTTPStatus != 0 && c.HTTPStatus != http.StatusServiceUnavailable && c.HTTPStatus != http.StatusTooManyRequests:
		return badConfig("HTTPStatus", c.HTTPStatus, "0, 429 or 503")
	case c.RetryAfter < 0:
		return badConfig("RetryAfter", c.RetryAfter, ">= 0")
	}
	return nil
}

// Error is the error a failed call returns. It matches ErrTransient or
// ErrPermanent with errors.Is, depending on Config.Permanent.
type Error struct {
	// Call is the 1-based number of the call that failed.
	Call int
	// Reason says which rule failed the call: "fail-first", "outage" or
	// "random".
	Reason string

	permanent bool
}

func (e *Error) Error() string {
	kind := "transient"
	if e.permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("flaky: call %d: %s failure (%s)", e.Call, kind, e.Reason)
}

// Is lets errors.Is match the failure's kind.
func (e *Error) Is(target error) bool {
	if e.permanent {
		return target == ErrPermanent
	}
	return target == ErrTransient
}

// Stats is a snapshot of a Service's counters.
type Stats struct {
	Calls       int // calls that arrived
	Successes   int // calls that returned nil
	Failures    int // calls that returned an *Error
	Canceled    int // calls abandoned because the caller's context ended
	InFlight    int // calls running right now
	MaxInFlight int // the most calls ever running at once
}

func (s Stats) String() string {
	return fmt.Sprintf("calls=%d ok=%d failed=%d canceled=%d in-flight=%d max-in-flight=%d",
		s.Calls, s.Successes, s.Failures, s.Canceled, s.InFlight, s.MaxInFlight)
}

// Service is a simulated dependency. It is safe for concurrent use.
type Service struct {
	cfg   Config
	start time.Time

	mu    sync.Mutex
	rng   *rand.Rand // guarded by mu: draws happen in arrival order
	stats Stats
}

// New returns a Service that behaves as cfg says. Its outage window is
// measured from now. It returns an error wrapping ErrInvalidConfig if a
// field is out of range.
func New(cfg Config) (*Service, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.HTTPStatus == 0 {
		cfg.HTTPStatus = http.StatusServiceUnavailable
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = time.Second
	}
	return &Service{
		cfg:   cfg,
		start: time.Now(),
		// PCG is small, fast and fully determined by its seed; the second
		// word is a constant so one number is enough to replay a run.
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
	}, nil
}

// MustNew is like New but panics on an invalid Config. It is meant for
// demos and examples whose configuration is a literal.
func MustNew(cfg Config) *Service {
	s, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return s
}

// Config returns the service's configuration, with defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// Stats returns a snapshot of the service's counters.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Call performs one call. It waits the call's latency and then returns nil
// or an *Error. If ctx ends first, Call returns at once with an error that
// matches ctx.Err() and the call counts as canceled, unless
// Config.IgnoreContext is set: then Call always waits the full latency and
// returns its planned outcome, however long ago the caller gave up.
func (s *Service) Call(ctx context.Context) error {
	n, latency, failure := s.arrive()

	if s.cfg.IgnoreContext {
		time.Sleep(latency)
	} else if err := wait(ctx, latency); err != nil {
		s.finish(func(st *Stats) { st.Canceled++ })
		return fmt.Errorf("flaky: call %d abandoned: %w", n, err)
	}

	if failure != nil {
		s.finish(func(st *Stats) { st.Failures++ })
		return failure
	}
	s.finish(func(st *Stats) { st.Successes++ })
	return nil
}

// arrive counts a new call and decides its latency and outcome. Both
// random numbers are drawn for every call, whatever the config, so the
// n-th call sees the same draws whichever rules are switched on.
func (s *Service) arrive() (n int, latency time.Duration, failure *Error) {
	now := time.Now()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Calls++
	s.stats.InFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.stats.InFlight)
	n = s.stats.Calls

	coin := s.rng.Float64()
	extra := s.rng.Float64()

	latency = addSat(s.cfg.Latency, time.Duration(extra*float64(s.cfg.LatencyJitter)))

	since := now.Sub(s.start)
	reason := ""
	switch {
	case n <= s.cfg.FailFirst:
		reason = "fail-first"
	case s.cfg.OutageDuration > 0 && since >= s.cfg.OutageStart && since < addSat(s.cfg.OutageStart, s.cfg.OutageDuration):
		reason = "outage"
	case coin < s.cfg.FailureRate:
		reason = "random"
	}
	if reason != "" {
		failure = &Error{Call: n, Reason: reason, permanent: s.cfg.Permanent}
	}
	return n, latency, failure
}

func (s *Service) finish(count func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.InFlight--
	count(&s.stats)
}

// wait sleeps for d or until ctx ends, whichever comes first. A context that
// has already ended wins even when d is zero, so a canceled caller never
// gets an answer it has stopped waiting for.
func wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// addSat adds two non-negative durations, saturating instead of wrapping
// around, so a huge value such as math.MaxInt64 means "forever".
func addSat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
