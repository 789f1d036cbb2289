// Mistake: caps by checking before adding (if saved < max { saved += earn }), so a credit that crosses the cap is kept whole.
// Caught: "was the cap checked before adding"
package exercises

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// ErrBadBudget is matched by NewRatioBudget's error for a ratio outside
// (0, 1] or a maxSaved below 1.
var ErrBadBudget = errors.New("bad retry budget")

// Exercise 3: a retry budget of 10% of requests.
//
// When a dependency fails for everyone, every caller retrying three times
// triples the load on it. The Google SRE book ("Handling Overload") gives
// each client a retry budget instead: retries may add at most a fixed share
// of its requests, about 10%. RatioBudget is that budget, in the shape the
// compose.Retry layer takes (compose.WithBudget):
//
//   - every request (OnRequest) earns ratio of a retry; ten requests at
//     0.1 earn exactly one;
//   - AllowRetry spends one retry and reports true if at least one whole
//     retry has been earned, and reports false, spending nothing,
//     otherwise;
//   - at most maxSaved retries can be saved up, so that a long quiet spell
//     cannot store a burst of retries for the next outage; a new budget
//     starts with maxSaved saved, so a fresh client can retry at once;
//   - OnResult does nothing: this budget counts requests, not outcomes;
//   - NewRatioBudget rejects a ratio outside (0, 1] or a maxSaved below 1
//     with an error matching ErrBadBudget;
//   - the methods are called from many goroutines at once.
//
// Hint: 0.1 added ten times to a float64 is 0.9999999999999999, not 1.
// Count in whole units instead, for example thousandths of a retry in an
// int64 (as gRPC does for its retry tokens), and guard them with a
// sync.Mutex.
//
// Run: go test -run Ex3 ./06_composed_mini/exercises/
type RatioBudget struct {
	mu    sync.Mutex
	saved int64 // thousandths of a retry
	earn  int64 // thousandths earned per request
	max   int64 // thousandths
}

// one is a whole retry, in thousandths.
const one = 1000

// NewRatioBudget returns a budget that earns ratio of a retry per request
// and saves up at most maxSaved retries, starting full.
func NewRatioBudget(ratio float64, maxSaved int) (*RatioBudget, error) {
	if math.IsNaN(ratio) || ratio <= 0 || ratio > 1 || maxSaved < 1 {
		return nil, fmt.Errorf("%w: ratio %v must be in (0, 1] and maxSaved %d at least 1", ErrBadBudget, ratio, maxSaved)
	}
	m := int64(maxSaved) * one
	return &RatioBudget{saved: m, earn: max(1, int64(math.Round(ratio*one))), max: m}, nil
}

// OnRequest earns ratio of a retry.
func (b *RatioBudget) OnRequest() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.saved < b.max {
		b.saved += b.earn
	}
}

// OnResult does nothing.
func (b *RatioBudget) OnResult(ok bool) {}

// AllowRetry spends one saved retry, if there is one.
func (b *RatioBudget) AllowRetry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.saved < one {
		return false
	}
	b.saved -= one
	return true
}
