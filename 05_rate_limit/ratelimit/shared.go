package ratelimit

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// SharedLimit is a limit kept outside the process, in a store every replica
// of the service asks (see package reliability/05_rate_limit/redislimit),
// so that N replicas hold a client to the limit once rather than N times.
// Config.Shared takes one.
type SharedLimit interface {
	// Take counts one request for key. ok: admit it. Not ok: refuse it,
	// and retryAfter is how long until the key may send again. A non-nil
	// err means the limit could not be consulted and the request must be
	// refused; a SharedLimit that fails open answers ok instead. Take
	// must return within a short, bounded time, whatever the store does.
	Take(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// serveShared is Wrap's path with a SharedLimit: the store's answer
// decides, and its retryAfter becomes the header, rounded up to whole
// seconds (at least 1, as for the local buckets).
func (m *Middleware) serveShared(w http.ResponseWriter, r *http.Request, next http.Handler) {
	ok, retryAfter, err := m.cfg.Shared.Take(r.Context(), m.cfg.Key(r))
	if err != nil {
		// Not the client's fault, so not a 429: the service cannot
		// check its limit right now and refuses, as it chose to.
		m.unavailable.Add(1)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "503 service unavailable: rate limit unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		m.limited.Add(1)
		secs := strconv.FormatInt(max(1, int64(math.Ceil(retryAfter.Seconds()))), 10)
		w.Header().Set("Retry-After", secs)
		http.Error(w, "429 too many requests: retry after "+secs+"s", http.StatusTooManyRequests)
		return
	}
	m.admitted.Add(1)
	next.ServeHTTP(w, r)
}

// newSharedMiddleware is NewMiddleware for a Config with Shared set.
func newSharedMiddleware(cfg Config) (*Middleware, error) {
	if cfg.Rate != 0 || cfg.Burst != 0 || cfg.NewBucket != nil || cfg.MaxClients != 0 {
		return nil, fmt.Errorf("%w: with Shared, leave Rate, Burst, NewBucket and MaxClients zero: the shared limit has its own", ErrBadConfig)
	}
	if cfg.Key == nil {
		cfg.Key = RemoteIP
	}
	return &Middleware{cfg: cfg}, nil
}

// allowShared is Allow with a SharedLimit: a store failure counts as a
// refusal with a Retry-After of 1.
func (m *Middleware) allowShared(key string) (bool, int64) {
	ok, retryAfter, err := m.cfg.Shared.Take(context.Background(), key)
	if err != nil {
		return false, 1
	}
	if ok {
		return true, 0
	}
	return false, max(1, int64(math.Ceil(retryAfter.Seconds())))
}
