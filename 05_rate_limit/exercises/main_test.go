package exercises

import (
	"fmt"
	"math"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"reliability/flaky/lockwatch"
)

// TestMain turns on the lock watcher (package lockwatch: the buckets' mu
// is a lockwatch.Mutex) for every test and checks, as in every test
// package of the course, that no test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(lockwatch.Watch(m)) }

// t0 is an arbitrary start for explicit times; at(s) is s seconds later.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// near reports whether two token counts agree to within rounding: the
// tests do not insist on one order of float operations.
func near(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// together runs call on n goroutines that all start at the same moment and
// returns what each returned. It is the race detector's best chance to see
// a field touched without the lock; the forced interleavings in the other
// tests are what catch such mistakes without -race.
func together[T any](n int, call func() T) []T {
	results := make([]T, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = call()
		})
	}
	close(start)
	wg.Wait()
	return results
}

// bubblePatience is how much real time a test in a synctest bubble may
// take. In virtual time every wait is instant; a test that takes longer
// is stuck in a loop that never blocks, or waiting for something that
// never comes.
const bubblePatience = 5 * time.Second

// bubble runs f in a synctest bubble (virtual time) with a real-time
// watchdog: if f is still running after bubblePatience, the test binary
// prints hint, the likely cause, and exits, rather than hang until go
// test's ten-minute timeout.
func bubble(t *testing.T, hint string, f func(t *testing.T)) {
	t.Helper()
	name := t.Name()
	watchdog := time.AfterFunc(bubblePatience, func() {
		fmt.Fprintf(os.Stderr, "--- FAIL: %s\n    still running after %v of real time: %s\nFAIL\n", name, bubblePatience, hint)
		os.Exit(1)
	})
	defer watchdog.Stop()
	synctest.Test(t, f)
}
