package exercises

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// acquire calls Acquire and stops the test if the stub answered.
func acquire(t *testing.T, l *RedisLock, hold time.Duration) (string, bool, error) {
	t.Helper()
	token, ok, err := l.Acquire(context.Background(), hold)
	if errors.Is(err, errNotImplemented) {
		t.Fatalf("not started: Acquire still answers like its stub. Want: a free lock taken, with a token and ok true.")
	}
	return token, ok, err
}

// mustAcquire acquires a lock that should be free.
func mustAcquire(t *testing.T, l *RedisLock, hold time.Duration, why string) string {
	t.Helper()
	token, ok, err := acquire(t, l, hold)
	switch {
	case err != nil:
		t.Fatalf("%s: Acquire returned the error %v; want a token and ok true", why, err)
	case !ok:
		t.Fatalf("%s: Acquire returned ok false; want true", why)
	case token == "":
		t.Fatalf("%s: Acquire returned ok true and an empty token; want a token that names this acquisition", why)
	}
	return token
}

// release calls Release and stops the test if the stub answered.
func release(t *testing.T, l *RedisLock, token string) error {
	t.Helper()
	err := l.Release(context.Background(), token)
	if errors.Is(err, errNotImplemented) {
		t.Fatalf("not started: Release still answers like its stub. Want: the lock deleted if the token holds it, else ErrNotOwner.")
	}
	return err
}

// afterFirst is a go-redis hook that, once armed, runs a function right
// after the next command its client sends: a replica paused between two of
// its commands while another replica acts.
type afterFirst struct {
	mu   sync.Mutex
	then func()
}

// arm makes the hook run then after the next command, once.
func (h *afterFirst) arm(then func()) {
	h.mu.Lock()
	h.then = then
	h.mu.Unlock()
}

func (h *afterFirst) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *afterFirst) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.mu.Lock()
		then := h.then
		h.then = nil
		h.mu.Unlock()
		if then != nil {
			then()
		}
		return err
	}
}

func (h *afterFirst) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// crashAfterFirst is a hook that lets its client's first command through
// and fails every later one, as if the process died right after it.
type crashAfterFirst struct{ sent atomic.Int32 }

var errCrashed = errors.New("the process died")

func (h *crashAfterFirst) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *crashAfterFirst) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.sent.Add(1) > 1 {
			cmd.SetErr(errCrashed)
			return errCrashed
		}
		return next(ctx, cmd)
	}
}

func (h *crashAfterFirst) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func TestEx6AcquireTakesAFreeLockOnce(t *testing.T) {
	r := newLockRig(t)
	a, b := r.lock(t, nil), r.lock(t, nil)
	tokA := mustAcquire(t, a, time.Second, "the lock is free")
	if got := r.holder(t); got != tokA {
		t.Fatalf("after Acquire returned token %q the key holds %q; want the token", tokA, got)
	}
	tokB, ok, err := acquire(t, b, time.Second)
	switch {
	case err != nil:
		t.Fatalf("Acquire on a held lock returned the error %v; want \"\", false, nil: a held lock is not an error, just a no", err)
	case ok:
		t.Fatalf("a second replica got a lock that is held (token %q): both now think they hold it; is the SET missing NX?", tokB)
	case tokB != "":
		t.Fatalf("Acquire on a held lock returned ok false and the token %q; want an empty token", tokB)
	}
	if got := r.holder(t); got != tokA {
		t.Fatalf("a refused Acquire changed the key from %q to %q; it must leave the holder's lock alone", tokA, got)
	}
}

func TestEx6LockExpiresOnceHoldHasPassed(t *testing.T) {
	r := newLockRig(t)
	a, b := r.lock(t, nil), r.lock(t, nil)
	const hold = 1500 * time.Millisecond
	mustAcquire(t, a, hold, "the lock is free")
	ttl, err := r.look.PTTL(context.Background(), r.key).Result()
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case ttl < 0:
		t.Fatalf("the lock has no expiry: a holder that crashes keeps it forever and every replica waits for good; give the SET a PX of hold")
	case ttl < hold:
		t.Fatalf("the lock expires after %v, before the %v of work it guards: a second replica could take it while the first still works (whole seconds? EX %d truncates)",
			ttl, hold, int(hold.Seconds()))
	}
	r.advance(t, hold-time.Millisecond)
	if _, ok, _ := acquire(t, b, hold); ok {
		t.Fatalf("a second replica took the lock %v after the first, before hold (%v) had passed", hold-time.Millisecond, hold)
	}
	r.advance(t, 2*time.Millisecond)
	if _, ok, err := acquire(t, b, hold); !ok {
		t.Fatalf("the lock is still held %v after it was taken for %v (err %v); want it free once hold has passed", hold+time.Millisecond, hold, err)
	}
}

