package compose

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/failsafe-go/failsafe-go/adaptivethrottler"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
)

// alwaysSend is a Rand whose draw is never below a probability the rule
// can give (it stays under 1), so every request is sent: the counts then
// depend on the script alone.
func alwaysSend() float64 { return math.Nextafter(1, 0) }

func newAdaptive(t *testing.T, s AdaptiveSettings) *AdaptiveThrottle {
	t.Helper()
	a, err := NewAdaptiveThrottle(s)
	require.NoError(t, err)
	return a
}

func TestAdaptiveRejectsBadSettings(t *testing.T) {
	for name, s := range map[string]AdaptiveSettings{
		"K below 1":            {K: 0.5, Window: time.Second},
		"K NaN":                {K: math.NaN(), Window: time.Second},
		"no window":            {K: 2},
		"negative MinRequests": {K: 2, Window: time.Second, MinRequests: -1},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := NewAdaptiveThrottle(s)
			require.ErrorIs(t, err, ErrInvalidAdaptive)
			assert.Nil(t, a)
			_, _, err = FailsafeAdaptive(s)
			require.ErrorIs(t, err, ErrInvalidAdaptive)
		})
	}
	_, _, err := FailsafeAdaptive(AdaptiveSettings{K: 2, Window: time.Second, Rand: alwaysSend})
	require.ErrorIs(t, err, ErrInvalidAdaptive, "failsafe-go cannot take a Rand")
	err = Chain(okCall, AdaptiveThrottling(nil))(context.Background())
	require.ErrorIs(t, err, ErrInvalidAdaptive)
}

func okCall(context.Context) error { return nil }

// The book's rule, number by number: nothing is refused while requests <=
// K*accepts; beyond that, (requests - K*accepts) / (requests + 1).
func TestAdaptiveRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAdaptive(t, AdaptiveSettings{K: 2, Window: time.Minute, Rand: alwaysSend})
		send := func(n int, err error) {
			for range n {
				require.True(t, a.Allow())
				a.Done(err)
			}
		}
		assert.Zero(t, a.RejectionProbability(), "an empty window refuses nothing")
		send(5, nil)
		send(5, errTransient)
		assert.Zero(t, a.RejectionProbability(), "10 requests, 5 accepted: 10 <= 2*5, nothing refused")
		send(4, errTransient)
		req, acc := a.Counts()
		assert.Equal(t, [2]int64{14, 5}, [2]int64{req, acc})
		assert.InDelta(t, 4.0/15, a.RejectionProbability(), 1e-12, "(14 - 2*5) / (14 + 1)")
	})
}

// A refused request is a request: while the dependency accepts nothing,
// refusals push the probability towards 1, never to it.
func TestAdaptiveRefusalsCountAsRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// No draw is made while the probability is 0; then three low
		// draws, three refusals.
		draws := []float64{0, 0, 0}
		a := newAdaptive(t, AdaptiveSettings{K: 2, Window: time.Minute, Rand: func() float64 {
			d := draws[0]
			draws = draws[1:]
			return d
		}})
		require.True(t, a.Allow(), "an empty window sends")
		a.Done(errTransient)
		for range 3 {
			assert.False(t, a.Allow(), "with no accepts, a low draw refuses")
		}
		req, acc := a.Counts()
		assert.Equal(t, [2]int64{4, 0}, [2]int64{req, acc}, "the three refusals count as requests")
		assert.InDelta(t, 4.0/5, a.RejectionProbability(), 1e-12)
	})
}

// The window forgets: counts older than Window no longer weigh.
func TestAdaptiveWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAdaptive(t, AdaptiveSettings{K: 2, Window: time.Second, Rand: alwaysSend})
		for range 10 {
			a.Allow()
			a.Done(errTransient)
		}
		assert.InDelta(t, 10.0/11, a.RejectionProbability(), 1e-12)
		time.Sleep(500 * time.Millisecond)
		assert.InDelta(t, 10.0/11, a.RejectionProbability(), 1e-12, "half a window later the failures still count")
		time.Sleep(500 * time.Millisecond)
		assert.Zero(t, a.RejectionProbability(), "a whole window later they are forgotten")
	})
}

// A fresh throttle's first requests are unanswered for a while: the rule
// alone would refuse them; MinRequests holds it off.
func TestAdaptiveMinRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bare := newAdaptive(t, AdaptiveSettings{K: 2, Window: time.Second, Rand: alwaysSend})
		held := newAdaptive(t, AdaptiveSettings{K: 2, Window: time.Second, Rand: alwaysSend, MinRequests: 5})
		for range 4 { // four requests in flight, none answered yet
			bare.Allow()
			held.Allow()
		}
		assert.InDelta(t, 4.0/5, bare.RejectionProbability(), 1e-12)
		assert.Zero(t, held.RejectionProbability(), "4 requests < MinRequests 5: nothing refused")
		held.Allow()
		assert.InDelta(t, 5.0/6, held.RejectionProbability(), 1e-12)
	})
}

