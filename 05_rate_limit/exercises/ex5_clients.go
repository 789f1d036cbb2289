package exercises

import (
	"net/http"
	"time"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/lockwatch"
)

// Exercise 5: one bucket per client, and forget the idle ones.
//
// Clients gives every client key its own token bucket, a
// ratelimit.Limiter with Rate and Burst, made on the key's first request.
// Allow takes one token from key's bucket at time now and reports whether
// there was one. Len returns how many clients are held.
//
// The keys come from the network, so memory must stay bounded whatever
// keys arrive:
//
//   - a client not seen for Idle or longer is forgotten. Every Allow,
//     refused or not, counts as seeing the client: one that keeps
//     knocking while refused is not idle, and forgetting it would hand it
//     a full bucket;
//   - Clients never holds more than Max clients (Max is at least 1): a
//     new client beyond that evicts the client seen longest ago, never
//     one seen more recently.
//
// ClientKey returns a request's key: the IP address of the connection
// (Request.RemoteAddr without its port, which changes with every new
// connection). It ignores X-Forwarded-For: the client writes that header
// itself, and a key the client chooses is a limit it can escape.
//
// Clients must be safe for concurrent use. Guard every field you add with
// mu, and look up, create and use a client's bucket in one critical
// section, so that two first requests from one client share one bucket.
// mu is a lockwatch.Mutex: use it exactly as a sync.Mutex; the tests
// watch it (go doc reliability/flaky/lockwatch).
//
// Hint: a map from key to an entry holding the bucket and when it was
// last seen. In Allow, first drop the idle entries; when adding to a full
// map, drop the entry with the oldest last-seen time. net.SplitHostPort
// splits RemoteAddr, IPv6 brackets included.
//
// Run: go test -run Ex5 ./05_rate_limit/exercises/
type Clients struct {
	Rate  ratelimit.Limit
	Burst int
	Idle  time.Duration // forget a client after this long without a request
	Max   int           // the most clients held at once

	mu lockwatch.Mutex // guards the fields you add
	// Add the fields you need.
}

// Allow takes one token from key's bucket at time now.
func (c *Clients) Allow(key string, now time.Time) bool {
	return false
}

// Len returns how many clients are held.
func (c *Clients) Len() int {
	return 0
}

// ClientKey returns the IP address r came from, without the port.
func ClientKey(r *http.Request) string {
	return ""
}
