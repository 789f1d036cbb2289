package main

import (
	"slices"
	"testing"
	"time"

	"reliability/flaky/chart"
)

// TestFiguresAreUpToDate redraws the committed figure for the demo's
// default flags (testConfig) and compares it byte for byte, so a change to
// the demo cannot leave the README showing an old picture. The figure
// comes from the seed's planned latencies, not from the clock, so it needs
// no run of the demo.
func TestFiguresAreUpToDate(t *testing.T) {
	figs, err := figuresFor(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := chart.Stale(figuresDir, figs, "make charts"); err != nil {
		t.Error(err)
	}
}

// TestFigureEndsWhereTheCallsDo: the calls of the dependency that ignores
// its context run until the longest planned latency, long after their
// callers left; those of the one that honours it end at the timeout.
func TestFigureEndsWhereTheCallsDo(t *testing.T) {
	c := testConfig()
	figs, err := figuresFor(c)
	if err != nil {
		t.Fatal(err)
	}
	planned, err := c.service(true).Config().PlannedLatencies(c.calls)
	if err != nil {
		t.Fatal(err)
	}
	p := figs[0].Figure.(chart.Plot)
	// endsAt is the first millisecond with no call running.
	endsAt := func(l chart.Line) time.Duration {
		for i, y := range l.Y {
			if y == 0 {
				return time.Duration(l.X[i]) * time.Millisecond
			}
		}
		return -1
	}
	if got, want := endsAt(p.Lines[0]), slices.Max(planned).Truncate(time.Millisecond)+time.Millisecond; got != want {
		t.Errorf("ignoring its context, the calls run until %v, want %v, the longest planned latency", got, want)
	}
	if got := endsAt(p.Lines[1]); got != c.timeout {
		t.Errorf("honouring its context, the calls run until %v, want the %v timeout", got, c.timeout)
	}
}
