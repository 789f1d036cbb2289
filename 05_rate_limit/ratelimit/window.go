package ratelimit

import (
	"sync"
	"time"
)

// SlidingWindow is the other common rate-limiting algorithm, the
// sliding-window counter, kept beside the token bucket for contrast. It
// allows an event when the estimated count of events in the window ending
// now stays within Limit: it counts events in fixed windows (aligned to
// multiples of the window since the zero time) and weighs the previous
// window's count by how much of it still overlaps the sliding window.
//
//	estimate = previous * (1 - elapsed/window) + current
//
// It assumes the previous window's events were spread evenly, which is
// what makes it cheap (two counters per client) and approximate.
//
// Compared with a token bucket of the same rate (Limit/window per second)
// and Burst = Limit, it admits the same first burst and then, as the
// previous window's weight decays, a trickle at about the same rate. So
// the estimate does not hold a client to Limit in every real window: a
// burst at the end of one window is weighed as if spread over it, and
// almost a full window more gets through in the next. Under a flood that
// starts just before a boundary, the busiest second holds 19 for a Limit
// of 10 per second, as the bucket's does (its burst plus a second's
// refill); from mid-window, 14. What it fixes is the plain fixed-window
// counter (reset to zero at each boundary), where Limit just before a
// boundary and Limit just after it pass in a moment. TestBurstBehaviour
// measures all three.
//
// A time earlier than the current window counts in the current window.
// SlidingWindow is safe for concurrent use.
type SlidingWindow struct {
	mu       sync.Mutex
	limit    int
	window   time.Duration
	start    time.Time // start of the current fixed window
	current  int       // events counted in it
	previous int       // events counted in the window before it
}

// NewSlidingWindow returns a SlidingWindow that allows limit events per
// window. A window of zero or less is taken as one second.
func NewSlidingWindow(limit int, window time.Duration) *SlidingWindow {
	if window <= 0 {
		window = time.Second
	}
	return &SlidingWindow{limit: limit, window: window}
}

// AllowN reports whether n events may happen at time t, and counts them if
// so: all n or none.
func (s *SlidingWindow) AllowN(t time.Time, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	if start := t.Truncate(s.window); start.After(s.start) {
		// One window later, the current count becomes the previous one;
		// two or more, both are history.
		if start.Sub(s.start) == s.window {
			s.previous = s.current
		} else {
			s.previous = 0
		}
		s.current, s.start = 0, start
	}
	overlap := 1 - float64(t.Sub(s.start))/float64(s.window)
	overlap = min(max(overlap, 0), 1) // t before the window counts as its start
	// The conversion keeps the compiler from fusing the multiply and the
	// add (arm64 and others would), so the estimate, and which request
	// tips it over the limit, is the same on every platform.
	estimate := float64(float64(s.previous)*overlap) + float64(s.current)
	if estimate+float64(n) > float64(s.limit) {
		return false
	}
	s.current += n
	return true
}
