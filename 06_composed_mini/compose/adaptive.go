package compose

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"reliability/01_retry/retry"
)

// ErrThrottledLocally is matched by the error an AdaptiveThrottling layer
// returns when its throttle refused a call without sending it. The error
// is marked with retry.Permanent, so a Retry layer outside does not retry
// it: the throttle has just said the dependency is refusing most of what
// it gets, and an immediate second try would only be counted against it.
var ErrThrottledLocally = errors.New("compose: call refused locally by the adaptive throttle")

// ErrInvalidAdaptive is wrapped by NewAdaptiveThrottle's error for
// settings out of range.
var ErrInvalidAdaptive = errors.New("compose: invalid adaptive throttle")

// adaptiveBuckets is how many slices the window is kept in: it slides one
// slice at a time, the way failsafe-go's does.
const adaptiveBuckets = 20

// AdaptiveSettings configures an AdaptiveThrottle.
type AdaptiveSettings struct {
	// K is the multiplier of the rule: the client sends up to K times as
	// many requests as the dependency accepts. At least 1; the SRE book
	// suggests 2. Lower is more aggressive: it wastes less of the
	// dependency's capacity on requests it will refuse, but reacts to a
	// brief dip by holding back requests that would have succeeded.
	K float64

	// Window is how far back requests and accepts are counted (the book
	// uses two minutes). At least 20ns; it is kept in 20 slices and
	// slides one slice at a time. A long window remembers an old outage
	// for a long time, a short one forgets quickly.
	Window time.Duration

	// Rand, if not nil, returns the uniform draws in [0, 1) that decide a
	// refusal; a seeded source replays the same decisions. Nil means
	// math/rand/v2's Float64.
	Rand func() float64

	// Now, if not nil, is the clock; nil means time.Now. A simulation
	// passes its virtual clock here.
	Now func() time.Time

	// MinRequests, if positive, holds refusals off until the window has
	// counted that many requests. The rule alone refuses from the very
	// first request on: a fresh throttle whose first answers are still on
	// their way counts requests and no accepts. failsafe-go calls this the
	// execution threshold. Must not be negative.
	MinRequests int

	// Accepted, if not nil, says whether an attempt's error still means
	// the dependency accepted the request (a "not found" is an answer;
	// an overload refusal or a timeout is not). Nil counts only a nil
	// error as accepted.
	Accepted func(error) bool
}

// AdaptiveThrottle is client-side adaptive throttling, as the Google SRE
// book describes it in "Handling Overload": the client counts, over a
// sliding window, the requests it tried to send (requests) and those the
// dependency accepted (accepts), and refuses a new request itself, without
// sending it, with probability
//
//	max(0, (requests - K*accepts) / (requests + 1))
//
// While the dependency accepts everything, requests <= K*accepts and
// nothing is refused. When it accepts little, the client sends about K
// times what it accepts and keeps the rest to itself, so an overloaded
// dependency is not also spending its capacity on turning requests away.
// A refused request still counts as a request: that is what drives the
// probability towards 1 while the dependency accepts nothing. Its methods
// are safe for concurrent use.
type AdaptiveThrottle struct {
	k        float64
	minReq   int64
	bucket   int64 // nanoseconds per slice
	rand     func() float64
	now      func() time.Time
	accepted func(error) bool

	mu       sync.Mutex
	head     int64 // the current slice: now / bucket
	requests [adaptiveBuckets]int64
	accepts  [adaptiveBuckets]int64
	reqSum   int64
	accSum   int64
}

