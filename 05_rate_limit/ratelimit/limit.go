package ratelimit

import (
	"math"
	"time"
)

// Limit is a rate of events per second. A zero (or negative) Limit allows
// no events beyond the bucket's initial tokens; Inf allows every event.
type Limit float64

// Inf is the infinite rate: every event is allowed at once, whatever the
// burst, and no tokens are counted. It is the largest float64 rather than
// +Inf, as in x/time/rate, so that comparisons with it are exact.
const Inf = Limit(math.MaxFloat64)

// InfDuration is the delay of a reservation that can never be honoured.
const InfDuration = time.Duration(math.MaxInt64)

// Every converts the minimum time between two events into a Limit: Every
// (100*time.Millisecond) is 10 events per second. An interval of zero or
// less means no limit at all: Inf.
func Every(interval time.Duration) Limit {
	if interval <= 0 {
		return Inf
	}
	return 1 / Limit(interval.Seconds())
}

// The two conversions below are the whole arithmetic of the bucket. They
// are written exactly as x/time/rate writes them, operation for operation,
// because float64 arithmetic is not associative: computing tokens*1e9/r
// instead of tokens/r*1e9 would round differently now and then, and the
// answers would no longer be the library's to the last bit.

// tokensIn returns how many tokens accumulate in d at rate r. A rate of
// zero or less accumulates nothing.
func (r Limit) tokensIn(d time.Duration) float64 {
	if r <= 0 {
		return 0
	}
	return d.Seconds() * float64(r)
}

// timeToEarn returns how long it takes to accumulate tokens at rate r,
// truncated to the nanosecond. A rate of zero or less never gets there
// (InfDuration), and so does a wait too long for a time.Duration.
//
// This is the one place the package departs from x/time/rate, on purpose.
// float64(math.MaxInt64) is not 2^63 - 1, which a float64 cannot hold, but
// 2^63, one more than the longest Duration. The library tests d > 2^63, so
// a wait of exactly 2^63 ns passes its test and converts to a Duration out
// of range: on amd64 the most negative one. A wait that long then reads
// as "act now", and AllowN admits tokens that can never be earned
// (TestWaitOfExactly2To63Nanoseconds). Here d >= 2^63 is InfDuration.
func (r Limit) timeToEarn(tokens float64) time.Duration {
	if r <= 0 {
		return InfDuration
	}
	d := (tokens / float64(r)) * float64(time.Second)
	if d >= float64(math.MaxInt64) { // 2^63: see above
		return InfDuration
	}
	return time.Duration(d)
}
