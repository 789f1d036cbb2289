package compose

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
)

// transitions records a breaker's changes of state.
type transitions struct {
	mu   sync.Mutex
	seen []string
}

func (tr *transitions) record(_ string, from, to breaker.State) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.seen = append(tr.seen, fmt.Sprintf("%v->%v", from, to))
}

func (tr *transitions) list() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.seen...)
}

// chainSettings is a full chain with a seeded retry policy.
func chainSettings(seed uint64, tr *transitions) Settings {
	return Settings{
		Deadline: time.Second,
		Retry: &retry.Policy{MaxAttempts: 3, InitialDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond,
			Rand: rand.New(rand.NewPCG(seed, 0)).Int64N},
		RetryIf:        func(err error) bool { return !errors.Is(err, errPermanent) },
		AttemptTimeout: 100 * time.Millisecond,
		Breaker:        &BreakerSettings{Name: "dep", Failures: 3, OpenFor: 500 * time.Millisecond, Trials: 2, OnStateChange: tr.record},
	}
}

type builder struct {
	name  string
	build func(Settings) (Layer, error)
}

var builders = []builder{
	{"handrolled", Settings.HandRolled},
	{"library", Settings.Failsafe},
}

func TestTwinsBehaveAlike(t *testing.T) {
	for _, b := range builders {
		t.Run(b.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tr := &transitions{}
				chain, err := b.build(chainSettings(1, tr))
				require.NoError(t, err)

				svc := newFake(step{err: errPermanent})
				assert.ErrorIs(t, chain(svc.Call)(t.Context()), errPermanent)
				assert.Equal(t, 1, svc.Calls(), "a permanent error is not retried")

				svc = newFake(step{err: errTransient}, step{})
				assert.NoError(t, chain(svc.Call)(t.Context()))
				assert.Equal(t, 2, svc.Calls(), "a transient error is retried")

				svc = newFake(step{wait: time.Hour})
				err = chain(svc.Call)(t.Context())
				assert.ErrorIs(t, err, timeout.ErrTimeout)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				synctest.Wait()
				assert.Equal(t, 3, svc.Calls(), "each timed-out attempt is retried")
				assert.Equal(t, []string{"closed->open"}, tr.list(), "three timed-out attempts open the breaker")

				start := time.Now()
				err = chain(svc.Call)(t.Context())
				assert.ErrorIs(t, err, breaker.ErrOpenState)
				assert.Zero(t, time.Since(start), "an open breaker fails fast and is not retried")
				assert.Equal(t, 3, svc.Calls())

				time.Sleep(501 * time.Millisecond) // OpenFor has passed
				svc = newFake(step{})
				for range 2 {
					assert.NoError(t, chain(svc.Call)(t.Context()))
				}
				assert.Equal(t, []string{"closed->open", "open->half-open", "half-open->closed"}, tr.list(),
					"two successful trials close it")
			})
		})
	}
}

// The two chains, fed the same random trace of outcomes with the same
// seeded jitter, make the same calls at the same moments and go through
// the same states.
func TestTwinsAgreeOnRandomTraces(t *testing.T) {
	for seed := range uint64(30) {
		type run struct {
			calls  []int
			errs   []string
			took   []time.Duration
			states []string
		}
		runs := map[string]run{}
		for _, b := range builders {
			synctest.Test(t, func(t *testing.T) {
				tr := &transitions{}
				chain, err := b.build(chainSettings(seed, tr))
				require.NoError(t, err)
				rng := rand.New(rand.NewPCG(seed, 1))
				var script []step
				for range 400 {
					switch rng.IntN(6) {
					case 0:
						script = append(script, step{wait: time.Hour})
					case 1, 2:
						script = append(script, step{wait: time.Duration(rng.IntN(30)) * time.Millisecond, err: errTransient})
					case 3:
						script = append(script, step{err: errPermanent})
					default:
						script = append(script, step{wait: time.Duration(rng.IntN(30)) * time.Millisecond})
					}
				}
				svc := newFake(append(script, step{})...)
				var r run
				for range 60 {
					before, start := svc.Calls(), time.Now()
					err := chain(svc.Call)(t.Context())
					r.calls = append(r.calls, svc.Calls()-before)
					r.took = append(r.took, time.Since(start))
					switch {
					case err == nil:
						r.errs = append(r.errs, "ok")
					case errors.Is(err, breaker.ErrOpenState):
						r.errs = append(r.errs, "open")
					case errors.Is(err, timeout.ErrTimeout):
						r.errs = append(r.errs, "timeout")
					default:
						r.errs = append(r.errs, "error")
					}
					synctest.Wait()
					// Nanosecond gaps: a call landing exactly when OpenFor ends
					// would meet a half-open failsafe-go breaker (it compares
					// with >=) and a still-open lesson 03 one (strictly after,
					// as gobreaker does), a difference of one nanosecond.
					time.Sleep(time.Duration(rng.Int64N(int64(200 * time.Millisecond))))
				}
				r.states = tr.list()
				runs[b.name] = r
			})
		}
		require.Equal(t, runs["handrolled"], runs["library"], "seed %d", seed)
	}
}

