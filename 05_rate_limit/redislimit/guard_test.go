package redislimit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/redisenv"
)

// noHang is the most real time any guarded call may take in these tests:
// the Guard's timeout plus ample slack for a busy machine. It is not a
// speed goal; it turns a hang into a failure.
const noHang = 5 * time.Second

// guardTimeout is the tests' Guard timeout: long enough that a busy
// machine never times out a store that is up (a stopped store is refused
// at once), short enough that a stalled one costs little.
const guardTimeout = time.Second

// logBuffer is a slog.Logger writing to a buffer the test reads.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newGuard(t *testing.T, s *redisenv.Server, p Policy) (*Guard, *logBuffer) {
	t.Helper()
	c := patientClient(s)
	t.Cleanup(func() { c.Close() })
	g, err := NewGCRA(c, s.Key("guard:"), perHour)
	require.NoError(t, err)
	logs := &logBuffer{}
	guard, err := NewGuard(GuardConfig{Limiter: g, OnStoreDown: p, Timeout: guardTimeout,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	require.NoError(t, err)
	return guard, logs
}

// allowWithin calls guard.Allow and fails the test if it takes longer than
// noHang.
func allowWithin(t *testing.T, guard *Guard, key string) (Decision, error) {
	t.Helper()
	start := time.Now()
	d, err := guard.Allow(context.Background(), key)
	require.Less(t, time.Since(start), noHang, "a guarded call must return within its timeout")
	return d, err
}

// TestGuardStoreStopsMidRun stops the store in the middle of a run, under
// each policy, and brings it back.
func TestGuardStoreStopsMidRun(t *testing.T) {
	for _, p := range []Policy{FailOpen, FailClosed} {
		t.Run(p.String(), func(t *testing.T) {
			s := redisenv.New(t)
			guard, logs := newGuard(t, s, p)
			for range perHour.Burst {
				d, err := allowWithin(t, guard, "client")
				require.NoError(t, err)
				require.True(t, d.Allowed)
			}
			d, err := allowWithin(t, guard, "client")
			require.NoError(t, err)
			require.False(t, d.Allowed, "the store's answer: over the limit")

			s.Stop()
			for range 3 {
				d, err := allowWithin(t, guard, "client")
				switch p {
				case FailOpen:
					require.NoError(t, err)
					assert.True(t, d.Allowed, "fail-open admits while the store is down")
				case FailClosed:
					require.ErrorIs(t, err, ErrStoreDown)
					assert.False(t, d.Allowed, "fail-closed refuses while the store is down")
				}
			}
			stats := guard.Stats()
			if p == FailOpen {
				assert.Equal(t, GuardStats{FailedOpen: 3}, stats)
			} else {
				assert.Equal(t, GuardStats{FailedClosed: 3}, stats)
			}
			assert.Equal(t, 1, bytes.Count([]byte(logs.String()), []byte("rate limit store unavailable")),
				"one log line per outage, not per request:\n%s", logs)
			assert.Contains(t, logs.String(), "policy="+p.String())

			s.Resume()
			d, err = allowWithin(t, guard, "client")
			require.NoError(t, err, "after Resume the store answers again")
			assert.False(t, d.Allowed, "and still remembers the client is over its limit")
			assert.Contains(t, logs.String(), "rate limit store answers again")
		})
	}
}

// TestGuardStoreStalls makes the store hang: every call must end at the
// Guard's timeout, with the policy's answer.
func TestGuardStoreStalls(t *testing.T) {
	for _, p := range []Policy{FailOpen, FailClosed} {
		t.Run(p.String(), func(t *testing.T) {
			s := redisenv.New(t)
			guard, _ := newGuard(t, s, p)
			_, err := allowWithin(t, guard, "client") // a pooled connection
			require.NoError(t, err)

			s.Stall()
			d, err := allowWithin(t, guard, "client")
			s.Resume()
			if p == FailOpen {
				require.NoError(t, err)
				assert.True(t, d.Allowed)
			} else {
				require.ErrorIs(t, err, ErrStoreDown)
				var ne net.Error
				assert.True(t, errors.As(err, &ne) && ne.Timeout(), "the cause, a timeout, stays reachable: %v", err)
			}
		})
	}
}

// TestGuardCallerGaveUp: a caller whose context is done gets its own
// error, never the fail-open admission or ErrStoreDown.
func TestGuardCallerGaveUp(t *testing.T) {
	s := redisenv.New(t)
	guard, logs := newGuard(t, s, FailOpen)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := guard.Allow(ctx, "client")
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, ErrStoreDown))
	assert.False(t, d.Allowed)
	assert.Zero(t, guard.Stats().FailedOpen)
	assert.Empty(t, logs.String())
}

