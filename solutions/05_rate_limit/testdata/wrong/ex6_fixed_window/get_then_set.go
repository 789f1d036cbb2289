// Mistake: GET the count, then SET it plus one: another replica can come between the two.
// Caught: "GET then SET is a read-modify-write"
package exercises

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// hitScript counts and, on a window's first hit, sets the expiry: one
// script, so Redis runs both with nothing in between, and no dropped
// connection can leave a count without its expiry.
var hitScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
return n
`)

// Hit counts one request in the counter at key and reports whether it is
// within limit for the window that started with the key's first hit.
func Hit(ctx context.Context, rdb redis.Cmdable, key string, limit int64, window time.Duration) (allowed bool, err error) {
	n, err := rdb.Get(ctx, key).Int64()
	if err != nil && err != redis.Nil {
		return false, err
	}
	n++
	ttl := window
	if n > 1 {
		if ttl, err = rdb.PTTL(ctx, key).Result(); err != nil {
			return false, err
		}
	}
	if err := rdb.Set(ctx, key, n, ttl).Err(); err != nil {
		return false, err
	}
	return n <= limit, nil
}
