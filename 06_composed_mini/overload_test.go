package main

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
	"reliability/03_circuit_breaker/breaker"
	"reliability/06_composed_mini/compose"
	"reliability/flaky"
)

// overloadJSON runs the experiment with -json and decodes it.
func overloadJSON(t *testing.T, args ...string) []ovSummary {
	t.Helper()
	var out, errOut strings.Builder
	code := run(append([]string{"-overload", "-json"}, args...), strings.NewReader(""), &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	var sums []ovSummary
	require.NoError(t, json.Unmarshal([]byte(out.String()), &sums))
	require.Len(t, sums, len(ovRuns))
	return sums
}

// The experiment's claim, read from its JSON: with plain retries the
// server does not come back; with each of the four defences it does.
func TestOverloadRetriesKeepItDownDefencesRecover(t *testing.T) {
	for _, seed := range []string{"1", "42"} {
		sums := overloadJSON(t, "-seed", seed)
		for _, s := range sums {
			assert.GreaterOrEqual(t, s.GoodputBefore, 0.99, "seed %s, %s: healthy before the slowdown", seed, s.Run)
			switch s.Run {
			case "retries x3":
				assert.Equal(t, int64(-1), s.RecoverMS, "seed %s: plain retries must not recover", seed)
				assert.Less(t, s.GoodputAfter, s.GoodputBefore/2, "seed %s: plain retries end below half the goodput", seed)
			case "no retries":
				assert.GreaterOrEqual(t, s.RecoverMS, int64(0), "seed %s: at 75%% load, no retries recovers, slowly", seed)
			default:
				assert.GreaterOrEqual(t, s.RecoverMS, int64(0), "seed %s: %s must recover", seed, s.Run)
				assert.GreaterOrEqual(t, s.GoodputAfter, 0.9*s.GoodputBefore, "seed %s, %s", seed, s.Run)
			}
		}
	}
}

// Over many seeds, the verdicts hold: the claim is not one lucky seed.
func TestOverloadVerdictsHoldForManySeeds(t *testing.T) {
	for seed := uint64(2); seed <= 12; seed++ {
		for _, r := range ovRuns {
			res := simulate(r, seed)
			if r.name == "retries x3" {
				assert.False(t, res.recovered(), "seed %d: retries x3 recovered", seed)
			} else {
				assert.True(t, res.recovered(), "seed %d: %s did not recover", seed, r.name)
			}
		}
	}
}

// What the table says about the cost is what the runs did.
func TestOverloadCosts(t *testing.T) {
	byName := map[string]ovResult{}
	for _, r := range ovRuns {
		byName[r.name] = simulate(r, 1)
	}
	none, retries := byName["no retries"], byName["retries x3"]
	assert.Equal(t, none.requests, none.sent, "without retries, one attempt per request")
	assert.Greater(t, retries.sent, 2*retries.requests, "retries multiply the attempts")
	assert.Greater(t, retries.server.Wasted, 5*none.server.Wasted, "and the wasted work")
	served, wasted := retries.afterSlowdown()
	assert.Greater(t, wasted, served*9/10, "after the slowdown, nearly every answer goes to a caller who left")
	assert.Less(t, byName["retry budget"].retries, 20, "the budget allows almost no retries")
	assert.Positive(t, byName["breaker"].local, "the breaker fails requests fast")
	assert.Positive(t, byName["adaptive K=2"].local, "the throttle refuses attempts locally")
	shed := byName["shedding"]
	assert.Positive(t, shed.server.Refused)
	assert.Positive(t, shed.server.Shed)
	assert.Zero(t, shed.recover, "a server that sheds is back as soon as its speed is")
	for _, r := range byName {
		st := r.server
		assert.Equal(t, r.sent, st.Offered, "%s: every attempt sent reaches the server", r.run.name)
		assert.Equal(t, st.Offered, st.Refused+st.Shed+st.Served, "%s: every request ends somewhere", r.run.name)
		assert.Equal(t, st.Served, st.Goodput+st.Wasted, "%s", r.run.name)
	}
}

func TestOverloadScreen(t *testing.T) {
	code, out, errOut := demo(t, "", "-overload")
	require.Equal(t, 0, code, errOut)
	fits(t, "-overload", out)
	for _, want := range []string{
		"75% of capacity", "seconds", "slow                ^^^^",
		"run           before  after  recovered", "retries x3    100%    0%     not in 10s",
		"What keeps the retries x3 run down is work done for callers who already", "SUMMARY",
	} {
		assert.Contains(t, out, want)
	}
	_, again, _ := demo(t, "", "-overload")
	assert.Equal(t, out, again, "the same seed replays the same screen")
	_, other, _ := demo(t, "", "-overload", "-seed", "2")
	assert.NotEqual(t, out, other, "another seed, other arrivals")

	_, jsonOut, _ := demo(t, "", "-overload", "-json")
	fits(t, "-overload -json", jsonOut)
}

func TestOverloadStep(t *testing.T) {
	code, out, _ := demo(t, "\n\n\n", "-overload", "-step")
	require.Equal(t, 0, code)
	assert.Equal(t, 3, strings.Count(out, "[press Enter to run this phase]"))
}

func TestOverloadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-overload", "-outage", "4s"},
		{"-overload", "-json", "-step"},
		{"-overload=maybe"},
	} {
		code, _, errOut := demo(t, "", args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Contains(t, errOut, "06_composed_mini:", "%v", args)
	}
	_, _, help := demo(t, "", "-h")
	assert.Contains(t, help, "-overload")
	fits(t, "-h", help)
}

