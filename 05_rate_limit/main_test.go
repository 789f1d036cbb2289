package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/narrate"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// assertFits fails for every line wider than 80 columns (runes: the
// banners' box-drawing characters are one column each).
func assertFits(t *testing.T, what, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("%s: line %d is %d columns wide, want at most 80:\n%s", what, i+1, n, line)
		}
	}
}

func TestDemoDefault(t *testing.T) {
	var out, errOut strings.Builder
	require.Equal(t, 0, run(nil, &out, &errOut), "stderr: %s", errOut.String())
	got := out.String()
	assertFits(t, "default run", got)
	for _, want := range []string{
		"Phase 1: one bucket per client, hand-rolled",
		"Phase 2: library twin: x/time/rate",
		"Phase 3: the version you will find online: one bucket for all",
		"Phase 4: a flood of made-up addresses",
		"  second  steady  bursty  noisy  Retry-After (s)",
		"  all     4/0     6/6     8/43",
		"every second's counts and Retry-After values equal: yes",
		"the service received 18 requests; 18 were admitted",
		"  all     1/3     6/6     19/32",
		"    steady  3 vs 0 of 4",
		"429s without a Retry-After: 41 (per client: 0)",
		"most clients held at once:   5,000 (limit 5,000)",
		"evicted to make room:        0",
		"sent to the overflow bucket: 95,001",
		"flood admitted:              5,003 of 100,000",
		"noisy admitted:              4 of 100 (without the flood: 4)",
		"after everyone fell quiet:   1 held, 5,000 forgotten as idle",
		"same counts, second by second ... yes",
	} {
		assert.Contains(t, got, want)
	}
}

func TestDemoFlagsFitAndFinish(t *testing.T) {
	for _, args := range [][]string{
		{"-seconds", "60", "-rate", "5", "-burst", "20"},
		{"-seconds", "4", "-rate", "0.1", "-burst", "1"},
		{"-seed", "99", "-rate", "0.37", "-burst", "13"},
	} {
		var out, errOut strings.Builder
		// No wall-clock bound: how long a demo takes shows in make test's
		// demo step, and a bound here would fail on a busy machine.
		require.Equal(t, 0, run(args, &out, &errOut), "%v: stderr: %s", args, errOut.String())
		assertFits(t, fmt.Sprint(args), out.String())
		assert.Contains(t, out.String(), "same counts, second by second ... yes", "%v", args)
	}
}

func TestDemoHelp(t *testing.T) {
	var out, errOut strings.Builder
	require.Equal(t, 0, run([]string{"-h"}, &out, &errOut))
	assertFits(t, "-h", errOut.String())
	for _, flag := range []string{"-seed", "-step", "-seconds", "-rate", "-burst"} {
		assert.Contains(t, errOut.String(), flag, "-h should explain %s", flag)
	}
	assert.Empty(t, out.String())
}

func TestDemoRejectsBadFlags(t *testing.T) {
	for args, want := range map[string]string{
		"-seconds 3":   "-seconds is 3, want 4 to 60",
		"-seconds 61":  "-seconds is 61",
		"-rate 0.05":   "-rate is 0.05, want 0.1 to 5",
		"-rate 6":      "-rate is 6",
		"-rate NaN":    "-rate is NaN",
		"-burst 0":     "-burst is 0, want 1 to 20",
		"-burst 21":    "-burst is 21",
		"stray":        `unexpected argument "stray"`,
		"-rate 1 more": `unexpected argument "more"`,
		"-burst x":     `invalid value "x" for flag -burst`,
		"-seed -1":     `invalid value "-1" for flag -seed`,
		"-nope":        "flag provided but not defined: -nope",
	} {
		var out, errOut strings.Builder
		assert.Equal(t, 2, run(strings.Fields(args), &out, &errOut), "%s should be rejected with status 2", args)
		assert.Contains(t, errOut.String(), want, args)
		assert.Empty(t, out.String(), "%s should not start the demo", args)
		assertFits(t, args, errOut.String())
	}
}

// The promise of phase 2, over many runs: the middleware on x/time/rate
// admits and refuses the same requests, with the same Retry-After, as on
// the hand-rolled bucket.
func TestHandrolledAndLibraryGiveTheSameCounts(t *testing.T) {
	for i, s := range []scenario{
		{seed: 1, length: 10 * time.Second, rate: 0.5, burst: 4},
		{seed: 2, length: 30 * time.Second, rate: 0.1, burst: 1},
		{seed: 3, length: 20 * time.Second, rate: 5, burst: 20},
		{seed: 4, length: 15 * time.Second, rate: 1.7, burst: 3},
		{seed: 5, length: 8 * time.Second, rate: 0.33, burst: 7},
	} {
		hand, err := s.perClient(ratelimit.Handrolled)
		require.NoError(t, err)
		lib, err := s.perClient(ratelimit.Library)
		require.NoError(t, err)
		assert.True(t, reflect.DeepEqual(hand, lib), "scenario %d: %+v\nhand-rolled %+v\nlibrary     %+v", i, s, hand.total, lib.total)
		refused := 0
		for _, c := range hand.total {
			refused += c.refused
		}
		assert.Positive(t, refused, "scenario %d: the traffic should hit the limit", i)
		assert.Zero(t, hand.withoutRA, "every 429 carries a Retry-After")
	}
}

func TestOneForAllRefusesTheSteadyClient(t *testing.T) {
	s := scenario{seed: 1, length: 10 * time.Second, rate: 0.5, burst: 4}
	hand, err := s.perClient(ratelimit.Handrolled)
	require.NoError(t, err)
	online, err := s.oneForAll()
	require.NoError(t, err)
	assert.Zero(t, hand.total[steady].refused, "per client, steady stays under its limit")
	assert.Positive(t, online.total[steady].refused, "one for all, noisy spends steady's share")
}

func TestTrafficIsReplayable(t *testing.T) {
	a := traffic(7, 10*time.Second, 0.5, 4)
	assert.Equal(t, a, traffic(7, 10*time.Second, 0.5, 4), "the same seed gives the same requests")
	assert.NotEqual(t, a, traffic(8, 10*time.Second, 0.5, 4), "another seed, other requests")
	count := [3]int{}
	for i, r := range a {
		count[r.client]++
		if i > 0 {
			assert.LessOrEqual(t, a[i-1].at, r.at, "requests are in time order")
		}
	}
	assert.Equal(t, 12, count[bursty], "two bursts of burst+2")
}

func TestDemoStepWaitsInEveryPhase(t *testing.T) {
	var out strings.Builder
	n := narrate.New(&out, true)
	n.SetInput(strings.NewReader(strings.Repeat("\n", 4)))
	require.NoError(t, demo(n, scenario{seed: 1, length: 4 * time.Second, rate: 1, burst: 2}))
	assert.Equal(t, 4, strings.Count(out.String(), "[press Enter"), "-step pauses in each of the 4 phases")
	assertFits(t, "-step", out.String())
}
