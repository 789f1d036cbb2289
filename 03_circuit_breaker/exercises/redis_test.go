package exercises

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/flaky/redisenv"
)

// The tests of exercises 6 and 7 run on the embedded Redis server, whose
// clock stands still until the test moves it, so a key expires exactly
// when the test says. Replicas are RedisLocks (or OpenSpells) on one key,
// each with its own client.

// lockRig is one embedded server and the replicas' locks on one key.
type lockRig struct {
	srv  redisenv.Store
	key  string
	look redisenv.Client // the test's own client, to inspect the key
}

func newLockRig(t *testing.T) *lockRig {
	t.Helper()
	srv, err := redisenv.StartEmbeddedStore()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	r := &lockRig{srv: srv, key: srv.Key("lock")}
	r.look = r.client(t, nil)
	return r
}

// client returns a connected client with hook (if any) installed. Its
// timeouts are generous: a loaded machine must not fail these tests.
func (r *lockRig) client(t *testing.T, hook redis.Hook) redisenv.Client {
	t.Helper()
	c := r.srv.PatientClient(2 * time.Second)
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if hook != nil {
		c.AddHook(hook)
	}
	return c
}

func (r *lockRig) lock(t *testing.T, hook redis.Hook) *RedisLock {
	return &RedisLock{Client: r.client(t, hook), Key: r.key}
}

// holder returns the token the key holds now, or "" if it is free.
func (r *lockRig) holder(t *testing.T) string {
	t.Helper()
	v, err := r.look.Get(context.Background(), r.key).Result()
	if errors.Is(err, redis.Nil) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (r *lockRig) advance(t *testing.T, d time.Duration) {
	t.Helper()
	if err := r.srv.Advance(d); err != nil {
		t.Fatal(err)
	}
}
