package main

import (
	"fmt"
	"strings"
	"time"

	"reliability/03_circuit_breaker/breaker"
)

// labelWidth is the width of the row labels; one column per call follows.
const labelWidth = 10

// tickEvery is how many calls apart the time axis is labelled.
const tickEvery = 10

// perBlock is how many calls one block of the timeline shows, so that a
// line fits 80 columns: 2 of indent, the label, then one column per call.
const perBlock = 60

// timeline draws a run as rows of characters, one column per call, in
// blocks of perBlock calls: a time axis, the outage window, and then
// either one row of calls (no breaker) or one band per breaker state,
// each call drawn in the band of the state it met. Reading across, the
// bands show how long the breaker spent in each state; reading down a
// column shows what that call met.
func timeline(marks []mark, every time.Duration, withBreaker bool) []string {
	var lines []string
	for from := 0; from < len(marks); from += perBlock {
		if from > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, block(marks[from:min(from+perBlock, len(marks))], from, every, withBreaker)...)
	}
	return lines
}

// block draws the calls numbered from first (0-based) on.
func block(marks []mark, first int, every time.Duration, withBreaker bool) []string {
	var lines []string
	row := func(label string, cell func(m mark) byte) {
		b := []byte(fmt.Sprintf("%-*s", labelWidth, label))
		for _, m := range marks {
			b = append(b, cell(m))
		}
		lines = append(lines, strings.TrimRight(string(b), " "))
	}

	axis := []byte(fmt.Sprintf("%-*s", labelWidth, "time"))
	ticks := []byte(strings.Repeat(" ", labelWidth))
	for i := range marks {
		if (first+i)%tickEvery != 0 {
			ticks = append(ticks, ' ')
			continue
		}
		ticks = append(ticks, '|')
		// Labels start at their tick; pad up to it first.
		axis = append(axis, strings.Repeat(" ", max(0, labelWidth+i-len(axis)))...)
		axis = append(axis, fmt.Sprint(time.Duration(first+i)*every)...)
	}
	lines = append(lines, strings.TrimRight(string(axis), " "), strings.TrimRight(string(ticks), " "))

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

// legend explains the characters.
const legend = ". success   x failure   - failed fast (service not called)   # outage"
