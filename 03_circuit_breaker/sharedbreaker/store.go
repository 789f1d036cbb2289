package sharedbreaker

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// ErrLocked is RedisStore.Lock's answer when another caller holds the lock.
var ErrLocked = errors.New("sharedbreaker: lock held by another caller")

// ErrNotLockOwner is RedisStore.Unlock's answer when the lock is not this
// store's any more: it expired, and perhaps someone else holds it now.
var ErrNotLockOwner = errors.New("sharedbreaker: lock not held by this store")

var _ gobreaker.SharedDataStore = (*RedisStore)(nil)

// RedisStore is gobreaker's SharedDataStore on go-redis: a lock with an
// owner token and an expiry, and a plain key for the breaker's state. It is
// safe for concurrent use; give each replica its own.
type RedisStore struct {
	client  redis.Cmdable
	prefix  string
	lockTTL time.Duration
	timeout time.Duration

	mu     sync.Mutex
	tokens map[string]string // lock name -> the token this store holds it with

	lockAttempts, lockRefusals atomic.Uint64
}

// NewRedisStore returns a store that keeps everything under keys starting
// with prefix. lockTTL is how long a lock lives if its holder never
// unlocks (it crashed): gobreaker holds the lock for the whole call, so
// lockTTL must be longer than the slowest call, or two holders overlap.
// Zero or negative means 10 seconds. Every store call is bounded by one
// second on top of the client's own timeouts: gobreaker's interface passes
// no context.
func NewRedisStore(client redis.Cmdable, prefix string, lockTTL time.Duration) *RedisStore {
	if lockTTL <= 0 {
		lockTTL = 10 * time.Second
	}
	return &RedisStore{
		client:  client,
		prefix:  prefix,
		lockTTL: lockTTL,
		timeout: time.Second,
		tokens:  map[string]string{},
	}
}

// Lock takes the lock called name if nobody holds it, and returns ErrLocked
// at once if somebody does; it never waits (gobreaker retries). The value
// stored is a random token, so that Unlock can tell its own lock from
// somebody else's.
func (s *RedisStore) Lock(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	s.lockAttempts.Add(1)
	token := rand.Text()
	ok, err := s.client.SetNX(ctx, s.prefix+name, token, s.lockTTL).Result()
	switch {
	case err != nil:
		return fmt.Errorf("sharedbreaker: lock %s: %w", name, err)
	case !ok:
		s.lockRefusals.Add(1)
		return ErrLocked
	}
	s.mu.Lock()
	s.tokens[name] = token
	s.mu.Unlock()
	return nil
}

// unlockScript deletes the lock only if it still holds our token: checking
// and deleting in two commands would let the lock expire, and another
// replica take it, in between.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Unlock releases the lock called name if this store holds it. If the lock
// expired meanwhile it deletes nothing and returns ErrNotLockOwner: the
// caller's work outlived lockTTL and may have overlapped another holder's.
func (s *RedisStore) Unlock(name string) error {
	s.mu.Lock()
	token, ok := s.tokens[name]
	delete(s.tokens, name)
	s.mu.Unlock()
	if !ok {
		return ErrNotLockOwner
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	n, err := unlockScript.Run(ctx, s.client, []string{s.prefix + name}, token).Int()
	switch {
	case err != nil:
		return fmt.Errorf("sharedbreaker: unlock %s: %w", name, err)
	case n == 0:
		return ErrNotLockOwner
	}
	return nil
}

// GetData returns the data stored under name, or nil if there is none.
func (s *RedisStore) GetData(name string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	data, err := s.client.Get(ctx, s.prefix+name).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sharedbreaker: get %s: %w", name, err)
	}
	return data, nil
}

// SetData stores data under name.
func (s *RedisStore) SetData(name string, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if err := s.client.Set(ctx, s.prefix+name, data, 0).Err(); err != nil {
		return fmt.Errorf("sharedbreaker: set %s: %w", name, err)
	}
	return nil
}

// LockStats returns how many times Lock was called and how many of those
// found the lock taken.
func (s *RedisStore) LockStats() (attempts, refused uint64) {
	return s.lockAttempts.Load(), s.lockRefusals.Load()
}
