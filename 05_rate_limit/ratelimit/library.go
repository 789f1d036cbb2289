package ratelimit

import (
	"time"

	"golang.org/x/time/rate"
)

// Bucket is what the middleware needs from a token bucket: take tokens at
// a given time, or say how many are there. *Limiter has these methods, and
// so does x/time/rate's *rate.Limiter, unchanged, so the middleware runs on
// either.
type Bucket interface {
	// AllowN takes n tokens at time t if the bucket holds them, all or
	// none, and reports whether it did.
	AllowN(t time.Time, n int) bool
	// TokensAt returns the tokens the bucket holds at time t.
	TokensAt(t time.Time) float64
}

var (
	_ Bucket = (*Limiter)(nil)
	_ Bucket = (*rate.Limiter)(nil)
)

// Handrolled makes the middleware's buckets with this package's NewLimiter.
// It is the default.
func Handrolled(r Limit, b int) Bucket { return NewLimiter(r, b) }

// Library makes the middleware's buckets with x/time/rate's NewLimiter:
// the library twin, which a production service should prefer, since it is
// maintained by the Go team and used everywhere. The package's tests
// prove that both give the same answers, so switching changes nothing.
func Library(r Limit, b int) Bucket { return rate.NewLimiter(rate.Limit(r), b) }
