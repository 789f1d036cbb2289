// Mistake: INCR, then PEXPIRE as a second command: a dropped connection between them leaves a counter that never expires.
// Caught: "left without an expiry"
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
	n, err := rdb.Incr(ctx, key).Result()
	if err != nil {
		return false, err
	}
	if n == 1 {
		if err := rdb.PExpire(ctx, key, window).Err(); err != nil {
			return false, err
		}
	}
	return n <= limit, nil
}