// NewAdaptiveThrottle returns an AdaptiveThrottle with empty counts. It
// returns an error wrapping ErrInvalidAdaptive if K is below 1 (or NaN),
// MinRequests negative or Window shorter than 20ns.
func NewAdaptiveThrottle(s AdaptiveSettings) (*AdaptiveThrottle, error) {
	switch {
	case math.IsNaN(s.K) || s.K < 1:
		return nil, fmt.Errorf("%w: K is %v, want at least 1", ErrInvalidAdaptive, s.K)
	case s.MinRequests < 0:
		return nil, fmt.Errorf("%w: MinRequests is %d, want 0 or more", ErrInvalidAdaptive, s.MinRequests)
	case s.Window < adaptiveBuckets:
		return nil, fmt.Errorf("%w: Window is %v, want at least %dns", ErrInvalidAdaptive, s.Window, adaptiveBuckets)
	}
	t := &AdaptiveThrottle{
		k:        s.K,
		minReq:   int64(s.MinRequests),
		bucket:   int64(s.Window / adaptiveBuckets),
		rand:     s.Rand,
		now:      s.Now,
		accepted: s.Accepted,
	}
	if t.rand == nil {
		t.rand = rand.Float64
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.accepted == nil {
		t.accepted = func(err error) bool { return err == nil }
	}
	return t, nil
}

// Allow counts one request and reports whether to send it: false, with
// the probability the rule gives, means refuse it locally. Every call of
// Allow that returned true should be followed by one Done when the
// attempt ends.
func (t *AdaptiveThrottle) Allow() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := t.slide()
	p := t.probability()
	t.requests[i]++
	t.reqSum++
	return p == 0 || t.rand() >= p
}

// Done records how a sent request ended: err is its error, and the
// Accepted setting decides whether it counts as accepted.
func (t *AdaptiveThrottle) Done(err error) {
	ok := t.accepted(err)
	t.mu.Lock()
	defer t.mu.Unlock()
	i := t.slide()
	if ok {
		t.accepts[i]++
		t.accSum++
	}
}

// RejectionProbability returns the probability with which Allow would
// refuse a request now.
func (t *AdaptiveThrottle) RejectionProbability() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.slide()
	return t.probability()
}

// Counts returns the requests and accepts in the window now.
func (t *AdaptiveThrottle) Counts() (requests, accepts int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.slide()
	return t.reqSum, t.accSum
}

// probability is the SRE book's rule. t.mu must be held.
func (t *AdaptiveThrottle) probability() float64 {
	if t.reqSum < t.minReq {
		return 0
	}
	req, acc := float64(t.reqSum), float64(t.accSum)
	return max(0, (req-t.k*acc)/(req+1))
}

// slide forgets the slices that have left the window and returns the
// index of the current one. t.mu must be held. Slices are aligned on the
// clock's Unix time, so two throttles with the same Window slide at the
// same instants.
func (t *AdaptiveThrottle) slide() int {
	head := t.now().UnixNano() / t.bucket
	if head > t.head {
		for i := range min(adaptiveBuckets, head-t.head) {
			j := (t.head + 1 + i) % adaptiveBuckets
			t.reqSum -= t.requests[j]
			t.accSum -= t.accepts[j]
			t.requests[j], t.accepts[j] = 0, 0
		}
		t.head = head
	}
	return int(t.head % adaptiveBuckets)
}

// AdaptiveThrottling returns a layer that asks t before every call: a call
// t refuses returns at once, without calling next, with an error matching
// ErrThrottledLocally and marked with retry.Permanent; a call t allows goes
// to next, and its error is reported back to t. Put it where the breaker
// would go, inside the Retry and attempt Timeout layers, so that it sees
// every attempt, and a timed-out attempt counts as not accepted. A nil t
// makes every call fail with an error wrapping ErrInvalidAdaptive.
func AdaptiveThrottling(t *AdaptiveThrottle) Layer {
	if t == nil {
		return func(Call) Call {
			return func(context.Context) error {
				return fmt.Errorf("%w: AdaptiveThrottling layer without a throttle", ErrInvalidAdaptive)
			}
		}
	}
	return func(next Call) Call {
		return func(ctx context.Context) error {
			if !t.Allow() {
				return retry.Permanent(ErrThrottledLocally)
			}
			err := next(ctx)
			t.Done(err)
			return err
		}
	}
}
