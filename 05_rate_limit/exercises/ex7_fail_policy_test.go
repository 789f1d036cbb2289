package exercises

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"reliability/flaky/redisenv"
)

// logText is a slog.Logger's output, safe to read while goroutines log.
type logText struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logText) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logText) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestGuard(p Policy, ask func(context.Context) (bool, error)) (*Guard, *logText) {
	logs := &logText{}
	return &Guard{Ask: ask, Timeout: 50 * time.Millisecond, Policy: p,
		Log: slog.New(slog.NewTextHandler(logs, nil))}, logs
}

// allow calls g.Allow and fails the test as not started on the stub's
// answer.
func allow(t *testing.T, g *Guard, ctx context.Context) (bool, error) {
	t.Helper()
	ok, err := g.Allow(ctx)
	if errors.Is(err, errNotImplemented) {
		notStarted(t, "Allow returned %q; want the store's answer, or the Policy's when the store fails", err)
	}
	return ok, err
}

var errRefused = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func storeSays(ok bool) func(context.Context) (bool, error) {
	return func(context.Context) (bool, error) { return ok, nil }
}

func storeFails(context.Context) (bool, error) { return false, errRefused }

func TestEx7PassesTheStoresAnswer(t *testing.T) {
	for _, p := range []Policy{FailOpen, FailClosed} {
		for _, want := range []bool{true, false} {
			g, _ := newTestGuard(p, storeSays(want))
			got, err := allow(t, g, context.Background())
			if got != want || err != nil {
				t.Errorf("policy %d, the store answered %v: Allow returned %v, %v; want the store's answer and nil", p, want, got, err)
			}
			if n := g.FailedOpen(); n != 0 {
				t.Errorf("FailedOpen is %d, but the store answered every request", n)
			}
		}
	}
}

func TestEx7FailOpen(t *testing.T) {
	g, logs := newTestGuard(FailOpen, storeFails)
	ok, err := allow(t, g, context.Background())
	if !ok || err != nil {
		t.Fatalf("fail-open, the store refused the connection: Allow returned %v, %v; fail-open must admit (true, nil)", ok, err)
	}
	if n := g.FailedOpen(); n != 1 {
		t.Errorf("FailedOpen is %d after one request admitted without the store, want 1: fail-open must count what it lets through unlimited", n)
	}
	if !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("fail-open admitted a request without a limit and did not log a warning (slog's Warn); the log holds %q", logs.String())
	}
}

func TestEx7FailClosed(t *testing.T) {
	g, _ := newTestGuard(FailClosed, storeFails)
	ok, err := allow(t, g, context.Background())
	switch {
	case ok:
		t.Fatalf("fail-closed, the store refused the connection: Allow admitted the request; fail-closed must refuse")
	case err == nil:
		t.Fatalf("fail-closed refused but returned no error: it must return an error wrapping ErrStoreDown, so the caller can answer 503 rather than 429")
	case !errors.Is(err, ErrStoreDown):
		t.Fatalf("fail-closed returned %q: it must wrap ErrStoreDown", err)
	case !errors.Is(err, errRefused):
		t.Fatalf("fail-closed returned %q: the store's error must stay reachable too (wrap both: two %%w)", err)
	}
	if n := g.FailedOpen(); n != 0 {
		t.Errorf("FailedOpen is %d under fail-closed, want 0", n)
	}
}

func TestEx7NoPolicyNoDefault(t *testing.T) {
	for _, p := range []Policy{0, 3} {
		asked := false
		g, _ := newTestGuard(p, func(context.Context) (bool, error) { asked = true; return false, errRefused })
		ok, err := allow(t, g, context.Background())
		if ok || !errors.Is(err, ErrNoPolicy) {
			t.Errorf("Policy(%d), no policy chosen: Allow returned %v, %v; want false and ErrNoPolicy, not a default picked in silence", p, ok, err)
		}
		if asked {
			t.Errorf("Policy(%d): Allow asked the store although no policy was chosen", p)
		}
	}
}

// hangingStore is a store that never answers: its call ends only when its
// context does (or after an hour, for an answer that gives it none).
func hangingStore(ended *time.Duration, start time.Time) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		select {
		case <-ctx.Done():
			*ended = time.Since(start)
			return false, ctx.Err()
		case <-time.After(time.Hour):
			*ended = time.Since(start)
			return true, nil
		}
	}
}

