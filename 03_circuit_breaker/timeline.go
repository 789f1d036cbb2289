package main

import (
	"fmt"
	"strings"
	"time"

	"reliability/03_circuit_breaker/breaker"
)

// labelWidth is the width of the row labels; one column per call follows.
const labelWidth = 11

// tickEvery is how many calls apart the time axis is labelled.
const tickEvery = 10

// timeline draws a run as rows of characters, one column per call: a time
// axis, the outage window, and then either one row of calls (no breaker)
// or one band per breaker state, each call drawn in the band of the state
// it met. Reading across, the bands show how long the breaker spent in
// each state; reading down a column shows what that call met.
func timeline(marks []mark, every time.Duration, withBreaker bool) []string {
	var lines []string
	row := func(label string, cell func(m mark) byte) {
		b := []byte(fmt.Sprintf("%-*s", labelWidth, label))
		for _, m := range marks {
			b = append(b, cell(m))
		}
		lines = append(lines, strings.TrimRight(string(b), " "))
	}

	axis := []byte(fmt.Sprintf("%-*s", labelWidth, "time"))
	for i := 0; i < len(marks); i += tickEvery {
		label := fmt.Sprint(time.Duration(i) * every)
		axis = append(axis, fmt.Sprintf("%-*s", tickEvery, label)...)
	}
	lines = append(lines, strings.TrimRight(string(axis), " "), tickRow(len(marks)))

	row("outage", func(m mark) byte {
		if m.outage {
			return '#'
		}
		return ' '
	})
	if !withBreaker {
		row("calls", func(m mark) byte { return byte(m.outcome) })
		return lines
	}
	for _, st := range []breaker.State{breaker.StateClosed, breaker.StateHalfOpen, breaker.StateOpen} {
		row(st.String(), func(m mark) byte {
			if m.state == st {
				return byte(m.outcome)
			}
			return ' '
		})
	}
	return lines
}

// tickRow marks every tickEvery-th call under the axis labels.
func tickRow(n int) string {
	b := []byte(strings.Repeat(" ", labelWidth))
	for i := range n {
		if i%tickEvery == 0 {
			b = append(b, '|')
		} else {
			b = append(b, ' ')
		}
	}
	return strings.TrimRight(string(b), " ")
}

// legend explains the characters.
const legend = "legend: . success   x failure   - failed fast, the service was not called   # outage window"
