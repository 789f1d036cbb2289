package ratelimit

import "net/http"

// Allower is anything with an Allow method: *Limiter, x/time/rate's
// *rate.Limiter.
type Allower interface{ Allow() bool }

// OneForAll is the rate-limiting middleware found in most blog posts and
// answers, kept here to show what is wrong with it; use Middleware
// instead. It puts every client in one bucket:
//
//   - one noisy client spends the shared tokens, and everyone else gets
//     429s for as long as it keeps sending (TestOneForAllLocksEveryoneOut);
//   - its 429 carries no Retry-After, so well-behaved clients can only
//     guess when to come back, and retry too soon or too late.
//
// The fix is the rest of this package: one bucket per client, keyed by
// something the client cannot choose, with bounded memory, and a
// Retry-After computed from the bucket.
func OneForAll(lim Allower, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !lim.Allow() {
			http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
