package ratelimit

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fixedWindow is the simplest counter: at most limit events per window,
// the count reset to zero at each boundary. It exists only to show its
// defect next to the other two.
type fixedWindow struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	start  time.Time
	count  int
}

func (f *fixedWindow) AllowN(t time.Time, n int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if start := t.Truncate(f.window); start.After(f.start) {
		f.start, f.count = start, 0
	}
	if f.count+n > f.limit {
		return false
	}
	f.count += n
	return true
}

// profile is what got through a flood: in all, in the busiest span of
// one second, and in the busiest 100ms.
type profile struct{ total, perSecond, per100ms int }

// burstProfile floods allow with one request every millisecond for 3s,
// starting at `offset` past a whole second (where the counters' windows
// begin).
func burstProfile(offset time.Duration, allow func(time.Time, int) bool) profile {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(offset)
	var times []time.Time
	for i := range 3000 {
		t := start.Add(time.Duration(i) * time.Millisecond)
		if allow(t, 1) {
			times = append(times, t)
		}
	}
	busiest := func(span time.Duration) int {
		most := 0
		for i, from := range times {
			n := 0
			for _, t := range times[i:] {
				if t.Sub(from) < span {
					n++
				}
			}
			most = max(most, n)
		}
		return most
	}
	return profile{len(times), busiest(time.Second), busiest(100 * time.Millisecond)}
}

// TestBurstBehaviour measures the README's comparison: three limiters
// with the same average rate, 10 per second, under a flood that starts
// either just before a window boundary (the worst case for the counters)
// or in the middle of a window.
func TestBurstBehaviour(t *testing.T) {
	for _, c := range []struct {
		offset                 time.Duration
		bucket, sliding, fixed profile
	}{
		// Just before a boundary. The bucket: its burst of 10 at once,
		// then one per 100ms; any second holds the burst and 9 refills.
		// The sliding window: the same burst, then it weighs the previous
		// window's 10 as if they were spread over it, so it too lets
		// about 10 more through in the next second: 19. The fixed
		// window: 10 before the boundary and 10 right after it, 20
		// within 20ms.
		{990 * time.Millisecond, profile{39, 19, 10}, profile{37, 19, 10}, profile{40, 20, 20}},
		// In the middle of a window: the bucket does not care where
		// windows begin; the sliding window holds the client to 14 in any
		// second; the fixed window's two bursts are now 500ms apart.
		{500 * time.Millisecond, profile{39, 19, 10}, profile{33, 14, 10}, profile{40, 20, 10}},
	} {
		assert.Equal(t, c.bucket, burstProfile(c.offset, NewLimiter(10, 10).AllowN),
			"token bucket, flood from %v", c.offset)
		assert.Equal(t, c.sliding, burstProfile(c.offset, NewSlidingWindow(10, time.Second).AllowN),
			"sliding window, flood from %v", c.offset)
		assert.Equal(t, c.fixed, burstProfile(c.offset, (&fixedWindow{limit: 10, window: time.Second}).AllowN),
			"fixed window, flood from %v", c.offset)
	}
}

func TestSlidingWindowWeighsThePreviousWindow(t *testing.T) {
	s := NewSlidingWindow(10, time.Second)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	assert.True(t, s.AllowN(at(900), 10), "an empty window allows the whole limit")
	assert.False(t, s.AllowN(at(999), 1), "the limit is reached")
	// At 1.3s, 70% of the previous window overlaps: 10*0.7 = 7 counted,
	// 3 more fit.
	assert.True(t, s.AllowN(at(1300), 3))
	assert.False(t, s.AllowN(at(1300), 1))
	// At 2.5s the previous window (1s to 2s) held 3: 1.5 counted.
	assert.True(t, s.AllowN(at(2500), 8))
	assert.False(t, s.AllowN(at(2500), 1))
	// Two windows later both counts are history.
	assert.True(t, s.AllowN(at(4000), 10))
	assert.False(t, s.AllowN(at(4000), 11-10), "but the new window's count is not")
	assert.False(t, s.AllowN(at(3000), 1), "a time in an earlier window counts in the current one")
	assert.False(t, NewSlidingWindow(10, 0).AllowN(base, 11), "a zero window is one second; 11 > 10 in any case")
}
