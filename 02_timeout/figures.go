package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"reliability/flaky/chart"
)

// figuresDir holds the lesson's committed figures. `make charts` redraws
// them (go run ./02_timeout -svg 02_timeout/figures), and a test checks
// that they are what the demo draws now.
const figuresDir = "figures"

// writeFigures draws the figures of config c into dir and names each
// file on w.
func writeFigures(w io.Writer, dir string, c config) error {
	figs, err := figuresFor(c)
	if err != nil {
		return err
	}
	return chart.Write(w, dir, figs)
}

// figuresFor draws phases 2 and 3: how many of the calls are still
// running in the dependency over time, when it ignores its context and
// when it honours it. The latencies are the ones the seed gives the
// calls (flaky's PlannedLatencies), so the figure is the same on every
// machine; the demo measures the same run on the clock.
func figuresFor(c config) ([]chart.Named, error) {
	latencies, err := c.service(true).Config().PlannedLatencies(c.calls)
	if err != nil {
		return nil, err
	}
	slices.Sort(latencies)
	end := latencies[len(latencies)-1] * 6 / 5
	const step = time.Millisecond
	running := func(name string, until func(time.Duration) time.Duration) chart.Line {
		l := chart.Line{Name: name, Step: true}
		for at := time.Duration(0); at <= end; at += step {
			n := 0
			for _, d := range latencies {
				if until(d) > at {
					n++
				}
			}
			l.X = append(l.X, float64(at/time.Millisecond))
			l.Y = append(l.Y, float64(n))
		}
		return l
	}
	return []chart.Named{{Name: "timeout-leak", Figure: chart.Plot{
		Title: fmt.Sprintf("%d calls through timeout.Do with a %v timeout", c.calls, c.timeout),
		// The demo's scale: read every millisecond as ten.
		XLabel: "time since the calls started (ms, demo scale)",
		YLabel: "calls still running in the dependency",
		Bands: []chart.Band{{Name: "callers waiting",
			Spans: []chart.Span{{From: 0, To: float64(c.timeout / time.Millisecond)}}}},
		Lines: []chart.Line{
			running("dependency ignores its context", func(d time.Duration) time.Duration { return d }),
			running("dependency honours its context", func(d time.Duration) time.Duration { return min(d, c.timeout) }),
		},
	}}}, nil
}
