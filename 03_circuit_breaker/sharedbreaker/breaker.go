package sharedbreaker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/03_circuit_breaker/breaker"
)

// ErrStoreUnavailable wraps the error of a store call that failed. State and
// Counts return it (with the local fallback's answer); Execute never does:
// it falls back instead.
var ErrStoreUnavailable = errors.New("sharedbreaker: store unavailable")

// Shared is what the hand-rolled Breaker and the library twin have in
// common. Unlike lesson 03's breaker.CircuitBreaker its methods take a
// context, because they talk to a server.
type Shared interface {
	Execute(ctx context.Context, fn func() error) error
	State(ctx context.Context) (breaker.State, error)
}

var (
	_ Shared = (*Breaker)(nil)
	_ Shared = (*Library)(nil)
)

// Breaker is a circuit breaker shared through Redis by every replica that
// builds one with the same key. It is safe for concurrent use.
//
// An admitted call costs two round trips to Redis, one before fn and one
// after; a refused call costs the first only. fn itself runs with no lock
// held, here or in Redis. If Redis cannot be
// reached, the call is decided by a local lesson 03 breaker.Breaker with
// the same Settings instead (see Execute).
type Breaker struct {
	settings Settings
	client   redis.Scripter
	key      string
	keyTTL   time.Duration
	local    *breaker.Breaker // the fallback, used while the store is down

	// serverClock, when set, replaces the server's TIME in the script; the
	// package's tests use it to replay traces on a real server. localClock
	// times the fallback's StoreRetry.
	serverClock func() time.Time
	localClock  func() time.Time

	mu        sync.Mutex
	downUntil time.Time // skip the store until then
	stats     Stats
}

// Stats counts how a Breaker's calls were decided.
type Stats struct {
	// Shared counts the calls the shared breaker decided on.
	Shared uint64
	// Fallback counts the calls the local breaker decided on because the
	// store had just failed or was failing.
	Fallback uint64
	// StoreErrors counts store calls that failed.
	StoreErrors uint64
	// LostResults counts calls the shared breaker admitted whose result
	// could not be sent back: the shared counts never learn of them.
	LostResults uint64
}

// New returns a Breaker kept in Redis under key, through client. Every
// replica that uses the same key and the same Settings shares one breaker;
// an empty key means "sharedbreaker:" + s.Name. New does not talk to Redis:
// the breaker comes to life, closed, at its first call.
//
// Each store call is bounded by the client's timeouts and the caller's
// context; give the client short ones (redisenv's are 1 s), since every
// call waits for them when the store hangs.
func New(client redis.Scripter, key string, s Settings) *Breaker {
	if key == "" {
		key = "sharedbreaker:" + s.Name
	}
	return &Breaker{
		settings: s,
		client:   client,
		key:      key,
		// Long enough never to lose an open breaker; short enough that the
		// keys of breakers nobody uses any more go away by themselves.
		keyTTL:     max(24*time.Hour, 2*(s.timeout()+s.interval())),
		local:      breaker.New(s.local()),
		localClock: time.Now,
	}
}

// Name returns Settings.Name.
func (b *Breaker) Name() string { return b.settings.Name }

// Key returns the Redis key that holds the breaker.
func (b *Breaker) Key() string { return b.key }

// Stats returns a copy of the counters.
func (b *Breaker) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// Execute calls fn if the shared breaker admits the call, and returns fn's
// error unchanged. If the breaker is open it returns breaker.ErrOpenState
// at once, and breaker.ErrTooManyRequests when it is half-open and every
// trial slot is taken, across all replicas; fn is not called.
//
// If ctx ends before the decision, Execute returns ctx's error and fn is not
// called. ctx bounds only the store calls: fn gets no context from Execute.
//
// If the store call that decides fails (down, hanging past the client's
// timeout, or failed within the last StoreRetry), the call goes through the
// local fallback breaker instead, as in lesson 03: each replica then
// protects the dependency on its own until the store answers again. If
// only the store call after fn fails, fn's result is lost to the shared
// counts (Stats.LostResults). A panic in fn counts as a failure and is
// raised again.
func (b *Breaker) Execute(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := b.step(ctx, "admit", 0, "")
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		b.count(func(s *Stats) { s.Fallback++ })
		return b.local.Execute(fn)
	}
	b.count(func(s *Stats) { s.Shared++ })
	switch r.verdict {
	case verdictOpen:
		return breaker.ErrOpenState
	case verdictTooMany:
		return breaker.ErrTooManyRequests
	}
	err = b.call(ctx, r.generation, fn)
	b.record(ctx, r.generation, err)
	return err
}

