package ratelimit

import (
	"net/http"
	"net/http/httptest"
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
