package ratelimit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The middleware's behaviour, as one table run over both bucket makers:
// every row must hold for the hand-rolled Limiter and for x/time/rate.

var implementations = []struct {
	name      string
	newBucket func(Limit, int) Bucket
}{
	{"handrolled", Handrolled},
	{"library", Library},
}

// clock is a settable clock for the middleware.
type clock struct{ now atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.now.Store(t0.UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) advance(d time.Duration) { c.now.Add(int64(d)) }

// server is a middleware in front of a handler that counts its calls.
type server struct {
	mw      *Middleware
	h       http.Handler
	clock   *clock
	reached int
}

func newServer(t *testing.T, cfg Config) *server {
	t.Helper()
	s := &server{clock: newClock()}
	cfg.Now = s.clock.Now
	mw, err := NewMiddleware(cfg)
	require.NoError(t, err)
	s.mw = mw
	s.h = mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.reached++
		w.WriteHeader(http.StatusOK)
	}))
	return s
}

// request sends one request from remoteAddr, with X-Forwarded-For lines
// if any, and returns the status and Retry-After.
func (s *server) request(remoteAddr string, forwardedFor ...string) (status int, retryAfter string) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = remoteAddr
	for _, f := range forwardedFor {
		r.Header.Add("X-Forwarded-For", f)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w.Code, w.Header().Get("Retry-After")
}