// The difference that matters most: failsafe-go's Timeout only cancels the
// attempt's context and waits for it to return, so an attempt that ignores
// cancellation keeps the caller waiting. The hand-rolled Timeout returns at
// the deadline and leaves the attempt to finish on its own.
func TestFailsafeTimeoutWaitsForADeafAttempt(t *testing.T) {
	took := map[string]time.Duration{}
	for _, b := range builders {
		synctest.Test(t, func(t *testing.T) {
			chain, err := b.build(Settings{AttemptTimeout: 100 * time.Millisecond})
			require.NoError(t, err)
			svc := newFake(step{wait: time.Second, deaf: true})
			start := time.Now()
			err = chain(svc.Call)(t.Context())
			took[b.name] = time.Since(start)
			assert.ErrorIs(t, err, timeout.ErrTimeout, b.name)
			time.Sleep(time.Second) // let the deaf call finish
		})
	}
	assert.Equal(t, 100*time.Millisecond, took["handrolled"], "hand-rolled: back at the deadline")
	assert.Equal(t, time.Second, took["library"], "failsafe-go: back when the attempt chose to return")
}

// failsafe-go cancels a timed-out attempt with a plain cancel: the callee
// sees context.Canceled and never had a deadline to pass on downstream.
// A breaker that excludes context.Canceled, as lesson 03 advises, would not
// count failsafe-go's timeouts; the twin's breaker counts every error.
func TestFailsafeTimeoutLooksLikeACancellation(t *testing.T) {
	type seen struct {
		err         error
		hasDeadline bool
	}
	got := map[string]seen{}
	for _, b := range builders {
		synctest.Test(t, func(t *testing.T) {
			chain, err := b.build(Settings{AttemptTimeout: 100 * time.Millisecond})
			require.NoError(t, err)
			var s seen
			_ = chain(func(ctx context.Context) error {
				_, s.hasDeadline = ctx.Deadline()
				<-ctx.Done()
				s.err = ctx.Err()
				return ctx.Err()
			})(t.Context())
			synctest.Wait() // the hand-rolled attempt finishes after the call returned
			got[b.name] = s
		})
	}
	assert.Equal(t, seen{context.DeadlineExceeded, true}, got["handrolled"])
	assert.Equal(t, seen{context.Canceled, false}, got["library"])
}

// retry.Do does not start a wait that ends after the deadline; failsafe-go
// sleeps into the deadline and is cut off there.
func TestFailsafeRetrySleepsIntoTheDeadline(t *testing.T) {
	took := map[string]time.Duration{}
	for _, b := range builders {
		synctest.Test(t, func(t *testing.T) {
			chain, err := b.build(Settings{
				Deadline: time.Second,
				Retry:    &retry.Policy{MaxAttempts: 5, InitialDelay: 800 * time.Millisecond, Jitter: retry.NoJitter},
			})
			require.NoError(t, err)
			svc := newFake(step{err: errTransient})
			start := time.Now()
			assert.Error(t, chain(svc.Call)(t.Context()))
			took[b.name] = time.Since(start)
			assert.Equal(t, 2, svc.Calls(), b.name)
		})
	}
	assert.Equal(t, 800*time.Millisecond, took["handrolled"], "hand-rolled: the next wait (1.6s) cannot fit, so it stops")
	assert.Equal(t, time.Second, took["library"], "failsafe-go: waits until the deadline cuts it off")
}

func TestSettingsValidation(t *testing.T) {
	for _, s := range []Settings{
		{Deadline: -1},
		{AttemptTimeout: -1},
		{Retry: &retry.Policy{MaxAttempts: -1}},
		{Breaker: &BreakerSettings{Failures: 0, OpenFor: time.Second, Trials: 1}},
		{Breaker: &BreakerSettings{Failures: 1, OpenFor: 0, Trials: 1}},
		{Breaker: &BreakerSettings{Failures: 1, OpenFor: time.Second, Trials: 0}},
	} {
		for _, b := range builders {
			_, err := b.build(s)
			assert.ErrorIs(t, err, ErrInvalidSettings, "%s %+v", b.name, s)
		}
	}
	th, _ := NewThrottle(10, 0.1)
	_, err := Settings{Retry: &retry.Policy{}, Budget: th}.Failsafe()
	assert.ErrorIs(t, err, ErrInvalidSettings, "failsafe-go has no token-bucket retry budget")
	_, err = Settings{Retry: &retry.Policy{Jitter: retry.DecorrelatedJitter}}.Failsafe()
	assert.ErrorIs(t, err, ErrInvalidSettings)
	_, err = Settings{Retry: &retry.Policy{}, Budget: th}.HandRolled()
	assert.NoError(t, err)
}

// TestRetryOptionsWithoutRetryAreRejected: a Budget or a RetryIf says
// something about retries, so a Settings without Retry that has one is a
// mistake (the retry was forgotten), not a chain to build without it.
func TestRetryOptionsWithoutRetryAreRejected(t *testing.T) {
	th, _ := NewThrottle(10, 0.1)
	for name, s := range map[string]Settings{
		"Budget":  {AttemptTimeout: time.Second, Budget: th},
		"RetryIf": {AttemptTimeout: time.Second, RetryIf: func(error) bool { return true }},
	} {
		for _, b := range builders {
			_, err := b.build(s)
			require.ErrorIs(t, err, ErrInvalidSettings, "%s: %s without Retry", b.name, name)
			assert.ErrorContains(t, err, name+" is set but Retry is nil", b.name)
		}
	}
}
