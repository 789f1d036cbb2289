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

// demoRun runs the demo with args in virtual time and returns its exit
// code, standard output and standard error.
func demoRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	synctest.Test(t, func(t *testing.T) {
		code = run(args, &out, &errOut)
	})
	return code, out.String(), errOut.String()
}

// In virtual time the demo is exact, so the two breakers must agree to the
// call, and the breaker must save calls and waiting during the outage.
func TestScenarioBreakersAgreeAndSaveCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := scenario{seed: 1, calls: 40, outageStart: outageStart, outage: 1500 * time.Millisecond, timeout: 300 * time.Millisecond}
		plain, hand, lib := s.run()

		require.Equal(t, 40, plain.stats.Calls, "without a breaker every call reaches the service")
		assert.Equal(t, plain.stats.Calls-hand.stats.Calls, hand.fastFails, "every call saved is a call failed fast")
		assert.Greater(t, hand.fastFails, 10, "the breaker should spare the service most outage calls")
		assert.Equal(t, joinTransitions(hand.transitions), joinTransitions(lib.transitions))
		assert.Equal(t, hand.marks, lib.marks)
		require.NotEmpty(t, hand.transitions)
		assert.Equal(t, "call 8: closed -> open", hand.transitions[0].String(), "three outage failures in a row trip it")
		assert.Equal(t, "call 25: half-open -> closed", hand.transitions[len(hand.transitions)-1].String(),
			"after the outage two trials succeed and close it")
		assert.Less(t, hand.meanWait(true), plain.meanWait(true)/2, "failing fast cuts the wait during the outage")
		assert.Contains(t, hand.log, "   0.749s  INFO  state change call=8 from=closed to=open",
			"transitions are logged with the time since the run started")
		// Every call meant to meet the open breaker came well before it
		// could half-open: about half a beat, less the service's jitter.
		assert.Greater(t, hand.slack, beat/2-latencyJitter-time.Millisecond)
		assert.Equal(t, hand.slack, lib.slack)
	})
}

func TestDemoOutput(t *testing.T) {
	code, out, errOut := demoRun(t)
	require.Equal(t, 0, code, "stderr: %s", errOut)
	out = oneLine(out)
	for _, want := range []string{
		"Phase 1: no breaker", "Phase 2: hand-rolled breaker", "Phase 3: library twin",
		"It is down from 500ms to 2s.",
		"15 of the 40 calls fell in the outage; all 15 reached the service and failed.",
		"state change call=8 from=closed to=open",
		"calls saved",
		"It opened at call 8 and re-opened after 3 failed trials; 12 calls failed fast, sparing the service. It closed again at call 25.",
		"same transitions ... yes",
		"replay ............. exact (the closest call had",
	} {
		assert.Contains(t, out, want)
	}
}

// The narration is derived from what happened, so it stays true whatever
// the flags.
func TestNarrationMatchesTheRun(t *testing.T) {
	for _, c := range []struct {
		args          []string
		want, notWant []string
	}{
		{[]string{"-calls", "3", "-outage", "0"},
			[]string{"The service never goes down in this run.", "No call fell in the outage.", "It never opened: no 3 failures came in a row."},
			[]string{"even while the service is down", "wait in outage", "fell in the outage;"}},
		{[]string{"-calls", "4"},
			[]string{"It would go down at 500ms, after the last call.", "No call fell in the outage."},
			[]string{"even while the service is down", "It is down from"}},
		{[]string{"-calls", "8", "-outage", "5s"},
			[]string{"It goes down at 500ms and is still down when the last call is made.",
				"3 of the 8 calls fell in the outage; all 3 reached the service and failed.",
				"It opened at call 8. When the run ended it was open."},
			[]string{"failed fast, sparing", "closed again"}},
		{[]string{"-outage", "0"},
			[]string{"The service never goes down in this run.", "No call fell in the outage."},
			[]string{"even while the service is down"}},
	} {
		code, out, errOut := demoRun(t, c.args...)
		require.Equal(t, 0, code, "%v: %s", c.args, errOut)
		out = oneLine(out)
		for _, want := range c.want {
			assert.Contains(t, out, want, "%v", c.args)
		}
		for _, notWant := range c.notWant {
			assert.NotContains(t, out, notWant, "%v", c.args)
		}
	}
}

// oneLine joins the demo's wrapped lines, so a test can look for a
// sentence wherever the wrapping broke it.
func oneLine(out string) string { return strings.Join(strings.Fields(out), " ") }