func TestMiddlewareBehaviour(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			cfg := func(r Limit, b int) Config { return Config{Rate: r, Burst: b, NewBucket: impl.newBucket} }

			t.Run("burst passes, then 429 with Retry-After, handler not called", func(t *testing.T) {
				s := newServer(t, cfg(1, 3))
				for i := range 3 {
					code, ra := s.request("192.0.2.1:1000")
					require.Equal(t, http.StatusOK, code, "request %d of a burst of 3", i+1)
					assert.Empty(t, ra)
				}
				code, ra := s.request("192.0.2.1:1000")
				assert.Equal(t, http.StatusTooManyRequests, code)
				assert.Equal(t, "1", ra)
				assert.Equal(t, 3, s.reached, "a refused request must not reach the handler")
				assert.Equal(t, Stats{Admitted: 3, Limited: 1, Clients: 1}, s.mw.Stats())
			})

			t.Run("Retry-After rounds up, never 0", func(t *testing.T) {
				for _, c := range []struct {
					rate Limit
					want string
				}{{2, "1"}, {1, "1"}, {0.5, "2"}, {0.3, "4"}, {Every(time.Minute), "60"}, {1e-9, "1000000000"}} {
					s := newServer(t, cfg(c.rate, 1))
					s.request("192.0.2.1:1")
					_, ra := s.request("192.0.2.1:1")
					assert.Equal(t, c.want, ra, "rate %v, empty bucket", c.rate)
				}
			})

			t.Run("a client that waits Retry-After gets through, one second less does not", func(t *testing.T) {
				r := rand.New(rand.NewPCG(1, 2))
				for range 300 {
					rate := Limit(math.Exp(r.Float64()*8 - 5)) // about 0.007 to 20 per second
					burst := 1 + r.IntN(3)
					s := newServer(t, cfg(rate, burst))
					// Empty the bucket, let a random fraction of tokens
					// come back, and knock until refused.
					for range burst {
						s.request("192.0.2.1:1")
					}
					s.clock.advance(time.Duration(r.Float64() * 1.5 / float64(rate) * float64(time.Second)))
					var ra string
					for code := 200; code == 200; {
						code, ra = s.request("192.0.2.1:1")
					}
					secs, err := strconv.Atoi(ra)
					require.NoError(t, err, "Retry-After %q is not whole seconds", ra)
					require.GreaterOrEqual(t, secs, 1)
					// Ask the bucket, so that these probes spend nothing.
					bucket := s.mw.clients.byKey["192.0.2.1"].bucket
					now := s.clock.Now()
					assert.GreaterOrEqual(t, bucket.TokensAt(now.Add(time.Duration(secs)*time.Second)), 1.0,
						"rate %v: after Retry-After %ds the token must be there", rate, secs)
					if secs > 1 {
						assert.Less(t, bucket.TokensAt(now.Add(time.Duration(secs-1)*time.Second)), 1.0,
							"rate %v: Retry-After %ds is a second longer than needed", rate, secs)
					}
				}
			})

			t.Run("refills at the rate", func(t *testing.T) {
				s := newServer(t, cfg(4, 2))
				s.request("192.0.2.1:1")
				s.request("192.0.2.1:1")
				code, _ := s.request("192.0.2.1:1")
				require.Equal(t, http.StatusTooManyRequests, code)
				s.clock.advance(249 * time.Millisecond)
				code, _ = s.request("192.0.2.1:1")
				assert.Equal(t, http.StatusTooManyRequests, code, "249ms earns 0.996 tokens at 4/s")
				s.clock.advance(time.Millisecond)
				code, _ = s.request("192.0.2.1:1")
				assert.Equal(t, http.StatusOK, code, "250ms earns one token at 4/s")
			})

			t.Run("each client has its own bucket", func(t *testing.T) {
				s := newServer(t, cfg(1, 2))
				for range 10 {
					s.request("198.51.100.7:4000") // the noisy one
				}
				code, _ := s.request("192.0.2.1:5000")
				assert.Equal(t, http.StatusOK, code, "a quiet client must not pay for a noisy one")
				code, _ = s.request("198.51.100.7:4001")
				assert.Equal(t, http.StatusTooManyRequests, code, "a new connection (new port) is the same client")
				code, _ = s.request("[::ffff:198.51.100.7]:4002")
				assert.Equal(t, http.StatusTooManyRequests, code, "an IPv4-mapped IPv6 address is the same client")
			})

			t.Run("X-Forwarded-For is ignored by default", func(t *testing.T) {
				s := newServer(t, cfg(1, 2))
				for i := range 5 {
					code, _ := s.request("198.51.100.7:4000", fmt.Sprintf("10.0.0.%d", i))
					if i >= 2 {
						assert.Equal(t, http.StatusTooManyRequests, code,
							"a client that makes up a new X-Forwarded-For per request must not get a new bucket")
					}
				}
			})

			t.Run("ForwardedFor keys by the address the trusted proxy saw", func(t *testing.T) {
				c := cfg(1, 1)
				c.Key = ForwardedFor(1)
				s := newServer(t, c)
				// All requests come from the proxy, 10.0.0.1; the proxy
				// appends the client's address to whatever the client sent.
				code, _ := s.request("10.0.0.1:80", "203.0.113.5")
				assert.Equal(t, http.StatusOK, code)
				code, _ = s.request("10.0.0.1:80", "1.2.3.4, 203.0.113.5")
				assert.Equal(t, http.StatusTooManyRequests, code, "a forged entry left of the proxy's is ignored")
				code, _ = s.request("10.0.0.1:80", "203.0.113.6")
				assert.Equal(t, http.StatusOK, code, "another client, another bucket")
			})
		})
	}
}

func TestMiddlewareConfig(t *testing.T) {
	for _, c := range []Config{
		{Rate: 0, Burst: 1}, {Rate: -1, Burst: 1}, {Rate: Limit(math.NaN()), Burst: 1},
		{Rate: Limit(math.Inf(1)), Burst: 1}, {Rate: 1, Burst: 0}, {Rate: 1, Burst: 1, MaxClients: -1},
	} {
		_, err := NewMiddleware(c)
		assert.ErrorIs(t, err, ErrBadConfig, "%+v", c)
	}
	m, err := NewMiddleware(Config{Rate: Inf, Burst: 1})
	require.NoError(t, err)
	for range 100 {
		ok, _ := m.Allow("k", t0)
		require.True(t, ok, "Inf allows everything")
	}
	assert.Equal(t, 10_000, m.clients.max, "MaxClients defaults to 10,000")
}
