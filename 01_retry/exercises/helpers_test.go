package exercises

import (
	"testing"
	"time"
)

// ms is a millisecond, for the tables of delays.
const ms = time.Millisecond

// maxCalls bounds how often a test's op may run. A loop that never stops
// would otherwise spin on in virtual time until go test's 10-minute
// timeout; this way it fails at once, saying why.
const maxCalls = 1000

// now is the test's clock: a fixed instant long past, so that a solution
// reading the real clock instead of its now argument is caught.
var now = time.Date(2015, time.October, 21, 7, 28, 0, 0, time.UTC)

// scripted returns a randN for the jitter exercises that answers with
// pick(n). It fails the test if it is called with n <= 0, which
// rand.Int64N would panic on, or too often for one delay: a loop that
// draws again until a delay fits would otherwise never end when pick
// keeps giving the same answer. Make one per delay.
func scripted(t *testing.T, pick func(n int64) int64) func(n int64) int64 {
	t.Helper()
	calls := 0
	return func(n int64) int64 {
		if calls++; calls > 1000 {
			t.Fatalf("randN was called %d times for one delay: draw once and map the draw into the range; drawing again until it fits may never end", calls)
		}
		if n <= 0 {
			t.Errorf("randN(%d) was called; n must be > 0 (rand.Int64N panics on it)", n)
			return 0
		}
		return pick(n)
	}
}

// Scripted draws: the smallest, the largest and the middle value randN
// can return.
var (
	lowest  = func(int64) int64 { return 0 }
	highest = func(n int64) int64 { return n - 1 }
	middle  = func(n int64) int64 { return n / 2 }
)

// counts tallies how often each value comes up.
func counts[T comparable](draw func() T, n int) map[T]int {
	m := map[T]int{}
	for range n {
		m[draw()]++
	}
	return m
}
