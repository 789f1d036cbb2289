package exercises

import (
	"net/http"
	"time"

	"reliability/05_rate_limit/ratelimit"
)

// Exercise 4: answer 429 with a Retry-After that is never too early.
//
// Limit wraps next so that every request takes one token from lim at the
// time now() returns (not time.Now: the tests drive the clock). A request
// that finds no token gets 429 Too Many Requests and never reaches next.
// Its Retry-After header holds the whole seconds after which lim will
// hold a token again, if nobody else takes it first. Round up, never
// down: a client told "0", or one second too few, comes straight back
// into another 429. A refused request must cost nothing. lim has a rate
// above zero and a burst of at least 1.
//
// Hint: set the header before the status is written (http.Error writes
// it). The wait is (1 - tokens) / rate seconds, with the tokens from
// lim.TokensAt and the rate from lim.Limit(); math.Ceil rounds up.
//
// Run: go test -run Ex4 ./05_rate_limit/exercises/
func Limit(lim *ratelimit.Limiter, now func() time.Time, next http.Handler) http.Handler {
	return next
}