// Every line of every run fits 80 columns (tabs counted as a terminal
// shows them), whatever the accepted flags.
func TestDemoLinesFitEightyColumns(t *testing.T) {
	for _, args := range [][]string{
		nil, {"-h"}, {"-calls", "1"}, {"-calls", "3", "-outage", "0"}, {"-calls", "150"},
		{"-calls", "150", "-outage", "5s", "-timeout", "3s"}, {"-outage", "100ms", "-timeout", "100ms"},
		{"-seed", "18446744073709551615"}, {"-calls", "5000"}, {"-timeout", "250ms"}, {"stray"},
	} {
		_, out, errOut := demoRun(t, args...)
		for _, line := range strings.Split(out+errOut, "\n") {
			if w := width(line); w > 80 {
				t.Errorf("%v: a line is %d columns wide, more than 80:\n%s", args, w, line)
			}
		}
	}
	for _, text := range []string{
		replayText(runResult{slackCall: 150, slack: -12345 * time.Millisecond}),
		breakerStory(runResult{fastFails: 149, transitions: []transition{
			{call: 148, from: breaker.StateClosed, to: breaker.StateOpen},
			{call: 149, from: breaker.StateOpen, to: breaker.StateHalfOpen},
			{call: 150, from: breaker.StateHalfOpen, to: breaker.StateOpen}}}),
	} {
		for _, line := range strings.Split(wrapIndent(text), "\n") {
			assert.LessOrEqual(t, width(line), 80, line)
		}
	}
}

// width is how many columns line takes in a terminal with 8-column tabs.
func width(line string) int {
	w := 0
	for _, r := range line {
		if r == '\t' {
			w += 8 - w%8
			continue
		}
		w++
	}
	return w
}

func TestDemoRejectsBadFlagsAndArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // part of the message, naming the limit
	}{
		{[]string{"stray"}, `unexpected argument "stray"`},
		{[]string{"-calls", "10", "extra"}, `unexpected argument "extra"`},
		{[]string{"-calls", "0"}, "want 1 to 150"},
		{[]string{"-calls", "151"}, "want 1 to 150"},
		{[]string{"-calls", "x"}, "invalid value"},
		{[]string{"-outage", "-100ms"}, "want 0 to 5s"},
		{[]string{"-outage", "5.1s"}, "want 0 to 5s"},
		{[]string{"-outage", "150ms"}, "multiple of the 100ms beat"},
		{[]string{"-timeout", "0"}, "want 100ms to 3s"},
		{[]string{"-timeout", "3.1s"}, "want 100ms to 3s"},
		{[]string{"-timeout", "250ms"}, "multiple of the 100ms beat"},
		{[]string{"-seed", "-1"}, "invalid value"},
		{[]string{"-nope"}, "not defined"},
	} {
		var out, errOut strings.Builder
		assert.Equal(t, 2, run(c.args, &out, &errOut), "%v should be rejected with status 2", c.args)
		assert.Contains(t, errOut.String(), c.want, "%v should say what is wrong", c.args)
		assert.Empty(t, out.String(), "%v should not start the demo", c.args)
	}

	var errOut strings.Builder
	require.Equal(t, 0, run([]string{"-h"}, io.Discard, &errOut))
	for _, flag := range []string{"-seed", "-step", "-calls", "-outage", "-timeout"} {
		assert.Contains(t, errOut.String(), "  "+flag, "-h should explain %s", flag)
	}
}

// The longest accepted run finishes well within 30 seconds.
func TestLongestRunFinishesWithinThirtySeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		require.Equal(t, 0, run([]string{"-calls", "150", "-outage", "5s", "-timeout", "3s"}, io.Discard, io.Discard))
		assert.Less(t, time.Since(start), 30*time.Second)
	})
}

func TestReplayText(t *testing.T) {
	assert.Equal(t, "exact (no call met an open breaker)", replayText(runResult{}, runResult{}))
	assert.Equal(t, "exact (the closest call had 12.0ms to spare)",
		replayText(runResult{slackCall: 3, slack: 40 * time.Millisecond}, runResult{slackCall: 9, slack: 12 * time.Millisecond}))
	assert.Equal(t, "may differ (call 9 was 2.5ms too late)",
		replayText(runResult{slackCall: 3, slack: 40 * time.Millisecond}, runResult{slackCall: 9, slack: -2500 * time.Microsecond}))
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
		"time      0s        100ms",
		"          |         |",
		"outage       #####",
		"closed    ...xx    ...",
		"half-open         .",
		"open           ---",
	}
	assert.Equal(t, want, timeline(marks, 10*time.Millisecond, true))
	assert.Equal(t, "calls     ...xx---....", timeline(marks, 10*time.Millisecond, false)[3])

	// A long run is drawn in blocks of perBlock calls, each with its axis.
	long := timeline(make([]mark, perBlock+5), 100*time.Millisecond, false)
	require.Len(t, long, 4+1+4)
	assert.Equal(t, "time      6s", long[5])
	assert.Equal(t, "          |", long[6])
	assert.Equal(t, "calls", strings.TrimRight(long[8][:5], " "))
}
