package exercises

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotOwner is Release's answer when the token no longer holds the lock.
var ErrNotOwner = errors.New("lock not held by this token")

// Exercise 6: a lock in Redis that only its owner can release.
//
// gobreaker's DistributedCircuitBreaker takes a lock in the shared store
// around every call (see sharedbreaker.RedisStore). RedisLock is such a
// lock, kept under Key. Several replicas, each with its own client, use
// the same Key.
//
// Acquire tries once and never waits. If nobody holds the lock it takes
// it and returns a token naming this acquisition, and ok true; if somebody
// holds it, it returns "", false and no error. A lock must expire by
// itself once hold has passed, so that a holder that crashed does not
// block everyone forever, and not before: the lock guards work that takes
// up to hold, and a second holder must not get in while the first still
// works. A crash can come between any two commands, so the lock and its
// expiry must be set in one.
//
// Release releases the lock if token still holds it, and otherwise
// deletes nothing and returns ErrNotOwner: the lock expired, and perhaps
// another replica holds it now.
//
// Hint: SET with NX and PX checks and takes in one command (go-redis:
// SetNX with a time.Duration). Make a fresh random token for every
// acquisition (crypto/rand's Text). Release must compare and delete in one
// step too: a Lua script (redis.NewScript) runs on the server with nobody
// in between.
//
// Run: go test -run Ex6 ./03_circuit_breaker/exercises/
type RedisLock struct {
	Client redis.Cmdable
	Key    string
}

// Acquire takes the lock for hold if it is free.
func (l *RedisLock) Acquire(ctx context.Context, hold time.Duration) (token string, ok bool, err error) {
	return "", false, errNotImplemented
}

// Release gives the lock back if token still holds it.
func (l *RedisLock) Release(ctx context.Context, token string) error {
	return errNotImplemented
}
