// Mistake: the table is checked for room before the key is looked up, so a request from a client already held evicts the client seen longest ago (often itself) when the table is full.
// Caught: "is the table checked for room before looking the key up"
package exercises

import (
	"net"
	"net/http"
	"time"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/lockwatch"
)

// Clients gives every client key its own token bucket and holds at most
// Max of them, forgetting those idle for Idle or longer. It is safe for
// concurrent use.
type Clients struct {
	Rate  ratelimit.Limit
	Burst int
	Idle  time.Duration // forget a client after this long without a request
	Max   int           // the most clients held at once

	mu    lockwatch.Mutex // guards byKey
	byKey map[string]*clientEntry
}

type clientEntry struct {
	bucket *ratelimit.Limiter
	seen   time.Time // the client's latest request, refused ones included
}

// Allow takes one token from key's bucket at time now.
func (c *Clients) Allow(key string, now time.Time) bool {
	// One critical section from lookup to AllowN: split, two first
	// requests could each make a bucket, and one of them would be lost.
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.byKey == nil {
		c.byKey = make(map[string]*clientEntry)
	}
	for k, e := range c.byKey {
		if now.Sub(e.seen) >= c.Idle {
			delete(c.byKey, k)
		}
	}
	if len(c.byKey) >= c.Max {
		c.evictOldest() // room for key, in case it is new
	}
	e := c.byKey[key]
	if e == nil {
		e = &clientEntry{bucket: ratelimit.NewLimiter(c.Rate, c.Burst)}
		c.byKey[key] = e
	}
	e.seen = now
	return e.bucket.AllowN(now, 1)
}

// evictOldest drops the client seen longest ago. Called with c.mu held.
func (c *Clients) evictOldest() {
	var oldest *string
	var when time.Time
	for k, e := range c.byKey {
		if oldest == nil || e.seen.Before(when) {
			oldest, when = &k, e.seen
		}
	}
	if oldest != nil {
		delete(c.byKey, *oldest)
	}
}

// Len returns how many clients are held.
func (c *Clients) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

// ClientKey returns the IP address r came from, without the port. It
// ignores every header: the client writes those.
func ClientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr // no port: a test or a Unix socket
	}
	return host
}