func TestEx6ExpiryIsSetInTheSameCommand(t *testing.T) {
	r := newLockRig(t)
	a := r.lock(t, &crashAfterFirst{})
	_, _, err := acquire(t, a, time.Second)
	ttl, terr := r.look.PTTL(context.Background(), r.key).Result()
	if terr != nil {
		t.Fatal(terr)
	}
	if r.holder(t) == "" {
		t.Fatalf("Acquire's first command did not take the lock (Acquire returned %v); want the SET with NX and PX first", err)
	}
	if ttl < 0 {
		t.Fatalf("the process died right after Acquire's first command, and the lock it took has no expiry: nobody gets it ever again. The lock and its expiry must be set in the same command (SET NX PX), not SETNX then PEXPIRE")
	}
}

func TestEx6CheckAndTakeIsOneCommand(t *testing.T) {
	r := newLockRig(t)
	b := r.lock(t, nil)
	var (
		tokB   string
		bGot   bool
		bErr   error
		paused = &afterFirst{}
	)
	a := r.lock(t, paused)
	paused.arm(func() { tokB, bGot, bErr = b.Acquire(context.Background(), time.Second) })
	tokA, aGot, err := acquire(t, a, time.Second)
	if err != nil {
		t.Fatalf("Acquire on a free lock returned the error %v", err)
	}
	if bErr != nil && !errors.Is(bErr, errNotImplemented) {
		t.Fatalf("the second replica's Acquire returned the error %v", bErr)
	}
	switch {
	case aGot && bGot:
		t.Fatalf("both replicas got the lock (tokens %q and %q): the second one took it between the first one's check and its take. Check and take in one command: SET NX", tokA, tokB)
	case !aGot && !bGot:
		t.Fatalf("neither replica got the free lock")
	}
}

func TestEx6ReleaseOnlyByItsOwner(t *testing.T) {
	r := newLockRig(t)
	a, b := r.lock(t, nil), r.lock(t, nil)
	tokA := mustAcquire(t, a, time.Second, "the lock is free")
	r.advance(t, time.Second+time.Millisecond)
	tokB := mustAcquire(t, b, time.Second, "the first holder's lock has expired")
	if tokA == tokB {
		t.Errorf("two acquisitions got the same token %q: an old holder's Release could then free a newer holder's lock; make a fresh random token each time", tokA)
	}
	err := release(t, a, tokA)
	if got := r.holder(t); got != tokB {
		t.Fatalf("the first replica's lock expired and the second took it; the first one's late Release then left the key holding %q instead of %q: it deleted a lock it no longer owns (DEL without checking the token?)", got, tokB)
	}
	if !errors.Is(err, ErrNotOwner) {
		t.Fatalf("Release by a token that no longer holds the lock returned %v; it must return ErrNotOwner, so the caller learns its work outlived the lock", err)
	}
	if err := release(t, b, tokB); err != nil {
		t.Fatalf("Release by the holder returned %v; want nil", err)
	}
	if got := r.holder(t); got != "" {
		t.Fatalf("after the holder's Release the key still holds %q; want it deleted", got)
	}
	if err := release(t, b, tokB); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("a second Release of a lock already released returned %v; it must return ErrNotOwner", err)
	}
}

func TestEx6CheckAndDeleteIsOneStep(t *testing.T) {
	r := newLockRig(t)
	b := r.lock(t, nil)
	var tokB string
	paused := &afterFirst{}
	a := r.lock(t, paused)
	tokA := mustAcquire(t, a, time.Second, "the lock is free")
	// Armed only now: the pause falls inside Release, after its first
	// command. Meanwhile the lock expires and the second replica takes it.
	paused.arm(func() {
		if err := r.srv.Advance(time.Second + time.Millisecond); err != nil {
			t.Error(err)
		}
		tokB, _, _ = b.Acquire(context.Background(), time.Second)
	})
	err := release(t, a, tokA)
	if tokB == "" {
		t.Fatalf("the second replica could not take the lock once the first one's had expired (Release returned %v)", err)
	}
	if got := r.holder(t); got != tokB {
		t.Fatalf("the first replica's Release deleted the lock the second one took between your check and your delete (the key holds %q, want %q): compare and delete in one Lua script", got, tokB)
	}
}