func TestEx7BoundedByTimeout(t *testing.T) {
	for _, p := range []Policy{FailOpen, FailClosed} {
		bubble(t, "is the store call bounded by Timeout?", func(t *testing.T) {
			start := time.Now()
			var ended time.Duration
			g, _ := newTestGuard(p, hangingStore(&ended, start))
			ok, err := allow(t, g, context.Background())
			took := time.Since(start)
			if took > g.Timeout {
				t.Fatalf("the store hung, and Allow took %v with Timeout %v: bound the store call with context.WithTimeout(ctx, Timeout)", took, g.Timeout)
			}
			if p == FailOpen && (!ok || err != nil) {
				t.Errorf("fail-open, the store timed out: Allow returned %v, %v; want true, nil", ok, err)
			}
			if p == FailClosed && (ok || !errors.Is(err, ErrStoreDown)) {
				t.Errorf("fail-closed, the store timed out: Allow returned %v, %v; want false and ErrStoreDown", ok, err)
			}
		})
	}
}

func TestEx7CallerGivesUp(t *testing.T) {
	bubble(t, "does Allow return when the caller's context ends?", func(t *testing.T) {
		start := time.Now()
		var ended time.Duration
		g, logs := newTestGuard(FailOpen, hangingStore(&ended, start))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(10*time.Millisecond, cancel)
		ok, err := allow(t, g, ctx)
		if ended != 10*time.Millisecond {
			t.Fatalf("the caller gave up at 10ms, but the store call went on until %v: derive its context from ctx, not from context.Background()", ended)
		}
		if ok || !errors.Is(err, context.Canceled) {
			t.Fatalf("the caller gave up at 10ms: Allow returned %v, %v; want false and the caller's context.Canceled: a caller that gave up is not a store outage, so no policy applies", ok, err)
		}
		if n := g.FailedOpen(); n != 0 {
			t.Errorf("FailedOpen is %d: a caller that gave up is not a store outage, so nothing was admitted", n)
		}
		if logs.String() != "" {
			t.Errorf("a caller that gave up is not a store outage, yet the Guard logged %q", logs.String())
		}
	})
}

func TestEx7ManyAtOnce(t *testing.T) {
	g, _ := newTestGuard(FailOpen, storeFails)
	results := together(8, func() bool { ok, _ := g.Allow(context.Background()); return ok })
	for _, ok := range results {
		if !ok {
			if _, err := g.Allow(context.Background()); errors.Is(err, errNotImplemented) {
				notStarted(t, "Allow returned %q; want fail-open to admit", err)
			}
			t.Fatalf("fail-open, the store down: a request was refused")
		}
	}
	if n := g.FailedOpen(); n != 8 {
		t.Errorf("FailedOpen is %d after 8 requests at once were admitted without the store, want 8 (is the counter atomic?)", n)
	}
}

// TestEx7RealStoreStops puts a Guard in front of a real go-redis call to
// the embedded server (or REDIS_URL's), and takes the server away.
func TestEx7RealStoreStops(t *testing.T) {
	for _, p := range []Policy{FailOpen, FailClosed} {
		s := redisenv.NewStore(t)
		c := patientClient(s)
		defer c.Close()
		key := s.Key("requests")
		g, _ := newTestGuard(p, func(ctx context.Context) (bool, error) {
			n, err := c.Incr(ctx, key).Result()
			return n <= 2, err
		})
		g.Timeout = time.Second // a busy machine must not time out a store that is up
		for i, want := range []bool{true, true, false} {
			ok, err := allow(t, g, context.Background())
			if ok != want || err != nil {
				t.Fatalf("policy %d, store up, request %d: Allow returned %v, %v; want %v, nil (the store's answer)", p, i+1, ok, err, want)
			}
		}
		s.Stop()
		start := time.Now()
		ok, err := allow(t, g, context.Background())
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("the store was stopped and Allow took %v: it must return within its Timeout", took)
		}
		s.Resume()
		switch p {
		case FailOpen:
			if !ok || err != nil {
				t.Errorf("fail-open, the store stopped: Allow returned %v, %v; want true, nil", ok, err)
			}
		case FailClosed:
			if ok || !errors.Is(err, ErrStoreDown) {
				t.Errorf("fail-closed, the store stopped: Allow returned %v, %v; want false and ErrStoreDown", ok, err)
			}
		}
	}
}
