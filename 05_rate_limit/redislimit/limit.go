package redislimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBadLimit is wrapped by the constructors' errors for a Limit that could
// not be enforced.
var ErrBadLimit = errors.New("redislimit: bad limit")

// Limit is Rate requests per Period, with bursts of up to Burst requests at
// once after a quiet spell. It has the shape of redis_rate.Limit, so the two
// limiters take the same numbers.
type Limit struct {
	Rate   int
	Period time.Duration
	Burst  int
}

// PerSecond is a Limit of rate requests per second with bursts of burst.
func PerSecond(rate, burst int) Limit {
	return Limit{Rate: rate, Period: time.Second, Burst: burst}
}

// String is "10/s, burst 10".
func (l Limit) String() string {
	p := l.Period.String()
	if l.Period == time.Second {
		p = "s"
	}
	return fmt.Sprintf("%d/%s, burst %d", l.Rate, p, l.Burst)
}

// interval is the time between two requests at the sustained rate, in whole
// microseconds (Redis's TIME has no finer grain), rounded down. Rounding
// down errs on the generous side by less than one part in the interval's
// microseconds: 3 per second becomes one per 333,333 µs.
func (l Limit) interval() (int64, error) {
	switch {
	case l.Rate < 1:
		return 0, fmt.Errorf("%w: Rate is %d, want >= 1", ErrBadLimit, l.Rate)
	case l.Burst < 1:
		return 0, fmt.Errorf("%w: Burst is %d, want >= 1", ErrBadLimit, l.Burst)
	case l.Period <= 0:
		return 0, fmt.Errorf("%w: Period is %v, want > 0", ErrBadLimit, l.Period)
	}
	us := l.Period.Microseconds() / int64(l.Rate)
	if us < 1 {
		return 0, fmt.Errorf("%w: %v is faster than one request per microsecond", ErrBadLimit, l)
	}
	// The script's arithmetic is exact in a float64 up to 2^53; TAT is at
	// most now + Burst intervals, and now is about 2^51 µs since 1970.
	if us > 1<<40/int64(l.Burst) {
		return 0, fmt.Errorf("%w: %v: Burst × interval is too long", ErrBadLimit, l)
	}
	return us, nil
}

// Decision is a limiter's answer for one request.
type Decision struct {
	// Allowed: the request was counted and may go ahead.
	Allowed bool
	// Remaining is how many more requests the key could make at once
	// right now; 0 when refused.
	Remaining int
	// RetryAfter is, when refused, how long until one request would be
	// allowed if the key sends nothing meanwhile; 0 when allowed.
	RetryAfter time.Duration
}

// Limiter is a rate limit kept in a store shared by every replica.
type Limiter interface {
	// Allow counts one request for key and says whether it may go ahead.
	// An error means the store could not answer (down, slow, cancelled):
	// nothing is known about the limit, and what to do is the caller's
	// choice (see Guard). ctx bounds the store call.
	Allow(ctx context.Context, key string) (Decision, error)
}
