package redislimit

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// fixedWindowScript counts a request in the current window: INCR, and on the
// window's first request PEXPIRE, in one script so that no crash or cut
// connection between the two can leave a counter that never expires.
//
// KEYS[1] the client's key   ARGV[1] the window in ms   ARGV[2] the limit
var fixedWindowScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
local ttl = redis.call("PTTL", KEYS[1])
return {n, ttl}
`)

// FixedWindow is the counter most "rate limit with Redis" posts show: a
// counter per client that starts with the client's first request and
// expires a window later. It is one key and one round trip, but it resets
// all at once: Limit requests at the end of one window and Limit more at
// the start of the next pass within moments, twice the limit (see the
// package tests). It counts refused requests too, as INCR-first counters
// do. It is here for contrast; prefer GCRA.
type FixedWindow struct {
	rdb    redis.Scripter
	prefix string
	limit  int
	window time.Duration
}

// NewFixedWindow allows limit requests per window, counted in keys under
// prefix. limit must be >= 1 and window at least a millisecond.
func NewFixedWindow(rdb redis.Scripter, prefix string, limit int, window time.Duration) (*FixedWindow, error) {
	if limit < 1 || window < time.Millisecond {
		return nil, fmt.Errorf("%w: fixed window of %d per %v", ErrBadLimit, limit, window)
	}
	return &FixedWindow{rdb: rdb, prefix: prefix, limit: limit, window: window}, nil
}

// Allow counts one request for key. See Limiter.
func (f *FixedWindow) Allow(ctx context.Context, key string) (Decision, error) {
	res, err := fixedWindowScript.Run(ctx, f.rdb, []string{f.prefix + key},
		f.window.Milliseconds(), f.limit).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("redislimit: fixed window %q: %w", key, err)
	}
	n, ttl := res[0], res[1]
	if n <= int64(f.limit) {
		return Decision{Allowed: true, Remaining: f.limit - int(n)}, nil
	}
	return Decision{RetryAfter: time.Duration(max(ttl, 1)) * time.Millisecond}, nil
}

// slidingLogScript keeps one sorted-set entry per admitted request, scored
// by its time in µs, drops the entries older than the window, and admits a
// request while fewer than the limit remain.
//
// KEYS[1] the client's key   ARGV[1] the window in µs   ARGV[2] the limit
// ARGV[3] a member unique to this request
var slidingLogScript = redis.NewScript(`
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
local n = redis.call("ZCARD", KEYS[1])
if n >= tonumber(ARGV[2]) then
  local oldest = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call("ZADD", KEYS[1], now, ARGV[3])
redis.call("PEXPIRE", KEYS[1], math.ceil(window / 1000))
return {1, tonumber(ARGV[2]) - n - 1}
`)

// SlidingLog is the exact sliding window: it remembers the time of every
// admitted request in the last window (a sorted set per client) and admits
// a request while fewer than Limit are there. No boundary to game, and no
// estimate, but memory and work grow with the limit: a client allowed
// 10,000 requests per minute holds up to 10,000 entries. It is here for
// contrast; prefer GCRA, which holds one number per client.
type SlidingLog struct {
	rdb    redis.Scripter
	prefix string
	limit  int
	window time.Duration
	id     string
	seq    atomic.Int64
}

// logIDs tells apart the SlidingLogs of one process; with the process's
// start time it makes members unique across replicas.
var logIDs atomic.Int64

// NewSlidingLog allows limit requests in any window, kept in keys under
// prefix. limit must be >= 1 and window at least a millisecond.
func NewSlidingLog(rdb redis.Scripter, prefix string, limit int, window time.Duration) (*SlidingLog, error) {
	if limit < 1 || window < time.Millisecond {
		return nil, fmt.Errorf("%w: sliding log of %d per %v", ErrBadLimit, limit, window)
	}
	id := strconv.FormatInt(time.Now().UnixNano(), 36) + "." + strconv.FormatInt(logIDs.Add(1), 36)
	return &SlidingLog{rdb: rdb, prefix: prefix, limit: limit, window: window, id: id}, nil
}

// Allow counts one request for key. See Limiter.
func (s *SlidingLog) Allow(ctx context.Context, key string) (Decision, error) {
	member := s.id + "." + strconv.FormatInt(s.seq.Add(1), 36)
	res, err := slidingLogScript.Run(ctx, s.rdb, []string{s.prefix + key},
		s.window.Microseconds(), s.limit, member).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("redislimit: sliding log %q: %w", key, err)
	}
	if res[0] == 1 {
		return Decision{Allowed: true, Remaining: int(res[1])}, nil
	}
	return Decision{RetryAfter: time.Duration(res[1]) * time.Microsecond}, nil
}

var (
	_ Limiter = (*FixedWindow)(nil)
	_ Limiter = (*SlidingLog)(nil)
)
