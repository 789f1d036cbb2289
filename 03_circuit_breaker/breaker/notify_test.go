package breaker

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests cover the one place Breaker departs from gobreaker on
// purpose: OnStateChange runs without the lock held. (With gobreaker, the
// first test would deadlock, so it runs on the hand-rolled breaker only.)

func TestCallbackMayCallStateAndCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *Breaker
		var seen []string
		b = New(trippedOnce(Settings{OnStateChange: func(_ string, from, to State) {
			seen = append(seen, from.String()+"->"+to.String()+" now "+b.State().String())
			assert.Equal(t, Counts{}, b.Counts(), "a new state starts with clear counts")
		}}))
		require.ErrorIs(t, b.Execute(failing), errFail)
		assert.Equal(t, []string{"closed->open now open"}, seen)
	})
}

func TestTransitionCausedByTheCallbackIsDeliveredAfterIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b *Breaker
		var seen []string
		inside := false
		b = New(trippedOnce(Settings{Timeout: time.Second, OnStateChange: func(_ string, from, to State) {
			require.False(t, inside, "callbacks must not nest")
			inside = true
			defer func() { inside = false }()
			seen = append(seen, from.String()+"->"+to.String())
			if to == StateOpen {
				// Looking at the breaker after Timeout turns it half-open:
				// a transition made from inside the callback.
				time.Sleep(2 * time.Second)
				assert.Equal(t, StateHalfOpen, b.State())
			}
		}}))
		require.ErrorIs(t, b.Execute(failing), errFail)
		assert.Equal(t, []string{"closed->open", "open->half-open"}, seen,
			"both transitions, in order, before Execute returns")
	})
}

func TestPanickingCallbackDoesNotWedgeDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen []string
		b := New(trippedOnce(Settings{Timeout: time.Second, OnStateChange: func(_ string, from, to State) {
			seen = append(seen, from.String()+"->"+to.String())
			if len(seen) == 1 {
				panic("callback failed")
			}
		}}))
		r := call(b.Execute, failing)
		require.Equal(t, "callback failed", r.panicked, "the callback's panic reaches the caller")
		require.Equal(t, StateOpen, b.State(), "the trip itself stands")

		time.Sleep(2 * time.Second)
		require.Equal(t, StateHalfOpen, b.State())
		assert.Equal(t, []string{"closed->open", "open->half-open"}, seen, "later transitions are still delivered")
	})
}

// TestCallbacksStayInOrderUnderContention hammers one breaker from many
// goroutines while every callback calls back into it. The transitions must
// form one chain (each starts where the previous ended), with no deadlock.
func TestCallbacksStayInOrderUnderContention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var chain []transition
		var b *Breaker
		b = New(Settings{
			MaxRequests: 2,
			Timeout:     3 * time.Millisecond,
			ReadyToTrip: func(c Counts) bool { return c.ConsecutiveFailures >= 2 },
			OnStateChange: func(_ string, from, to State) {
				_ = b.State()
				_ = b.Counts()
				mu.Lock()
				chain = append(chain, transition{from, to})
				mu.Unlock()
			},
		})

		var wg sync.WaitGroup
		for g := range 32 {
			wg.Go(func() {
				for i := range 200 {
					_ = b.Execute(func() error {
						time.Sleep(time.Duration(g%3) * time.Millisecond)
						if (g+i)%3 == 0 {
							return errFail
						}
						return nil
					})
					if i%10 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		final := b.State() // before taking mu: State may call the callback

		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, chain, "the load should have tripped the breaker")
		assert.Equal(t, StateClosed, chain[0].from)
		for i := 1; i < len(chain); i++ {
			require.Equal(t, chain[i-1].to, chain[i].from, "transition %d out of order: %v after %v", i, chain[i], chain[i-1])
		}
		assert.Equal(t, chain[len(chain)-1].to, final, "the last callback reports the final state")
	})
}
