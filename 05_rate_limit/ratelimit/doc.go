// Package ratelimit is a hand-rolled token bucket that gives exactly the
// same answers as golang.org/x/time/rate, written to be read in one sitting
// next to the library, and an HTTP middleware that limits each client with
// either of them.
//
// A token bucket holds up to Burst tokens and gains Limit tokens per
// second. Every event takes a token; when none is left, the event is
// refused (Allow), told how long to wait (Reserve), or made to wait (Wait).
// Burst is how many events may happen at once after a quiet spell; Limit
// is the rate they may keep up in the long run.
//
// The names and the answers are x/time/rate's: Limit, Inf, Every,
// NewLimiter, Allow, AllowN, TokensAt, ReserveN, Reservation, WaitN and
// the rest. For any sequence of calls and times, every answer — allowed or
// not, the tokens left, a reservation's delay, the effect of cancelling it,
// a wait's error and duration — is the library's, down to the last bit of
// the float64 token count. The package's differential test and fuzz
// target replay random sequences against both to prove it. The one
// exception is on purpose: a wait of exactly 2^63 nanoseconds, which the
// library turns into "act now" and this package into "never" (see
// timeToEarn in limit.go).
//
// The middleware (Middleware, NewMiddleware) answers 429 Too Many Requests
// with a Retry-After header, keeps one bucket per client (an IPv6 client
// by its /64), and forgets clients that have gone quiet, so a flood of
// new client keys cannot grow its memory without bound; it never forgets
// a client that is still limited, so a flood cannot reset a limit either. It takes its buckets from a constructor, so it
// runs on this package's Limiter or on x/time/rate's (library.go).
//
// SlidingWindow is a different algorithm, the sliding-window counter, kept
// beside the bucket to compare how the two treat bursts.
package ratelimit
