package breaker

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHalfOpenLimitHoldsUnderManyGoroutines sends a crowd at a half-open
// breaker, round after round: at most MaxRequests calls may ever be inside
// fn at once, and everyone else must be turned away with
// ErrTooManyRequests, however the scheduler interleaves them.
func TestHalfOpenLimitHoldsUnderManyGoroutines(t *testing.T) {
	const (
		maxRequests = 3
		crowd       = 64
	)
	forBoth(t, func(t *testing.T, newCB func(Settings) CircuitBreaker) {
		cb := newCB(trippedOnce(Settings{MaxRequests: maxRequests, Timeout: time.Second}))

		for round := range 5 {
			require.ErrorIs(t, cb.Execute(failing), errFail, "round %d: tripping call", round)
			time.Sleep(2 * time.Second)

			var inside, most, rejected atomic.Int32
			// Other results are collected and checked on the test's own
			// goroutine: require must not stop the test from another one.
			unexpected := make(chan error, crowd)
			release := make(chan struct{})
			var wg sync.WaitGroup
			for range crowd {
				wg.Go(func() {
					err := cb.Execute(func() error {
						n := inside.Add(1)
						for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
						}
						<-release
						inside.Add(-1)
						return nil
					})
					switch err {
					case nil:
					case ErrTooManyRequests:
						rejected.Add(1)
					default:
						unexpected <- err
					}
				})
			}
			synctest.Wait() // everyone is either inside fn or turned away
			require.EqualValues(t, maxRequests, inside.Load(), "round %d: calls inside fn", round)
			require.EqualValues(t, crowd-maxRequests, rejected.Load(), "round %d: calls rejected", round)
			close(release)
			wg.Wait()
			close(unexpected)
			for err := range unexpected {
				t.Errorf("round %d: a call returned %v, want nil or ErrTooManyRequests", round, err)
			}
			require.EqualValues(t, maxRequests, most.Load(), "round %d: most calls inside fn at once", round)
			require.Equal(t, StateClosed, cb.State(), "round %d: the trial calls all succeeded", round)
		}
	})
}
