package exercises

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/flaky/redisenv"
)

// hitter is a test's Redis: the server (embedded, or REDIS_URL's), a
// client, and a key of the test's own.
type hitter struct {
	s   redisenv.Store
	c   redisenv.Client
	key string
}

func newHitter(t *testing.T) *hitter {
	t.Helper()
	s := redisenv.NewStore(t)
	c := patientClient(s)
	t.Cleanup(func() { c.Close() })
	return &hitter{s: s, c: c, key: s.Key("window")}
}

// hit calls Hit and fails the test on an error, or as not started on the
// stub's.
func (h *hitter) hit(t *testing.T, c redisenv.Client, limit int64, window time.Duration) bool {
	t.Helper()
	ok, err := Hit(context.Background(), c, h.key, limit, window)
	if errors.Is(err, errNotImplemented) {
		notStarted(t, "Hit returned %q; want hits 1 to limit allowed, the rest refused, counted in Redis at key", err)
	}
	if err != nil {
		t.Fatalf("Hit returned an error while Redis was up: %v", err)
	}
	return ok
}

func (h *hitter) pttl(t *testing.T) time.Duration {
	t.Helper()
	d, err := h.c.PTTL(context.Background(), h.key).Result()
	if err != nil {
		t.Fatalf("PTTL %s: %v", h.key, err)
	}
	return d
}

func TestEx6AllowsUpToTheLimit(t *testing.T) {
	h := newHitter(t)
	for i := range 5 {
		got := h.hit(t, h.c, 3, time.Minute)
		if want := i < 3; got != want {
			t.Fatalf("with a limit of 3, hit %d: allowed = %v, want %v (hits 1 to 3 pass, the rest are refused)", i+1, got, want)
		}
	}
	n, err := h.c.Get(context.Background(), h.key).Int64()
	if err != nil {
		t.Fatalf("the counter must be at key %q: GET: %v", h.key, err)
	}
	if n != 5 {
		t.Errorf("after 5 hits the counter at key holds %d, want 5: every hit is counted, refused ones too", n)
	}
}

func TestEx6WindowHasItsLength(t *testing.T) {
	h := newHitter(t)
	const window = 1500 * time.Millisecond
	h.hit(t, h.c, 3, window)
	switch ttl := h.pttl(t); {
	case ttl == -1:
		t.Fatalf("after the first hit the counter has no expiry: it never expires, and once full it refuses its client forever; expire it one window after the first hit")
	case ttl == -2:
		t.Fatalf("after the first hit there is no counter at key %q", h.key)
	case ttl > window:
		t.Fatalf("the counter expires in %v, but the window is %v", ttl, window)
	case ttl <= window-400*time.Millisecond:
		t.Fatalf("the counter expires in %v, but the window is %v: EXPIRE takes whole seconds and rounds 1.5 s down; use PEXPIRE, milliseconds", ttl, window)
	}
}

