package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"reliability/flaky/chart"
)

// figuresDir holds the lesson's committed figures. `make charts` redraws
// them (go run ./06_composed_mini -svg 06_composed_mini/figures, and the
// same with -overload), and a test checks that they are what the demo
// draws now.
const figuresDir = "figures"

// errBusyFigures refuses to draw figures from a run whose timers fired
// late: its counts may not be the ones a quiet machine gives, and a
// committed figure must be.
var errBusyFigures = errors.New("the machine was too busy for exact counts; " +
	"no figure written: run again on a quieter machine")

// writeFigures writes figs into dir and names each file on w.
func writeFigures(w io.Writer, dir string, figs []chart.Named) error {
	return chart.Write(w, dir, figs)
}

// outageFigure draws, for each caller of the default demo, how many calls
// reached the service while it was down.
func outageFigure(s scenario, sums []summary) chart.Named {
	bars := chart.Bars{
		Title: fmt.Sprintf("Calls that reached the service during its %v outage", s.outage),
		// Every caller sends the same requests.
		YLabel: fmt.Sprintf("calls, for the same %d requests", s.requests()),
	}
	for _, sum := range sums {
		bars.Categories = append(bars.Categories, sum.Run)
		bars.Values = append(bars.Values, float64(sum.Outage))
	}
	return chart.Named{Name: "outage-calls", Figure: bars}
}

// goodputFigure draws the overload experiment's goodput timeline: for
// each run, the share of the requests arriving in each half second that
// were answered in time, with the slowdown behind.
func goodputFigure(results []ovResult) chart.Named {
	p := chart.Plot{
		Title:  "Goodput through a 2 s slowdown, by how the clients retry",
		XLabel: "time (s)",
		YLabel: "requests answered in time (%)",
		Bands: []chart.Band{{Name: "server slowed to 1/4", Spans: []chart.Span{
			{From: ovSlowStart.Seconds(), To: (ovSlowStart + ovSlowFor).Seconds()}}}},
		YMax: 100,
	}
	for _, r := range results {
		l := chart.Line{Name: r.run.name}
		for c, g := range r.goodput {
			// Each point stands for the half second it sums up.
			l.X = append(l.X, (time.Duration(c)*ovStep + ovStep/2).Seconds())
			l.Y = append(l.Y, 100*g)
		}
		p.Lines = append(p.Lines, l)
	}
	return chart.Named{Name: "overload-goodput", Figure: p}
}

// figuresDone turns the error of drawing the figures into run's exit
// status, reporting it on stderr.
func figuresDone(err error, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintln(stderr, "06_composed_mini:", err)
		return 1
	}
	return 0
}

// drawOutage draws the default demo's figure from its callers, unless
// the run was late enough to change its counts.
func drawOutage(w io.Writer, dir string, s scenario, callers []*caller, late time.Duration) error {
	if late > lateWarning {
		return errBusyFigures
	}
	sums := make([]summary, len(callers))
	for i, c := range callers {
		sums[i] = s.summarize(c)
	}
	return writeFigures(w, dir, []chart.Named{outageFigure(s, sums)})
}

// overloadFigures runs the overload experiment again for its figure. It
// runs on a virtual clock and takes a fraction of a second.
func overloadFigures(seed uint64) []chart.Named {
	results := make([]ovResult, len(ovRuns))
	for i, r := range ovRuns {
		results[i] = simulate(r, seed)
	}
	return []chart.Named{goodputFigure(results)}
}