// call runs fn and, if it panics, records a failure and panics again.
func (b *Breaker) call(ctx context.Context, generation uint64, fn func() error) error {
	defer func() {
		if v := recover(); v != nil {
			b.record(ctx, generation, errors.New(fmt.Sprint(v)))
			panic(v)
		}
	}()
	return fn()
}

// record sends the result of a call admitted by generation.
func (b *Breaker) record(ctx context.Context, generation uint64, err error) {
	outcome := "f"
	switch {
	case b.settings.isExcluded(err):
		outcome = "x"
	case b.settings.isSuccessful(err):
		outcome = "s"
	}
	// The result is worth sending even if the caller's context has just
	// ended: the call did reach the dependency.
	if _, err := b.step(context.WithoutCancel(ctx), "record", generation, outcome); err != nil {
		b.count(func(s *Stats) { s.LostResults++ })
	}
}

// State returns the shared breaker's state, moving it on if its Timeout or
// Interval has passed. If the store fails it returns the local fallback's
// state and an error wrapping ErrStoreUnavailable.
func (b *Breaker) State(ctx context.Context) (breaker.State, error) {
	r, err := b.step(ctx, "peek", 0, "")
	if err != nil {
		return b.local.State(), err
	}
	return r.state, nil
}

// Counts returns the shared breaker's counts, after moving it on as State
// does. If the store fails it returns the local fallback's counts and an
// error wrapping ErrStoreUnavailable.
func (b *Breaker) Counts(ctx context.Context) (breaker.Counts, error) {
	r, err := b.step(ctx, "peek", 0, "")
	if err != nil {
		return b.local.Counts(), err
	}
	return r.counts, nil
}

// Local returns the fallback breaker, for a demo or a test to look at.
func (b *Breaker) Local() *breaker.Breaker { return b.local }

// The script's verdicts.
const (
	verdictOK      = 0
	verdictOpen    = 1
	verdictTooMany = 2
	verdictStale   = 3
)

// reply is the script's answer.
type reply struct {
	verdict    int64
	generation uint64
	state      breaker.State
	counts     breaker.Counts
}

// step runs the script once. While the store is marked down it fails at
// once, without a round trip; a failure marks it down for StoreRetry.
func (b *Breaker) step(ctx context.Context, op string, generation uint64, outcome string) (reply, error) {
	b.mu.Lock()
	down := b.localClock().Before(b.downUntil)
	b.mu.Unlock()
	if down {
		return reply{}, fmt.Errorf("%w: failed within the last %v", ErrStoreUnavailable, b.settings.storeRetry())
	}

	now := int64(-1)
	if b.serverClock != nil {
		now = b.serverClock().UnixMicro()
	}
	s := &b.settings
	raw, err := stepScript.Run(ctx, b.client, []string{b.key},
		now,
		s.interval().Microseconds(),
		s.timeout().Microseconds(),
		s.maxRequests(),
		s.maxConsecutiveFailures(),
		b.keyTTL.Milliseconds(),
		op,
		strconv.FormatUint(generation, 10),
		outcome,
	).Int64Slice()
	if err == nil {
		var r reply
		if r, err = parseReply(raw); err == nil {
			b.notify(raw[3], r.state)
			return r, nil
		}
	}
	b.mu.Lock()
	b.stats.StoreErrors++
	if ctx.Err() == nil {
		// The store failed, not the caller: leave it alone for a while.
		b.downUntil = b.localClock().Add(s.storeRetry())
	}
	b.mu.Unlock()
	return reply{}, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
}

func parseReply(raw []int64) (reply, error) {
	if len(raw) != 10 {
		return reply{}, fmt.Errorf("script answered %d values, want 10", len(raw))
	}
	u := func(i int) uint32 { return uint32(raw[i]) }
	return reply{
		verdict:    raw[0],
		generation: uint64(raw[1]),
		state:      breaker.State(raw[2]),
		counts: breaker.Counts{
			Requests:             u(4),
			TotalSuccesses:       u(5),
			TotalFailures:        u(6),
			TotalExclusions:      u(7),
			ConsecutiveSuccesses: u(8),
			ConsecutiveFailures:  u(9),
		},
	}, nil
}

// notify reports a change of state the script made.
func (b *Breaker) notify(from int64, to breaker.State) {
	if from >= 0 && b.settings.OnStateChange != nil {
		b.settings.OnStateChange(b.settings.Name, breaker.State(from), to)
	}
}

func (b *Breaker) count(f func(*Stats)) {
	b.mu.Lock()
	f(&b.stats)
	b.mu.Unlock()
}
