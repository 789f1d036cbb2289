// Mistake: every acquisition uses the same token, so an old holder's Release passes the owner check and frees a newer holder's lock.
// Caught: "two acquisitions got the same token"
package exercises

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotOwner is Release's answer when the token no longer holds the lock.
var ErrNotOwner = errors.New("lock not held by this token")

// RedisLock is a lock in Redis that only its owner can release.
type RedisLock struct {
	Client redis.Cmdable
	Key    string
}

// Acquire takes the lock for hold if it is free: SET NX PX checks, takes
// and sets the expiry in one command.
func (l *RedisLock) Acquire(ctx context.Context, hold time.Duration) (token string, ok bool, err error) {
	token = "locked"
	ok, err = l.Client.SetNX(ctx, l.Key, token, hold).Result()
	if err != nil || !ok {
		return "", false, err
	}
	return token, true, nil
}

// releaseScript deletes the key only if it still holds the token.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Release gives the lock back if token still holds it.
func (l *RedisLock) Release(ctx context.Context, token string) error {
	n, err := releaseScript.Run(ctx, l.Client, []string{l.Key}, token).Int()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotOwner
	}
	return nil
}