// The simulation's breaker follows lesson 03's rule: fed the same
// outcomes at the same instants, both admit and refuse the same calls.
func TestOverloadBreakerMatchesLesson03(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		real := breaker.New(breaker.Settings{
			MaxRequests: 1,
			Timeout:     ovOpenFor,
			ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= ovTripAfter },
		})
		model := &ovBreaker{tripAfter: ovTripAfter, openFor: ovOpenFor}
		rng := rand.New(rand.NewPCG(3, 4))
		start := time.Now()
		refusals, closes := 0, 0
		failing := errors.New("timeout")
		for i := range 2000 {
			// Steps of 0 to 250ms, in multiples of 50ms, so that calls fall
			// exactly on the end of the open spell now and then.
			time.Sleep(time.Duration(rng.IntN(6)) * 50 * time.Millisecond)
			fails := i%400 < 200 && rng.IntN(10) < 8 // stretches of mostly failures
			g, admitted := model.allow(time.Now())
			err := real.Execute(func() error {
				if fails {
					return failing
				}
				return nil
			})
			realAdmitted := !errors.Is(err, breaker.ErrOpenState) && !errors.Is(err, breaker.ErrTooManyRequests)
			require.Equal(t, realAdmitted, admitted, "call %d at %v: lesson 03's breaker and the model disagree", i, time.Since(start))
			if admitted {
				before := model.state
				model.record(time.Now(), g, !fails)
				if before == 2 && model.state == 0 {
					closes++
				}
			} else {
				refusals++
			}
		}
		assert.Greater(t, refusals, 100, "the script must open the breaker")
		assert.Greater(t, closes, 2, "and close it again after trials")
	})
}

