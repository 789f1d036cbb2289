package breaker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// gobreakerRatio is the ReadyToTrip of gobreaker's own example: at least 3
// requests, 60% of them failures.
func gobreakerRatio(c Counts) bool {
	return c.Requests >= 3 && float64(c.TotalFailures)/float64(c.Requests) >= 0.6
}

// failuresToTrip makes successes calls, then fails until the breaker
// opens, one call every gap, and returns how many failures that took.
func failuresToTrip(cb CircuitBreaker, successes int, gap time.Duration) int {
	for range successes {
		_ = cb.Execute(succeed)
		time.Sleep(gap)
	}
	for n := 1; ; n++ {
		_ = cb.Execute(failing)
		if cb.State() == StateOpen {
			return n
		}
		time.Sleep(gap)
	}
}

// With Interval 0 the counts are never cleared while closed, so a ratio
// is over the breaker's whole life: after 10,000 good calls, the example
// ratio needs 15,000 failures in a row (15,000 of 25,000 is 60%). With an
// Interval, a window that starts in the outage trips after 3. gobreaker
// behaves the same. (Exercise 4's ratio over finished calls has the same
// problem, and the same cure.)
func TestRatioWithoutIntervalCoversTheWholeLife(t *testing.T) {
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		const gap = 10 * time.Millisecond // 100 calls a second
		lifelong := newCB(Settings{ReadyToTrip: gobreakerRatio})
		assert.Equal(t, 15_000, failuresToTrip(lifelong, 10_000, gap),
			"Interval 0: a long-healthy breaker practically never trips")

		// With Interval 10s the window in progress when the failures begin
		// ends 100ms later (windows drift: each starts at the first look
		// after the last one ended). Its 10 failures are diluted by ~990
		// successes; the next window starts clean and trips on its third.
		windowed := newCB(Settings{ReadyToTrip: gobreakerRatio, Interval: 10 * time.Second})
		assert.Equal(t, 10+3, failuresToTrip(windowed, 10_000, gap),
			"Interval 10s: the counts start over every 10s")
	})
}