func TestGuardConfig(t *testing.T) {
	g, err := NewGCRA(nil, "", perHour)
	require.NoError(t, err)
	_, err = NewGuard(GuardConfig{Limiter: g})
	assert.ErrorIs(t, err, ErrNoPolicy, "no default policy")
	_, err = NewGuard(GuardConfig{Limiter: g, OnStoreDown: Policy(7)})
	assert.ErrorIs(t, err, ErrNoPolicy)
	_, err = NewGuard(GuardConfig{OnStoreDown: FailOpen})
	assert.Error(t, err, "nil Limiter")
	_, err = NewGuard(GuardConfig{Limiter: g, OnStoreDown: FailOpen, Timeout: -time.Second})
	assert.Error(t, err, "negative timeout")
	guard, err := NewGuard(GuardConfig{Limiter: g, OnStoreDown: FailClosed})
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, guard.cfg.Timeout)
}

// TestMiddlewareThreeReplicas puts lesson 05's middleware on three
// replicas, once with a bucket per process and once with the shared
// limit, and sends one client's requests round-robin through them.
func TestMiddlewareThreeReplicas(t *testing.T) {
	s := redisenv.New(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	key := func(*http.Request) string { return "203.0.113.7" }
	now := func() time.Time { return redisenv.Epoch } // the local buckets' clock stands still too

	send := func(replicas []http.Handler, n int) (codes map[int]int, retryAfter []string) {
		codes = map[int]int{}
		for i := range n {
			rec := httptest.NewRecorder()
			replicas[i%len(replicas)].ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			codes[rec.Code]++
			if ra := rec.Header().Get("Retry-After"); ra != "" {
				retryAfter = append(retryAfter, ra)
			}
		}
		return codes, retryAfter
	}

	var local []http.Handler
	for range 3 {
		m, err := ratelimit.NewMiddleware(ratelimit.Config{Rate: ratelimit.Every(12 * time.Minute), Burst: 5, Key: key, Now: now})
		require.NoError(t, err)
		local = append(local, m.Wrap(ok))
	}
	codes, _ := send(local, 30)
	assert.Equal(t, 15, codes[http.StatusOK], "a bucket per replica: 3 × the burst of 5")

	guard, _ := newGuard(t, s, FailClosed)
	var shared []http.Handler
	var mws []*ratelimit.Middleware
	for range 3 {
		m, err := ratelimit.NewMiddleware(ratelimit.Config{Shared: guard, Key: key})
		require.NoError(t, err)
		mws = append(mws, m)
		shared = append(shared, m.Wrap(ok))
	}
	codes, retryAfter := send(shared, 30)
	assert.Equal(t, 5, codes[http.StatusOK], "the shared limit: the burst of 5, once")
	assert.Equal(t, 25, codes[http.StatusTooManyRequests])
	require.NotEmpty(t, retryAfter)
	for _, ra := range retryAfter {
		// 12 minutes until the next request is earned: 720 s, less the
		// wall time a real server's clock moved meanwhile, rounded up.
		assert.Contains(t, []string{"719", "720"}, ra, "Retry-After from the store's answer")
	}

	s.Stop()
	codes, _ = send(shared, 3)
	s.Resume()
	assert.Equal(t, map[int]int{http.StatusServiceUnavailable: 3}, codes, "fail-closed: 503 while the store is down")
	var unavailable int64
	for _, m := range mws {
		unavailable += m.Stats().Unavailable
	}
	assert.EqualValues(t, 3, unavailable)

	_, err := ratelimit.NewMiddleware(ratelimit.Config{Shared: guard, Rate: 5})
	assert.ErrorIs(t, err, ratelimit.ErrBadConfig, "a Rate beside a shared limit would be ignored")
}
