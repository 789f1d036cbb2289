package exercises

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// ErrBadThrottle is matched by NewThrottle's error for a k below 1 or a
// window that is not positive.
var ErrBadThrottle = errors.New("bad adaptive throttle")

// Exercise 5: client-side adaptive throttling.
//
// A client that keeps sending to a dependency that refuses most of what it
// gets makes the dependency spend its capacity on refusals. The Google SRE
// book ("Handling Overload") lets each client refuse requests itself.
// Over the last window, the client counts requests (every request it was
// asked to send, those it refused itself included) and accepts (requests
// the dependency answered). A new request is refused locally with
// probability
//
//	max(0, (requests - k*accepts) / (requests + 1))
//
// Throttle is that rule:
//
//   - Allow counts one request, then refuses it with that probability,
//     computed before counting it: it draws u from the throttle's rand and
//     refuses when u < p (so p = 0 never refuses, whatever u is);
//   - Done(true) counts one accept; Done(false) counts nothing;
//   - Probability returns p as Allow would compute it now;
//   - a request or accept counts while less than window has passed since
//     it was counted: at exactly window later it is forgotten;
//   - the clock is time.Now (the tests run in virtual time);
//   - NewThrottle rejects a k below 1 or a window <= 0 with an error
//     matching ErrBadThrottle;
//   - the methods may be called from many goroutines at once.
//
// Hint: keep the time of each request and of each accept in two slices,
// oldest first, and before anything else drop those that have left the
// window. Guard everything with one sync.Mutex.
//
// Run: go test -run Ex5 ./06_composed_mini/exercises/
type Throttle struct {
	k      float64
	window time.Duration
	rand   func() float64

	mu       sync.Mutex
	requests []time.Time // oldest first
	accepts  []time.Time
}

// NewThrottle returns a throttle with multiplier k over window, drawing
// from rand (uniform in [0, 1)).
func NewThrottle(k float64, window time.Duration, rand func() float64) (*Throttle, error) {
	if math.IsNaN(k) || k < 1 || window <= 0 {
		return nil, fmt.Errorf("%w: k is %v (want at least 1), window %v (want > 0)", ErrBadThrottle, k, window)
	}
	return &Throttle{k: k, window: window, rand: rand}, nil
}

// Allow counts a request and reports whether to send it.
func (t *Throttle) Allow() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.forget(now)
	p := t.probability()
	t.requests = append(t.requests, now)
	return p == 0 || t.rand() >= p
}

// Done counts an accept if accepted is true.
func (t *Throttle) Done(accepted bool) {
	if !accepted {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.forget(now)
	t.accepts = append(t.accepts, now)
}

// Probability returns the probability that Allow refuses now.
func (t *Throttle) Probability() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forget(time.Now())
	return t.probability()
}

func (t *Throttle) probability() float64 {
	req, acc := float64(len(t.requests)), float64(len(t.accepts))
	return max(0, (req-t.k*acc)/(req+1))
}

// forget drops what was counted window or more ago.
func (t *Throttle) forget(now time.Time) {
	keep := func(times []time.Time) []time.Time {
		i := 0
		for i < len(times) && now.Sub(times[i]) >= t.window {
			i++
		}
		return times[i:]
	}
	t.requests = keep(t.requests)
	t.accepts = keep(t.accepts)
}
