package exercises

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Exercise 6: a fixed-window counter two replicas cannot overrun.
//
// Hit counts one request in the counter stored at key, in Redis, and
// reports whether the request is within limit for the current window.
// Every replica of a service calls Hit for the same key, so the count is
// shared: limit requests per window in total, not per replica.
//
//   - The window starts with the key's first hit and lasts exactly
//     window (to the millisecond); then the counter is gone and the next
//     hit starts a new window at 1. Later hits in a window do not make it
//     longer.
//   - Every hit is counted, refused ones too; hits 1 to limit are
//     allowed, the rest refused.
//   - Two replicas hitting at the same moment must never both get the
//     last allowed hit: the read, the add and the write are one atomic
//     step in Redis, not three commands another replica can come between.
//   - The counter must never be left without its expiry, even if the
//     connection drops halfway: a counter that never expires refuses its
//     client forever.
//
// Return an error only when Redis did; limit is at least 1 and window at
// least a millisecond.
//
// Hint: INCR adds one and returns the new count atomically. Setting the
// expiry in a second command (PEXPIRE, milliseconds; EXPIRE takes whole
// seconds) is the trap: do both in one Lua script, which Redis runs with
// nothing in between: redis.NewScript(`...`).Run(ctx, rdb, keys, args...).
//
// Run: go test -run Ex6 ./05_rate_limit/exercises/
func Hit(ctx context.Context, rdb redis.Cmdable, key string, limit int64, window time.Duration) (allowed bool, err error) {
	return false, errNotImplemented
}
