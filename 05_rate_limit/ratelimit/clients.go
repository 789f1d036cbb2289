package ratelimit

import (
	"math"
	"sync"
	"time"
)

// clients is the middleware's table of per-client buckets, with bounded
// memory. It never forgets a client that still owes tokens, since the
// fresh bucket the client would get on its next request would be a
// limit reset for free. Two rules keep it small:
//
//   - A client not seen for `idle` is forgotten. The middleware sets idle
//     to the time an empty bucket takes to fill up, so a forgotten bucket
//     was full, and the fresh bucket the client gets if it comes back is
//     full too: forgetting it changes no answer.
//   - The table never holds more than `max` clients. A new client beyond
//     that takes the place of the client seen longest ago, but only if
//     that one's bucket is full again, which again changes no answer.
//     Otherwise every client held may still owe tokens, and the new
//     client is not let in: it is limited by the overflow bucket, one
//     bucket shared by every client the table has no room for, until a
//     place frees up (at the latest when the client seen longest ago has
//     been idle for `idle`).
//
// So a flood of made-up keys costs neither memory nor the real clients'
// limits: the keys that find room get a bucket each, as any new client
// does, and all the others share one. The price is paid by new clients
// that arrive while the table is full of debtors: they share the
// overflow bucket with the flood.
//
// Clients are kept in a map for lookup and in a list ordered by when they
// were last seen, most recent first, so both rules are O(1) per request:
// the idle ones and the one to evict are at the tail.
type clients struct {
	mu        sync.Mutex
	rate      Limit // every bucket's rate, for Retry-After
	burst     int   // every bucket's size: a bucket holding this many is full
	newBucket func() Bucket
	idle      time.Duration
	max       int
	byKey     map[string]*client
	// ring is the list's sentinel: ring.next is the client seen most
	// recently, ring.prev the one seen longest ago.
	ring client
	// overflow is the bucket the clients the table has no room for share;
	// made when first needed.
	overflow Bucket
	// latest is the latest time a request was taken at. The table's clock
	// never goes back (see take).
	latest time.Time
	// forgotten counts clients dropped because they were idle; evicted,
	// those dropped to make room; overflowed, the requests limited by the
	// overflow bucket.
	forgotten, evicted, overflowed int
}

type client struct {
	key        string
	bucket     Bucket
	seen       time.Time
	prev, next *client
}

func newClients(rate Limit, burst, max int, idle time.Duration, newBucket func() Bucket) *clients {
	c := &clients{rate: rate, burst: burst, newBucket: newBucket, idle: idle, max: max, byKey: make(map[string]*client)}
	c.ring.prev, c.ring.next = &c.ring, &c.ring
	return c
}

// take takes one token from key's bucket at the time clock returns, read
// under the table's lock. When there is none, it returns false and the
// whole seconds until there is (retryAfter).
func (c *clients) take(key string, clock func() time.Time) (ok bool, retryAfter int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.takeLocked(key, clock())
}

// takeAt is take at a given time.
func (c *clients) takeAt(key string, now time.Time) (ok bool, retryAfter int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.takeLocked(key, now)
}

func (c *clients) takeLocked(key string, now time.Time) (ok bool, retryAfter int64) {
	// A request that read its time before another one got the lock
	// arrives with an earlier time than the table has seen. It is taken
	// at the latest time instead: a bucket told an earlier time moves its
	// clock back (x/time/rate's does), and would then earn the same
	// stretch twice.
	if now.Before(c.latest) {
		now = c.latest
	}
	c.latest = now

	c.forgetIdle(now)
	cl := c.byKey[key]
	if cl == nil {
		if len(c.byKey) >= c.max {
			cl = c.ring.prev
			if cl.bucket.TokensAt(now) < float64(c.burst) {
				// The client seen longest ago still owes tokens:
				// evicting it would reset its limit. key waits outside,
				// on the shared overflow bucket.
				c.overflowed++
				if c.overflow == nil {
					c.overflow = c.newBucket()
				}
				return c.allow(c.overflow, now)
			}
			// Reuse the evicted entry: under a flood of new keys this
			// path can run for every request, and it then allocates
			// only the bucket.
			c.remove(cl)
			c.evicted++
		} else {
			cl = new(client)
		}
		cl.key, cl.bucket = key, c.newBucket()
		c.byKey[key] = cl
	} else {
		c.unlink(cl)
	}
	// Every request counts as being seen, refused ones included: a client
	// that keeps knocking while refused is not idle, and forgetting it
	// would hand it a full bucket.
	cl.seen = now
	c.pushFront(cl)

	// The bucket is used under c.mu, so the answers are exactly the
	// bucket's, whatever the interleaving: a request never uses a bucket
	// that has just been evicted while a second one is made for the same
	// key. The cost is one lock for all clients (see the README on
	// sharding).
	return c.allow(cl.bucket, now)
}

// allow takes one token from b at now, or says when to come back.
func (c *clients) allow(b Bucket, now time.Time) (ok bool, retryAfter int64) {
	if b.AllowN(now, 1) {
		return true, 0
	}
	return false, retryAfterSeconds(b, now, c.rate)
}

// maxRetryAfter caps Retry-After at about 31 years: a tiny rate would
// otherwise ask for more seconds than a time.Duration holds.
const maxRetryAfter = 1_000_000_000

// retryAfterSeconds returns the whole seconds after which b, which holds
// less than one token at time now, will hold one again: at least 1, and
// rounded up, never down. A client told "0", or one second too few, comes
// back to another 429. The division can round a hair below the exact wait,
// so the answer is checked with the bucket's own arithmetic and made one
// second longer if the token would not quite be there.
func retryAfterSeconds(b Bucket, now time.Time, r Limit) int64 {
	secs := math.Ceil((1 - b.TokensAt(now)) / float64(r))
	secs = min(max(secs, 1), maxRetryAfter)
	if b.TokensAt(now.Add(time.Duration(secs)*time.Second)) < 1 && secs < maxRetryAfter {
		secs++
	}
	return int64(secs)
}

// forgetIdle drops the clients not seen for c.idle, from the tail.
func (c *clients) forgetIdle(now time.Time) {
	for tail := c.ring.prev; tail != &c.ring && now.Sub(tail.seen) >= c.idle; tail = c.ring.prev {
		c.remove(tail)
		c.forgotten++
	}
}

func (c *clients) remove(cl *client) {
	c.unlink(cl)
	delete(c.byKey, cl.key)
}

func (c *clients) unlink(cl *client) {
	cl.prev.next, cl.next.prev = cl.next, cl.prev
	cl.prev, cl.next = nil, nil
}

func (c *clients) pushFront(cl *client) {
	cl.prev, cl.next = &c.ring, c.ring.next
	c.ring.next.prev = cl
	c.ring.next = cl
}

// count returns how many clients the table holds, how many it has
// forgotten (idle) and evicted (to make room), and how many requests the
// overflow bucket took.
func (c *clients) count() (held, forgotten, evicted, overflowed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey), c.forgotten, c.evicted, c.overflowed
}
