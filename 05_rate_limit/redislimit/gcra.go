package redislimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript decides one request atomically: Redis runs a script to the end
// before any other command, so two replicas can never both read the same
// TAT and both spend the last slot.
//
// KEYS[1]  the client's key; it holds the TAT, µs since the Unix epoch
// ARGV[1]  the emission interval: µs between requests at the rate
// ARGV[2]  the burst
// ARGV[3]  the cost of this request, 1 .. burst
// ARGV[4]  now, µs since the Unix epoch, or "" for the server's TIME
//
// It returns {allowed 0/1, remaining, retry after in µs}.
//
// Every number is a whole count of microseconds, which a Lua number (a
// float64) holds exactly up to 2^53, about the year 2255. Fractions of a
// second in floats are what make redis_rate refuse the 10th of a burst of
// 10: 0.1 added ten times is not 1.0.
const gcraScript = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- A missing key, or a TAT in the past, is a client with its whole burst.
local tat = tonumber(redis.call("GET", KEYS[1])) or now
if tat < now then
  tat = now
end

-- The request may go at allow_at: the new TAT less the burst's worth.
local new_tat = tat + cost * interval
local allow_at = new_tat - burst * interval
if allow_at > now then
  return {0, 0, allow_at - now}
end

-- The key lives until its TAT: then the client is back to a full burst,
-- which is what a missing key means, so nothing is lost when it expires.
redis.call("SET", KEYS[1], string.format("%d", new_tat),
  "PX", math.ceil((new_tat - now) / 1000))
return {1, math.floor((now - allow_at) / interval), 0}
`

var gcra = redis.NewScript(gcraScript)

// GCRA is the hand-rolled shared limiter: the generic cell rate algorithm
// in one Lua script, run by Redis atomically for each request, with the
// time from the server. See the package doc. It is safe for concurrent use
// by any number of goroutines and processes.
type GCRA struct {
	rdb      redis.Scripter
	prefix   string
	limit    Limit
	interval int64 // µs
}

// NewGCRA returns a limiter that keeps its keys in rdb under prefix (every
// replica must use the same prefix and Limit). A Limit with a Rate, Burst
// or Period below 1, or faster than one request per microsecond, is an
// error wrapping ErrBadLimit.
func NewGCRA(rdb redis.Scripter, prefix string, l Limit) (*GCRA, error) {
	us, err := l.interval()
	if err != nil {
		return nil, err
	}
	return &GCRA{rdb: rdb, prefix: prefix, limit: l, interval: us}, nil
}

// Limit returns the limit the GCRA enforces.
func (g *GCRA) Limit() Limit { return g.limit }

// Allow counts one request for key at the server's time. See Limiter.
func (g *GCRA) Allow(ctx context.Context, key string) (Decision, error) {
	return g.run(ctx, key, 1, "")
}

// AllowAt is Allow at an explicit time instead of the server's clock, in
// whole microseconds: for tests and simulations, which replay a sequence of
// times on any server. Mixing it with Allow on one key mixes two clocks.
func (g *GCRA) AllowAt(ctx context.Context, key string, now time.Time) (Decision, error) {
	return g.run(ctx, key, 1, strconv.FormatInt(now.UnixMicro(), 10))
}

// AllowN counts n requests for key at the server's time, all or none. n
// must be 1 to Burst: more could never be allowed, and fewer is no
// request.
func (g *GCRA) AllowN(ctx context.Context, key string, n int) (Decision, error) {
	if n < 1 || n > g.limit.Burst {
		return Decision{}, fmt.Errorf("%w: AllowN(%d) with burst %d", ErrBadLimit, n, g.limit.Burst)
	}
	return g.run(ctx, key, n, "")
}

func (g *GCRA) run(ctx context.Context, key string, n int, now string) (Decision, error) {
	res, err := gcra.Run(ctx, g.rdb, []string{g.prefix + key},
		g.interval, g.limit.Burst, n, now).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("redislimit: gcra %q: %w", key, err)
	}
	if len(res) != 3 {
		return Decision{}, fmt.Errorf("redislimit: gcra %q: script returned %v", key, res)
	}
	return Decision{
		Allowed:    res[0] == 1,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
	}, nil
}