func TestEx6WindowDoesNotRestart(t *testing.T) {
	h := newHitter(t)
	h.hit(t, h.c, 5, time.Minute)
	// As if 59.7 s of the window had passed: 300 ms left.
	if err := h.c.PExpire(context.Background(), h.key, 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	h.hit(t, h.c, 5, time.Minute)
	if ttl := h.pttl(t); ttl > 300*time.Millisecond || ttl == -1 {
		t.Fatalf("a later hit set the counter's expiry to %v, but the window had 300ms left: the window must not restart on every hit, or a steady client never sees it end; set the expiry on the first hit only", ttl)
	}
}

// TestEx6NewWindowAfterExpiry ends the window: on the embedded server by
// moving its clock a window on, on a real one (whose clock cannot be
// moved) by deleting the counter, as its expiry would.
func TestEx6NewWindowAfterExpiry(t *testing.T) {
	h := newHitter(t)
	for i := range 3 {
		if got, want := h.hit(t, h.c, 2, time.Second), i < 2; got != want {
			t.Fatalf("with a limit of 2, hit %d: allowed = %v, want %v", i+1, got, want)
		}
	}
	if h.s.Embedded() {
		if err := h.s.Advance(time.Second); err != nil {
			t.Fatal(err)
		}
	} else if err := h.c.Del(context.Background(), h.key).Err(); err != nil {
		t.Fatal(err)
	}
	if !h.hit(t, h.c, 2, time.Second) {
		t.Fatalf("one window after the first hit the counter must be gone and the next hit allowed; it was refused")
	}
	if ttl := h.pttl(t); ttl <= 0 {
		t.Fatalf("the first hit of a new window left the counter without an expiry (PTTL %v): every window's first hit sets it", ttl)
	}
}

// TestEx6TwoReplicasInterleaved forces the interleaving a race between two
// replicas would find now and then: replica A's first command on the key
// completes, then replica B makes a whole hit, then A goes on. With
// INCR, or a script, A's first command is the whole hit, and the counts
// are right whatever B does; with GET then SET, both read 0 and both
// think they had the one allowed hit.
func TestEx6TwoReplicasInterleaved(t *testing.T) {
	h := newHitter(t)
	b := patientClient(h.s)
	defer b.Close()
	a := patientClient(h.s)
	defer a.Close()

	var bAllowed, paused bool
	a.AddHook(pauseAfterFirst(func() {
		paused = true
		bAllowed = h.hit(t, b, 1, time.Minute)
	}))
	aAllowed := h.hit(t, a, 1, time.Minute)
	if !paused {
		t.Fatalf("replica A's Hit sent no command to Redis")
	}
	switch {
	case aAllowed && bAllowed:
		t.Fatalf("with a limit of 1, replicas A and B were both allowed: B's hit came between A's read and A's write, and A wrote back a count that missed B's (GET then SET is a read-modify-write another replica can interleave with); let Redis add atomically: INCR, or a script")
	case !aAllowed && !bAllowed:
		t.Fatalf("with a limit of 1 and two hits, neither was allowed; want exactly one")
	}
}

// pauseAfterFirst is a go-redis hook that calls between once, right after
// the client's first command (outside a pipeline) completes.
func pauseAfterFirst(between func()) redis.Hook {
	done := false
	return hook{process: func(next redis.ProcessHook) redis.ProcessHook {
		return func(ctx context.Context, cmd redis.Cmder) error {
			err := next(ctx, cmd)
			if !done && isKeyCommand(cmd) {
				done = true
				between()
			}
			return err
		}
	}}
}

// isKeyCommand leaves out the commands go-redis sends on its own.
func isKeyCommand(cmd redis.Cmder) bool {
	switch strings.ToLower(cmd.Name()) {
	case "hello", "ping", "client", "auth", "select", "script":
		return false
	}
	return true
}

// TestEx6ExpirySurvivesADroppedConnection drops the connection in the
// worst place: when the answer sends an expiry command on its own, after
// the count, that command never reaches Redis. An answer that sets the
// count and the expiry in one step has no such place.
func TestEx6ExpirySurvivesADroppedConnection(t *testing.T) {
	h := newHitter(t)
	c := patientClient(h.s)
	defer c.Close()
	dropped := false
	c.AddHook(hook{process: func(next redis.ProcessHook) redis.ProcessHook {
		return func(ctx context.Context, cmd redis.Cmder) error {
			switch strings.ToLower(cmd.Name()) {
			case "expire", "pexpire", "expireat", "pexpireat":
				dropped = true
				err := errors.New("connection reset by peer (dropped by the test)")
				cmd.SetErr(err)
				return err
			}
			return next(ctx, cmd)
		}
	}})
	ok, err := Hit(context.Background(), c, h.key, 3, time.Minute)
	if errors.Is(err, errNotImplemented) {
		notStarted(t, "Hit returned %q; want the counter and its expiry set in one atomic step", err)
	}
	if !dropped && err != nil {
		t.Fatalf("Hit returned an error while Redis was up: %v", err)
	}
	if ttl := h.pttl(t); ttl == -1 {
		t.Fatalf("the connection dropped after the count and before its expiry (Hit returned %v, %v), and the counter was left without an expiry: it would refuse this client forever; set the count and the expiry in one atomic step, a Lua script", ok, err)
	}
}

// hook implements redis.Hook with only a process step.
type hook struct {
	process func(redis.ProcessHook) redis.ProcessHook
}

func (h hook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return h.process(next)
}
func (h hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
