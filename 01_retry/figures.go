package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"reliability/01_retry/retry"
	"reliability/01_retry/sim"
	"reliability/flaky/chart"
)

// figuresDir holds the lesson's committed figures. `make charts` redraws
// them (go run ./01_retry -sim -svg 01_retry/figures, and the same
// without -sim), and a test checks that they are what the demo draws now.
const figuresDir = "figures"

// writeFigures draws the figures of the run o describes into o.svg and
// names each file on w: with -sim the jitter experiment's two charts,
// otherwise phase 4's retry spike.
func writeFigures(w io.Writer, o options) error {
	figs, err := figuresFor(o)
	if err != nil {
		return err
	}
	return chart.Write(w, o.svg, figs)
}

// figuresFor returns the figures of the run o describes. The simulation
// runs again, in virtual time, from the same seed: it gives the numbers
// the table showed.
func figuresFor(o options) ([]chart.Named, error) {
	if !o.sim {
		return []chart.Named{spikeFigure(o)}, nil
	}
	results, err := sim.Run(sim.Config{Seed: o.seed, Clients: o.simClients})
	if err != nil {
		return nil, err
	}
	return jitterFigures(results), nil
}

// jitterFigures are the AWS article's two charts: total calls and
// completion time against the number of clients, a line per strategy.
func jitterFigures(rs []sim.Result) []chart.Named {
	var order []string // strategies in the order the simulation ran them
	calls := map[string]*chart.Line{}
	done := map[string]*chart.Line{}
	for _, r := range rs {
		if calls[r.Strategy] == nil {
			order = append(order, r.Strategy)
			calls[r.Strategy] = &chart.Line{Name: r.Strategy}
			done[r.Strategy] = &chart.Line{Name: r.Strategy}
		}
		for _, l := range []*chart.Line{calls[r.Strategy], done[r.Strategy]} {
			l.X = append(l.X, float64(r.Clients))
		}
		calls[r.Strategy].Y = append(calls[r.Strategy].Y, float64(r.Calls))
		done[r.Strategy].Y = append(done[r.Strategy].Y, r.Completion().Seconds())
	}
	callLines, doneLines := make([]chart.Line, len(order)), make([]chart.Line, len(order))
	for i, s := range order {
		callLines[i], doneLines[i] = *calls[s], *done[s]
	}
	return []chart.Named{
		{Name: "jitter-calls", Figure: chart.Plot{
			Title:  "Writes sent until every client has succeeded",
			XLabel: "contending clients",
			YLabel: "writes sent (mean of runs)",
			Lines:  callLines,
		}},
		{Name: "jitter-completion", Figure: chart.Plot{
			Title:  "Time until the last client has succeeded",
			XLabel: "contending clients",
			YLabel: "completion time (s, virtual)",
			Lines:  doneLines,
		}},
	}
}

// spikeFigure is phase 4 drawn per millisecond: when the retries of
// herdClients clients that failed together are sent, without jitter and
// with full jitter.
func spikeFigure(o options) chart.Named {
	plain := herdRetries(demoPolicy(o, retry.NoJitter), o.attempts)
	jittered := herdRetries(demoPolicy(o, retry.FullJitter), o.attempts)
	// A few empty milliseconds after the last retry, so that it does not
	// sit on the frame.
	last := max(slices.Max(plain), slices.Max(jittered))/time.Millisecond + 4
	perMS := func(name string, times []time.Duration) chart.Line {
		l := chart.Line{Name: name, Step: true}
		counts := histogram(times, time.Millisecond)
		for ms := range last + 1 {
			l.X = append(l.X, float64(ms))
			n := 0
			if int(ms) < len(counts) {
				n = counts[ms]
			}
			l.Y = append(l.Y, float64(n))
		}
		return l
	}
	return chart.Named{Name: "retry-spike", Figure: chart.Plot{
		Title:  fmt.Sprintf("Retries of %d clients that failed at the same instant", herdClients),
		XLabel: "time since the shared failure (ms)",
		YLabel: "retries sent in that millisecond",
		Lines:  []chart.Line{perMS("no jitter", plain), perMS("full jitter", jittered)},
	}}
}
