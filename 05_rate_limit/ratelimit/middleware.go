package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// ErrBadConfig is wrapped by NewMiddleware's errors.
var ErrBadConfig = errors.New("ratelimit: bad middleware config")

// Config configures a Middleware. Rate and Burst are required; every other
// field has a default.
type Config struct {
	// Rate is each client's sustained rate, in requests per second: > 0,
	// or Inf for no limit.
	Rate Limit
	// Burst is how many requests a client may make at once after a quiet
	// spell: >= 1.
	Burst int
	// Key names the client a request comes from; each key has its own
	// bucket. Default: RemoteIP. Use ForwardedFor behind trusted proxies.
	Key func(*http.Request) string
	// NewBucket makes a new client's bucket. Default: Handrolled; Library
	// gives x/time/rate's.
	NewBucket func(r Limit, b int) Bucket
	// MaxClients bounds how many clients are remembered. Default: 10,000.
	// Size it above the number of clients really active within the time
	// an empty bucket takes to fill up. Beyond it, a new client takes the
	// place of the client seen longest ago if that one's bucket is full
	// again; if not, the new client shares one overflow bucket with every
	// other client the table has no room for. No client still limited is
	// ever forgotten, so no flood of new keys can reset a limit.
	MaxClients int
	// Now is the clock. Default: time.Now. Demos and tests set their own.
	// It is read under the middleware's lock, so the requests reach the
	// buckets in the order of their times.
	Now func() time.Time
	// Shared, when set, replaces the buckets in this process with a limit
	// every replica shares (see SharedLimit): Rate, Burst, NewBucket and
	// MaxClients must then be left zero, since the shared limit has its
	// own, and Now is not used.
	Shared SharedLimit
}

// Middleware limits each client to Config.Rate requests per second, with
// bursts of Config.Burst. A request over the limit gets 429 Too Many
// Requests with a Retry-After header, and never reaches the wrapped
// handler. It is safe for concurrent use.
type Middleware struct {
	cfg     Config
	clients *clients

	admitted, limited, unavailable atomic.Int64
}

// NewMiddleware checks cfg, fills in the defaults, and returns the
// Middleware. A Rate that is not > 0 (or is NaN or +Inf: use Inf), a
// Burst below 1 or a negative MaxClients is an error wrapping
// ErrBadConfig: such a limiter would refuse everything forever, or could
// not say when to come back.
func NewMiddleware(cfg Config) (*Middleware, error) {
	if cfg.Shared != nil {
		return newSharedMiddleware(cfg)
	}
	switch {
	case !(cfg.Rate > 0) || math.IsInf(float64(cfg.Rate), 1):
		return nil, fmt.Errorf("%w: Rate is %v, want > 0 (or ratelimit.Inf)", ErrBadConfig, cfg.Rate)
	case cfg.Burst < 1:
		return nil, fmt.Errorf("%w: Burst is %d, want >= 1", ErrBadConfig, cfg.Burst)
	case cfg.MaxClients < 0:
		return nil, fmt.Errorf("%w: MaxClients is %d, want >= 0 (0: the default)", ErrBadConfig, cfg.MaxClients)
	}
	if cfg.Key == nil {
		cfg.Key = RemoteIP
	}
	if cfg.NewBucket == nil {
		cfg.NewBucket = Handrolled
	}
	if cfg.MaxClients == 0 {
		cfg.MaxClients = 10_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// An empty bucket is full again after refill; a client unseen for
	// that long can be forgotten without changing any answer. The
	// millisecond covers the rounding of the refill time to nanoseconds.
	idle := cfg.Rate.timeToEarn(float64(cfg.Burst))
	if idle < InfDuration-time.Millisecond {
		idle += time.Millisecond
	}
	rate, burst := cfg.Rate, cfg.Burst
	return &Middleware{
		cfg:     cfg,
		clients: newClients(rate, burst, cfg.MaxClients, idle, func() Bucket { return cfg.NewBucket(rate, burst) }),
	}, nil
}

// Wrap returns next behind the limit.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.cfg.Shared != nil {
			m.serveShared(w, r, next)
			return
		}
		// The clock is read under the table's lock: read before it, a
		// request that then waited for the lock would arrive with a time
		// older than the one before it.
		ok, retryAfter := m.clients.take(m.cfg.Key(r), m.cfg.Now)
		if !ok {
			m.limited.Add(1)
			secs := strconv.FormatInt(retryAfter, 10)
			// The header must be set before http.Error writes the status.
			w.Header().Set("Retry-After", secs)
			http.Error(w, "429 too many requests: retry after "+secs+"s", http.StatusTooManyRequests)
			return
		}
		m.admitted.Add(1)
		next.ServeHTTP(w, r)
	})
}

// Allow takes a token from key's bucket at time now, as Wrap does for a
// request. If there is none, it returns false and the Retry-After: the
// whole seconds after which key's bucket will hold a token again (if key
// sends nothing meanwhile), at least 1. A now earlier than the latest
// time the middleware has seen is taken as that latest time: the
// middleware's clock never goes back, so no stretch of time is earned
// twice.
func (m *Middleware) Allow(key string, now time.Time) (ok bool, retryAfter int64) {
	if m.cfg.Shared != nil {
		return m.allowShared(key)
	}
	return m.clients.takeAt(key, now)
}

// Stats is a snapshot of a Middleware's counters.
type Stats struct {
	Admitted, Limited int64 // requests passed on, and refused with 429
	Unavailable       int64 // refused with 503: the SharedLimit failed
	Clients           int   // clients remembered now
	Forgotten         int   // clients forgotten because they went idle
	Evicted           int   // clients evicted, their buckets full, to stay within MaxClients
	Overflowed        int   // requests limited by the shared overflow bucket: the table was full of clients still limited
}

// Stats returns the middleware's counters.
func (m *Middleware) Stats() Stats {
	var held, forgotten, evicted, overflowed int
	if m.clients != nil {
		held, forgotten, evicted, overflowed = m.clients.count()
	}
	return Stats{Admitted: m.admitted.Load(), Limited: m.limited.Load(), Unavailable: m.unavailable.Load(),
		Clients: held, Forgotten: forgotten, Evicted: evicted, Overflowed: overflowed}
}
