// Mistake: Release compares with GET and then deletes with DEL: the lock can expire and change hands in between, and the late holder deletes the new one.
// Caught: "between your check and your delete"
package exercises

import (
	"context"
	"crypto/rand"
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
	token = rand.Text()
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
	held, err := l.Client.Get(ctx, l.Key).Result()
	if errors.Is(err, redis.Nil) {
		return ErrNotOwner
	}
	if err != nil {
		return err
	}
	if held != token {
		return ErrNotOwner
	}
	n, err := l.Client.Del(ctx, l.Key).Result()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotOwner
	}
	return nil
}