// The layer sends what the throttle allows and tells it how it went; a
// refusal never reaches the service and is not retried.
func TestAdaptiveLayer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		refuse := false
		a := newAdaptive(t, AdaptiveSettings{K: 2, Window: time.Minute, Rand: func() float64 {
			if refuse {
				return 0
			}
			return alwaysSend()
		}})
		svc := newFake(step{err: errTransient})
		call := Chain(svc.Call, Retry(retry.Policy{MaxAttempts: 3, InitialDelay: time.Millisecond}), AdaptiveThrottling(a))
		err := call(t.Context())
		require.ErrorIs(t, err, errTransient)
		assert.Equal(t, 3, svc.calls, "three attempts, each through the throttle")
		req, acc := a.Counts()
		assert.Equal(t, [2]int64{3, 0}, [2]int64{req, acc})

		refuse = true
		err = call(t.Context())
		require.ErrorIs(t, err, ErrThrottledLocally)
		assert.True(t, retry.IsPermanent(err), "a local refusal is final")
		assert.Equal(t, 3, svc.calls, "a refused call never reaches the service, and is not retried")
	})
}

// Accepted decides what counts as accepted.
func TestAdaptiveAccepted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAdaptive(t, AdaptiveSettings{K: 2, Window: time.Minute, Rand: alwaysSend,
			Accepted: func(err error) bool { return err == nil || errors.Is(err, errPermanent) }})
		call := Chain(newFake(step{err: errPermanent}).Call, AdaptiveThrottling(a))
		require.ErrorIs(t, call(t.Context()), errPermanent)
		_, acc := a.Counts()
		assert.Equal(t, int64(1), acc, "a 400 is an answer: the dependency accepted the request")
	})
}

// Differential: the hand-rolled throttle and failsafe-go's, fed the same
// outcomes at the same virtual instants, give the same probability, as
// long as every request is sent (so both count the same requests) and a
// result is recorded at every step (so failsafe-go's window has slid).
func TestAdaptiveMatchesFailsafe(t *testing.T) {
	for _, k := range []float64{1, 1.5, 2, 3} {
		synctest.Test(t, func(t *testing.T) {
			settings := AdaptiveSettings{K: k, Window: 2 * time.Second, MinRequests: 3}
			_, twin, err := FailsafeAdaptive(settings)
			require.NoError(t, err)
			settings.Rand = alwaysSend
			hand := newAdaptive(t, settings)

			// A script: a healthy stretch, an outage, a recovery, with
			// pauses that make the window slide by several slices.
			rng := uint64(42)
			next := func() uint64 { rng = rng*6364136223846793005 + 1442695040888963407; return rng >> 33 }
			for i := range 400 {
				ok := true
				switch {
				case i >= 100 && i < 250:
					ok = next()%10 == 0 // mostly failing
				case i >= 250:
					ok = next()%10 < 7
				}
				time.Sleep(time.Duration(next()%60) * time.Millisecond)
				require.True(t, hand.Allow())
				if ok {
					hand.Done(nil)
					twin.RecordSuccess()
				} else {
					hand.Done(errTransient)
					twin.RecordFailure()
				}
				_ = twin.AcquirePermit() // computes the rate it reports
				require.InDelta(t, twin.RejectionRate(), hand.RejectionProbability(), 1e-9,
					"K=%v step %d: failsafe-go's rejection rate and the hand-rolled probability differ", k, i)
			}
		})
	}
}

// Where the two differ, by design: failsafe-go counts only what it let
// through, so under a total outage it refuses less than the book's rule.
func TestAdaptiveDiffersFromFailsafeUnderRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		settings := AdaptiveSettings{K: 2, Window: time.Minute}
		layer, twin, err := FailsafeAdaptive(settings)
		require.NoError(t, err)
		hand := newAdaptive(t, settings)
		fail := func(context.Context) error { return errTransient }
		handCall, twinCall := Chain(fail, AdaptiveThrottling(hand)), Chain(fail, layer)
		for range 1000 {
			_ = handCall(t.Context())
			if err := twinCall(t.Context()); err != nil && !errors.Is(err, errTransient) {
				require.ErrorIs(t, err, adaptivethrottler.ErrExceeded)
				require.ErrorIs(t, err, ErrThrottledLocally)
			}
		}
		req, _ := hand.Counts()
		assert.Equal(t, int64(1000), req, "the hand-rolled throttle counts every request")
		assert.Greater(t, hand.RejectionProbability(), 0.99)
		_ = twin.AcquirePermit()
		assert.Less(t, twin.RejectionRate(), hand.RejectionProbability(),
			"failsafe-go counts only the executions it let through, so it refuses less")
	})
}