// The simulation's verdicts, checked against the real thing: the compose
// chains (retry, timeouts, breaker, budget, adaptive throttle) calling
// flaky.Capacity, with goroutines and timers in a synctest bubble. The
// numbers differ a little (the scheduling of simultaneous events is not
// the simulation's), the verdicts may not.
func TestOverloadRealChainsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs six 15s scenarios in virtual time")
	}
	jitter := rand.New(rand.NewPCG(1, 0x0b1e)) // the simulation's seeds, seed 1
	var jitterMu sync.Mutex
	policy := retry.Policy{MaxAttempts: ovAttempts, InitialDelay: ovInitialDelay, Jitter: retry.FullJitter,
		Rand: func(n int64) int64 { // shared by every caller: locked
			jitterMu.Lock()
			defer jitterMu.Unlock()
			return jitter.Int64N(n)
		}}
	single := retry.Policy{MaxAttempts: 1}
	for _, r := range ovRuns {
		t.Run(r.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := flaky.CapacityConfig{
					Seed: 1, Workers: ovWorkers, ServiceTime: ovServiceTime,
					SlowStart: ovSlowStart, SlowFor: ovSlowFor, SlowFactor: ovSlowFactor,
				}
				if r.defence == sheddingDefence {
					cfg.DropExpired, cfg.QueueLimit = true, ovQueueLimit
				}
				svc, err := flaky.NewCapacity(cfg)
				require.NoError(t, err)
				settings := compose.Settings{Retry: &policy, AttemptTimeout: ovAttemptTimeout}
				if r.attempts == 1 {
					settings.Retry = &single
				}
				var layer compose.Layer
				switch r.defence {
				case budgetDefence:
					settings.Budget, err = compose.NewThrottle(ovBudgetTokens, ovBudgetRatio)
					require.NoError(t, err)
				case breakerDefence:
					settings.Breaker = &compose.BreakerSettings{Failures: ovTripAfter, OpenFor: ovOpenFor, Trials: 1}
				case adaptiveDefence:
					a, err := compose.NewAdaptiveThrottle(compose.AdaptiveSettings{
						K: ovK, Window: ovWindow, MinRequests: ovMinRequests, Rand: rand.New(rand.NewPCG(1, 0xada9)).Float64,
					})
					require.NoError(t, err)
					layer = compose.Stack(compose.Retry(policy), compose.Timeout(ovAttemptTimeout), compose.AdaptiveThrottling(a))
				}
				if layer == nil {
					layer, err = settings.HandRolled()
					require.NoError(t, err)
				}
				call := layer(svc.Call)

				cols := int(ovRunFor / ovStep)
				ok, offered := make([]int, cols), make([]int, cols)
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := time.Now()
				arrivals := rand.New(rand.NewPCG(1, 0xa771))
				for {
					gap := time.Duration(arrivals.ExpFloat64() / ovRate * float64(time.Second))
					time.Sleep(gap)
					at := time.Since(start)
					if at >= ovRunFor {
						break
					}
					wg.Go(func() {
						ctx, cancel := context.WithTimeout(context.Background(), ovDeadline)
						defer cancel()
						err := call(ctx)
						c := int(at / ovStep)
						mu.Lock()
						defer mu.Unlock()
						offered[c]++
						if err == nil {
							ok[c]++
						}
					})
				}
				wg.Wait()
				time.Sleep(time.Hour) // let the server finish what it holds

				_, before, after, recover := goodputVerdict(ok, offered)
				st := svc.Stats()
				sim := simulate(r, 1)
				t.Logf("%s: before %.2f after %.2f recover %v; server %v", r.name, before, after, recover, st)
				t.Logf("%s, simulated: before %.2f after %.2f recover %v; server %v", r.name, sim.before, sim.after, sim.recover, sim.server)
				assert.GreaterOrEqual(t, before, 0.99)
				// Same seeds, same rules: the numbers agree closely too. They
				// may differ by the order in which goroutines woken at the
				// same instant draw their jitter.
				assert.Equal(t, sim.recover, recover, "the real chain and the simulation recover at different times")
				assert.InEpsilon(t, sim.server.Offered, st.Offered, 0.02, "attempts sent")
				assert.InDelta(t, sim.server.Wasted, st.Wasted, max(10, 0.05*float64(sim.server.Wasted)), "wasted work")
				if r.name == "retries x3" {
					assert.Equal(t, time.Duration(-1), recover, "the real chain with plain retries must not recover either")
					assert.Less(t, after, before/2)
				} else {
					assert.GreaterOrEqual(t, recover, time.Duration(0), "the real %s chain must recover too", r.name)
				}
			})
		})
	}
}
