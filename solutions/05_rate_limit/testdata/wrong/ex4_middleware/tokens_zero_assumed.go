// Mistake: the tokens are clamped at zero, so a bucket in debt gets a Retry-After that is too early.
// Caught: "do not clamp the tokens at 0"
package exercises

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"reliability/05_rate_limit/ratelimit"
)

// Limit wraps next so that every request takes one token from lim at the
// time now() returns. A request that finds none gets 429 Too Many
// Requests with a Retry-After header, the whole seconds until lim holds a
// token again, rounded up; it never reaches next.
func Limit(lim *ratelimit.Limiter, now func() time.Time, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := now()
		if lim.AllowN(t, 1) {
			next.ServeHTTP(w, r)
			return
		}
		// AllowN took nothing, so the tokens at t are what the refused
		// request found. Rounding up means a client that waits exactly
		// Retry-After finds its token.
		wait := (1 - max(0, lim.TokensAt(t))) / float64(lim.Limit())
		secs := max(1, int64(math.Ceil(wait)))
		// Headers must be set before http.Error writes the status line.
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		http.Error(w, "429 too many requests", http.StatusTooManyRequests)
	})
}
