package main

import (
	"fmt"
	"io"
	"time"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/chart"
)

// figuresDir holds the lesson's committed figures. `make charts` redraws
// them (go run ./03_circuit_breaker -replicas 3 -svg
// 03_circuit_breaker/figures), and a test checks that they are what the
// demo draws now. They come from the -replicas mode because its clock is
// virtual: the same seed draws the same figure to the byte.
const figuresDir = "figures"

// writeFigures draws the figures of the two -replicas runs into dir and
// names each file on w.
func writeFigures(w io.Writer, dir string, s replicaScenario, perReplica, shared replicaRun) error {
	figs := replicaFigures(s, perReplica, shared)
	return chart.Write(w, dir, figs)
}

// replicaFigures draws, per beat, the calls that reached the service: in
// the first figure without a breaker and through the shared one, with
// that breaker's state behind; in the second through a breaker per
// replica and through the shared one.
func replicaFigures(s replicaScenario, perReplica, shared replicaRun) []chart.Named {
	var everyCall []time.Duration // without a breaker, every call reaches it
	for _, ev := range s.schedule() {
		everyCall = append(everyCall, ev.at)
	}
	down := chart.Band{Name: "service down", Strip: true,
		Spans: []chart.Span{{From: seconds(outageStart), To: seconds(outageStart + s.outage)}}}
	open, halfOpen := stateBands(shared.changes, time.Duration(s.calls)*beat)
	const (
		xLabel = "time since the first call (s)"
		yLabel = "calls that reached the service per 100 ms"
	)
	sharedLine := reachedPerBeat("one shared breaker", shared.reachedAt, s.calls)
	return []chart.Named{
		{Name: "breaker-outage", Figure: chart.Plot{
			Title:  fmt.Sprintf("%d replicas, one shared breaker, through an outage", s.replicas),
			XLabel: xLabel, YLabel: yLabel,
			Bands: []chart.Band{open, halfOpen, down},
			Lines: []chart.Line{reachedPerBeat("without a breaker", everyCall, s.calls), sharedLine},
			YMax:  float64(s.replicas),
		}},
		{Name: "breaker-replicas", Figure: chart.Plot{
			Title:  fmt.Sprintf("%d replicas: a breaker each or one shared breaker", s.replicas),
			XLabel: xLabel, YLabel: yLabel,
			Bands: []chart.Band{down},
			Lines: []chart.Line{reachedPerBeat("a breaker per replica", perReplica.reachedAt, s.calls), sharedLine},
			YMax:  float64(s.replicas),
		}},
	}
}

// reachedPerBeat counts the instants in each beat of a run of calls beats.
func reachedPerBeat(name string, at []time.Duration, calls int) chart.Line {
	counts := make([]float64, calls)
	for _, t := range at {
		if i := int(t / beat); i < calls {
			counts[i]++
		}
	}
	l := chart.Line{Name: name, Step: true, Y: counts}
	for i := range calls {
		l.X = append(l.X, seconds(time.Duration(i)*beat))
	}
	return l
}

// stateBands turns a breaker's changes of state into the spans it spent
// open and half-open, up to end.
func stateBands(changes []stateChange, end time.Duration) (open, halfOpen chart.Band) {
	open = chart.Band{Name: "breaker open"}
	halfOpen = chart.Band{Name: "breaker half-open"}
	for i, c := range changes {
		until := end
		if i+1 < len(changes) {
			until = changes[i+1].at
		}
		span := chart.Span{From: seconds(c.at), To: seconds(until)}
		switch c.to {
		case breaker.StateOpen:
			open.Spans = append(open.Spans, span)
		case breaker.StateHalfOpen:
			halfOpen.Spans = append(halfOpen.Spans, span)
		}
	}
	return open, halfOpen
}

func seconds(d time.Duration) float64 { return d.Seconds() }
