package main

import (
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"reliability/03_circuit_breaker/breaker"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// In virtual time the demo is exact, so the two breakers must agree to the
// call, and the breaker must save calls and waiting during the outage.
func TestScenarioBreakersAgreeAndSaveCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := scenario{seed: 1, calls: 90, every: beat,
			outageStart: outageStart, outage: time.Second, timeout: 200 * time.Millisecond}
		plain, hand, lib := s.run()

		require.Equal(t, 90, plain.stats.Calls, "without a breaker every call reaches the service")
		assert.Less(t, hand.stats.Calls, plain.stats.Calls-40, "the breaker should spare the service most outage calls")
		assert.Equal(t, plain.stats.Calls-hand.stats.Calls, hand.fastFails, "every call saved is a call failed fast")
		assert.Equal(t, hand.transitions, lib.transitions)
		assert.Equal(t, hand.marks, lib.marks)
		require.NotEmpty(t, hand.transitions)
		assert.Equal(t, "call 18: closed -> open", hand.transitions[0], "three outage failures in a row trip it")
		assert.True(t, strings.HasSuffix(hand.transitions[len(hand.transitions)-1], "half-open -> closed"),
			"after the outage the breaker closes again: %v", hand.transitions)
		assert.Less(t, hand.meanWait(true), plain.meanWait(true)/5, "failing fast cuts the wait during the outage")
		assert.Contains(t, hand.log, "   0.350s  INFO  state change breaker=flaky call=18 from=closed to=open",
			"transitions are logged with the time since the run started")
	})
}

func TestDemoOutput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out, errOut strings.Builder
		require.Equal(t, 0, run(nil, &out, &errOut), "stderr: %s", errOut.String())
		got := out.String()
		for _, want := range []string{
			"Phase 1: no breaker", "Phase 2: hand-rolled breaker", "Phase 3: library twin",
			"state change breaker=flaky call=18 from=closed to=open",
			"\n  half-open  ", "\n  open       ", "calls saved", "mean wait in the outage ...",
			"same transitions .................. yes",
		} {
			assert.Contains(t, got, want)
		}
	})
}

func TestDemoFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-calls", "5"}, {"-calls", "x"}, {"-outage", "-1s"}, {"-outage", "2s"},
		{"-timeout", "0"}, {"-seed", "-1"}, {"-nope"},
	} {
		var out, errOut strings.Builder
		assert.Equal(t, 2, run(args, &out, &errOut), "%v should be rejected with status 2", args)
		assert.NotEmpty(t, errOut.String(), "%v should explain the problem on stderr", args)
		assert.Empty(t, out.String(), "%v should not start the demo", args)
	}

	var errOut strings.Builder
	require.Equal(t, 0, run([]string{"-h"}, io.Discard, &errOut))
	for _, flag := range []string{"-seed", "-step", "-calls", "-outage", "-timeout"} {
		assert.Contains(t, errOut.String(), flag, "-h should explain %s", flag)
	}
}

func TestTimeline(t *testing.T) {
	var marks []mark
	for i := range 12 {
		m := mark{outcome: succeeded, outage: i >= 3 && i < 8}
		switch {
		case i >= 3 && i < 5:
			m.outcome = failed
		case i >= 5 && i < 8:
			m.state, m.outcome = breaker.StateOpen, rejected
		case i == 8:
			m.state = breaker.StateHalfOpen
		}
		marks = append(marks, m)
	}
	want := []string{
		"time       0s        100ms",
		"           |         |",
		"outage        #####",
		"closed     ...xx    ...",
		"half-open          .",
		"open            ---",
	}
	assert.Equal(t, want, timeline(marks, 10*time.Millisecond, true))
	assert.Equal(t, "calls      ...xx---....", timeline(marks, 10*time.Millisecond, false)[3])
}
