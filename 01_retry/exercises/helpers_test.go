package exercises

import (
	"testing"
)

// scripted returns a randN for the jitter exercises that answers with
// pick(n) and fails the test if it is called with n <= 0, which
// rand.Int64N would panic on.
func scripted(t *testing.T, pick func(n int64) int64) func(n int64) int64 {
	t.Helper()
	return func(n int64) int64 {
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
