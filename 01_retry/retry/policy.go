package retry

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Defaults used for zero Policy fields. MaxAttempts matches the "standard"
// retry mode of the AWS SDKs (3 attempts in all); the delays are a common
// starting point for calls to another service in the same region.
const (
	DefaultMaxAttempts  = 3
	DefaultInitialDelay = 100 * time.Millisecond
	DefaultMaxDelay     = 10 * time.Second
	DefaultMultiplier   = 2.0
)

// ErrInvalidPolicy is wrapped by the error Do returns when a Policy field is
// out of range. Do reports it before calling op even once.
var ErrInvalidPolicy = errors.New("retry: invalid policy")

// Jitter chooses how a backoff delay is randomised, so that clients that
// failed together do not retry together. The strategies are those of Marc
// Brooker's "Exponential Backoff And Jitter" (AWS Architecture Blog,
// 2015); capped is Policy.Capped(k).
type Jitter int

const (
	// FullJitter waits a uniform random time in [0, capped]. It is the
	// zero value, so the zero Policy uses it.
	FullJitter Jitter = iota

	// NoJitter waits exactly capped: predictable, for tests and demos.
	NoJitter

	// EqualJitter waits capped/2 plus a uniform random time in
	// [0, capped/2]: never less than half the exponential delay.
	EqualJitter

	// DecorrelatedJitter waits a uniform random time in [InitialDelay,
	// min(MaxDelay, 3·previous delay)]: each wait grows from the last
	// one, not from the attempt number, and can shrink back. Unlike the
	// article's min(MaxDelay, random in [InitialDelay, 3·previous]), it
	// caps the range rather than the draw, so waits near the cap stay
	// spread instead of landing on exactly MaxDelay.
	DecorrelatedJitter
)

var jitterNames = [...]string{"full", "none", "equal", "decorrelated"}

func (j Jitter) String() string {
	if j < 0 || int(j) >= len(jitterNames) {
		return fmt.Sprintf("Jitter(%d)", int(j))
	}
	return jitterNames[j]
}

// Policy says how often and how patiently Do retries. The zero Policy is
// ready to use: 3 attempts, delays starting at 100ms, doubling, capped at
// 10s, with full jitter.
type Policy struct {
	// MaxAttempts is the number of times op may be called, the first call
	// included, so 3 means "one try and two retries". Zero means
	// DefaultMaxAttempts; 1 means no retries.
	MaxAttempts int

	// InitialDelay is the base delay before the first retry. Zero means
	// DefaultInitialDelay.
	InitialDelay time.Duration

	// MaxDelay caps every delay, so the exponential growth cannot produce
	// absurd waits. Zero means DefaultMaxDelay.
	MaxDelay time.Duration

	// Multiplier is the growth factor of the delay from one retry to the
	// next. Zero means DefaultMultiplier; other values must be at least 1
	// (a shrinking delay retries faster the longer a dependency is down).
	Multiplier float64

	// Jitter randomises each delay; the zero value is FullJitter.
	Jitter Jitter

	// Rand, if not nil, is the source of randomness for jitter: it must
	// return a uniform random number in [0, n) for n > 0, and be safe for
	// concurrent use if the Policy is shared. Nil means math/rand/v2's
	// Int64N, randomly seeded per process, which is what production wants;
	// a seeded source makes tests and demos replayable.
	Rand func(n int64) int64

	// OnRetry, if not nil, is called after a failed attempt and before the
	// wait that follows it, with the 1-based number of the failed attempt,
	// its error and the delay about to be waited. It is the place to log
	// or count retries. It runs on the caller's goroutine.
	OnRetry func(attempt int, err error, delay time.Duration)
}

