package main

import (
	"fmt"
	"io"
	"time"

	"reliability/04_bulkhead/bulkhead"
	"reliability/flaky/chart"
)

// figuresDir holds the lesson's committed figures. `make charts` redraws
// them (go run ./04_bulkhead -svg 04_bulkhead/figures), and a test checks
// that they are what the demo draws now.
const figuresDir = "figures"

// writeFigures draws the figures of scenario s into dir and names each
// file on w.
func writeFigures(w io.Writer, dir string, s scenario) error {
	figs, err := figuresFor(s)
	if err != nil {
		return err
	}
	return chart.Write(w, dir, figs)
}

// figuresFor runs the demo's first two setups again, on the same virtual
// clock and seed, and draws how long A's callers waited in each.
func figuresFor(s scenario) ([]chart.Named, error) {
	half := s.workers / 2
	pool := mustNew(bulkhead.New(s.workers, queueForSlot))
	shared, err := s.run(pool, pool)
	if err != nil {
		return nil, err
	}
	split, err := s.run(mustNew(bulkhead.New(half, queueForSlot)), mustNew(bulkhead.New(half, refuseAtOnce)))
	if err != nil {
		return nil, err
	}
	return []chart.Named{{Name: "latency-of-a", Figure: chart.Plot{
		Title:  fmt.Sprintf("How long A's callers waited (B turns slow at %v)", slowFrom),
		XLabel: "time until the caller had its answer, or its deadline passed (ms)",
		YLabel: "A's calls done by then (%)",
		Lines: []chart.Line{
			latencyCDF(fmt.Sprintf("one shared pool of %d", s.workers), shared),
			latencyCDF(fmt.Sprintf("a bulkhead each, %d + %d", half, half), split),
		},
	}}}, nil
}

// latencyCDF is the share of A's requests in r answered within each
// tenth of a millisecond, up to a little past A's deadline: a staircase
// that climbs where answers arrive.
func latencyCDF(name string, r runResult) chart.Line {
	var latencies []time.Duration
	for _, req := range r.requests {
		if req.dep == depA {
			latencies = append(latencies, req.latency)
		}
	}
	l := chart.Line{Name: name, Step: true}
	const step = 100 * time.Microsecond
	for at := time.Duration(0); at <= deadlineA+5*time.Millisecond; at += step {
		within := 0
		for _, d := range latencies {
			if d <= at {
				within++
			}
		}
		l.X = append(l.X, float64(at)/float64(time.Millisecond))
		l.Y = append(l.Y, 100*float64(within)/float64(max(1, len(latencies))))
	}
	return l
}
