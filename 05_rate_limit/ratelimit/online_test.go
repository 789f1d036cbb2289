package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// The version you will find online, and its two defects, side by side
// with Middleware under the same traffic: a noisy client sending 20
// requests a second and a quiet one sending one request a second, for ten
// seconds, against a limit of 5 per second with bursts of 5.
func TestOneForAllLocksEveryoneOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
		naive := OneForAll(rate.NewLimiter(5, 5), ok)
		mw, err := NewMiddleware(Config{Rate: 5, Burst: 5, NewBucket: Library})
		require.NoError(t, err)
		perClient := mw.Wrap(ok)

		send := func(h http.Handler, addr string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = addr
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		quietServed := map[string]int{}
		var naiveRetryAfter []string
		for tick := range 200 { // 50ms apart: 10 seconds
			for name, h := range map[string]http.Handler{"one for all": naive, "per client": perClient} {
				send(h, "198.51.100.7:4000") // the noisy client, every tick
				if tick%20 == 10 {
					w := send(h, "192.0.2.1:5000") // the quiet client, once a second
					if w.Code == http.StatusOK {
						quietServed[name]++
					} else if name == "one for all" {
						naiveRetryAfter = append(naiveRetryAfter, w.Header().Get("Retry-After"))
					}
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		assert.Equal(t, 0, quietServed["one for all"],
			"one shared bucket: the noisy client spends every token and the quiet one is locked out")
		assert.Equal(t, 10, quietServed["per client"], "per-client buckets: the quiet client is always served")
		assert.Equal(t, []string{"", "", "", "", "", "", "", "", "", ""}, naiveRetryAfter,
			"the naive 429 says nothing about when to come back")
	})
}

// perAddrOnline is the usual next step found online, in our words: a map
// of limiters, one per r.RemoteAddr, created on first sight and never
// removed.
type perAddrOnline struct {
	mu   sync.Mutex
	lims map[string]*rate.Limiter
	next http.Handler
}

func (p *perAddrOnline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	lim, ok := p.lims[r.RemoteAddr]
	if !ok {
		lim = rate.NewLimiter(1, 3)
		p.lims[r.RemoteAddr] = lim
	}
	p.mu.Unlock()
	if !lim.Allow() {
		http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
		return
	}
	p.next.ServeHTTP(w, r)
}

// Its two defects: RemoteAddr includes the port, which is new with every
// connection, so a client that reconnects is never limited; and the map
// keeps every address it has seen.
func TestPerAddrOnlineNeverLimitsAndNeverForgets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
		naive := &perAddrOnline{lims: map[string]*rate.Limiter{}, next: ok}
		mw, err := NewMiddleware(Config{Rate: 1, Burst: 3, MaxClients: 1000, NewBucket: Library})
		require.NoError(t, err)
		ours := mw.Wrap(ok)

		served := map[string]int{}
		for i := range 20_000 {
			// The same client, 192.0.2.1, on a new connection every 10
			// requests, plus a crowd of one-off addresses.
			for name, h := range map[string]http.Handler{"online": naive, "ours": ours} {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.RemoteAddr = "192.0.2.1:" + strconv.Itoa(10000+i/10)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code == http.StatusOK {
					served[name]++
				}
				r.RemoteAddr = "[2001:db8::" + strconv.FormatInt(int64(i), 16) + "]:443"
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		}
		assert.Equal(t, 6_000, served["online"], "keyed by address and port: every new connection brings a full bucket of 3")
		assert.Equal(t, 3, served["ours"], "keyed by IP: the client gets its burst of 3, and no time passes")
		assert.Equal(t, 22_000, len(naive.lims), "the online map keeps every address and port it has seen")
		assert.LessOrEqual(t, mw.Stats().Clients, 1000, "ours keeps at most MaxClients")
	})
}