// withDefaults returns p with zero fields replaced by the defaults, or an
// error wrapping ErrInvalidPolicy naming the first bad field.
func (p Policy) withDefaults() (Policy, error) {
	bad := func(field string, v any, want string) (Policy, error) {
		return Policy{}, fmt.Errorf("%w: %s is %v, want %s", ErrInvalidPolicy, field, v, want)
	}
	switch {
	case p.MaxAttempts < 0:
		return bad("MaxAttempts", p.MaxAttempts, "0 (default) or more")
	case p.InitialDelay < 0:
		return bad("InitialDelay", p.InitialDelay, "0 (default) or more")
	case p.MaxDelay < 0:
		return bad("MaxDelay", p.MaxDelay, "0 (default) or more")
	case math.IsNaN(p.Multiplier) || math.IsInf(p.Multiplier, 0) || (p.Multiplier != 0 && p.Multiplier < 1):
		return bad("Multiplier", p.Multiplier, "0 (default) or a finite number >= 1")
	case p.Jitter < FullJitter || p.Jitter > DecorrelatedJitter:
		return bad("Jitter", p.Jitter, "one of FullJitter, NoJitter, EqualJitter, DecorrelatedJitter")
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.InitialDelay == 0 {
		p.InitialDelay = DefaultInitialDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.Multiplier == 0 {
		p.Multiplier = DefaultMultiplier
	}
	if p.Rand == nil {
		// rand.Int64N is safe for concurrent use and does not allocate.
		p.Rand = rand.Int64N
	}
	return p, nil
}

// Validate reports whether p is usable: nil, or an error wrapping
// ErrInvalidPolicy that names the first field out of range.
func (p Policy) Validate() error {
	_, err := p.withDefaults()
	return err
}

// Capped returns the un-jittered delay before retry k (k = 1 is the wait
// after the first failed attempt): min(MaxDelay, InitialDelay·Multiplier^(k-1)).
// Zero fields take their defaults. It is the envelope the jitter
// strategies draw from.
//
// Capped panics if p is invalid or k < 1, like Delay.
func (p Policy) Capped(k int) time.Duration {
	return p.mustDefaults("Capped", k).capped(k)
}

func (p Policy) capped(k int) time.Duration {
	// Work in float64: Multiplier^k overflows int64 quickly, and the cap
	// makes any precision lost above MaxDelay irrelevant.
	d := float64(p.InitialDelay) * math.Pow(p.Multiplier, float64(k-1))
	if d >= float64(p.MaxDelay) {
		return p.MaxDelay
	}
	return time.Duration(d)
}

// Delay returns the wait before retry k (k = 1 is the wait after the first
// failed attempt) under p's jitter strategy, for callers that write their
// own loop. prev is the delay returned for retry k-1, which only
// DecorrelatedJitter uses (pass 0 before the first retry). randN must
// return a uniform random number in [0, n) for n > 0, as rand.Int64N or
// (*rand.Rand).Int64N do; passing a seeded one makes Delay deterministic
// in tests and simulations. A nil randN means p.Rand, or math/rand/v2 if
// that is nil too. Zero fields take their defaults.
//
// Delay panics if p is invalid (check a configured Policy once with
// Validate) or k < 1. Both are programming errors, and a zero delay in
// their place would turn the caller's loop into the tight retry loop
// this package exists to prevent.
func (p Policy) Delay(k int, prev time.Duration, randN func(n int64) int64) time.Duration {
	p = p.mustDefaults("Delay", k)
	if randN == nil {
		randN = p.Rand
	}
	return p.delay(k, prev, randN)
}

// mustDefaults is withDefaults for Capped and Delay, which have no error
// to return: it panics, naming the method and the problem.
func (p Policy) mustDefaults(method string, k int) Policy {
	p, err := p.withDefaults()
	if err != nil {
		panic(fmt.Sprintf("retry: Policy.%s: %v", method, err))
	}
	if k < 1 {
		panic(fmt.Sprintf("retry: Policy.%s: retry number k is %d, want 1 or more (k = 1 is the wait after the first failed attempt)", method, k))
	}
	return p
}

func (p Policy) delay(k int, prev time.Duration, randN func(int64) int64) time.Duration {
	// uniform returns a random duration in [lo, hi], both ends included.
	uniform := func(lo, hi time.Duration) time.Duration {
		if hi <= lo {
			return lo
		}
		width := int64(hi - lo)
		if width == math.MaxInt64 {
			// width+1 would overflow; giving up the single top value of a
			// 292-year range is harmless.
			return lo + time.Duration(randN(width))
		}
		return lo + time.Duration(randN(width+1))
	}
	switch p.Jitter {
	case NoJitter:
		return p.capped(k)
	case EqualJitter:
		c := p.capped(k)
		return c/2 + uniform(0, c-c/2)
	case DecorrelatedJitter:
		if prev < p.InitialDelay {
			prev = p.InitialDelay
		}
		hi := p.MaxDelay // min(MaxDelay, 3·prev), without overflowing
		if prev <= p.MaxDelay/3 {
			hi = 3 * prev
		}
		// The outer min only matters when InitialDelay exceeds MaxDelay:
		// then the range is empty and the cap wins.
		return min(p.MaxDelay, uniform(p.InitialDelay, hi))
	default: // FullJitter
		return uniform(0, p.capped(k))
	}
}
