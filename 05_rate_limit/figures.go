package main

import (
	"fmt"
	"io"
	"time"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/chart"
)

// figuresDir holds the lesson's committed figures. `make charts` redraws
// them (go run ./05_rate_limit -svg 05_rate_limit/figures, and the same
// with -replicas 3), and a test checks that they are what the demo draws
// now.
const figuresDir = "figures"

// writeFigures writes figs into dir and names each file on w.
func writeFigures(w io.Writer, dir string, figs []chart.Named) error {
	return chart.Write(w, dir, figs)
}

// The flood of the burst figure: one request every millisecond for three
// seconds, from just before a whole second, where the counters' windows
// begin: the worst moment for a fixed window.
const (
	floodEvery  = time.Millisecond
	floodLength = 3 * time.Second
	floodFrom   = 990 * time.Millisecond // past a whole second
	floodLimit  = 10                     // per second, for all three
	floodBin    = 100 * time.Millisecond
)

// burstFigure floods three limiters of the same average rate, 10 per
// second, and draws what each admitted per 100 ms: the token bucket
// (burst 10), the sliding-window counter and the fixed-window counter
// (10 per 1 s window each). It is the README's burst table drawn over
// time; ratelimit's TestBurstBehaviour checks the same numbers.
func burstFigure() chart.Named {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(floodFrom)
	perBin := func(name string, allow func(time.Time, int) bool) chart.Line {
		bins := int(floodLength / floodBin)
		l := chart.Line{Name: name, Step: true, Y: make([]float64, bins)}
		for i := range bins {
			l.X = append(l.X, (time.Duration(i) * floodBin).Seconds())
		}
		for at := time.Duration(0); at < floodLength; at += floodEvery {
			if allow(start.Add(at), 1) {
				l.Y[at/floodBin]++
			}
		}
		return l
	}
	return chart.Named{Name: "burst-algorithms", Figure: chart.Plot{
		Title: fmt.Sprintf("%d requests per 100 ms against limits of %d per second",
			floodBin/floodEvery, floodLimit),
		XLabel: "time since the flood began, 10 ms before a window boundary (s)",
		YLabel: "requests admitted per 100 ms",
		Lines: []chart.Line{
			perBin("token bucket, burst 10", ratelimit.NewLimiter(floodLimit, floodLimit).AllowN),
			perBin("sliding-window counter", ratelimit.NewSlidingWindow(floodLimit, time.Second).AllowN),
			perBin("fixed-window counter", (&fixedWindow{limit: floodLimit, window: time.Second}).AllowN),
		},
	}}
}

// fixedWindow is the plain fixed-window counter: at most limit events per
// window, the count reset to zero at each boundary. The lesson keeps it
// only to draw its defect.
type fixedWindow struct {
	limit  int
	window time.Duration
	start  time.Time
	count  int
}

// AllowN reports whether n events may happen at t, and counts them if so.
func (f *fixedWindow) AllowN(t time.Time, n int) bool {
	if start := t.Truncate(f.window); start.After(f.start) {
		f.start, f.count = start, 0
	}
	if f.count+n > f.limit {
		return false
	}
	f.count += n
	return true
}

// replicaFigures draws what the heavy client offered and what it got
// admitted, second by second, with a limit in each process and with one
// limit shared in Redis: the demo's first two runs, as its last table
// shows them. (Per 100 ms, the random arrivals would hide the rates.)
func replicaFigures(replicas int, runs []replicaRun) []chart.Named {
	perBin := func(name string, at []time.Duration) chart.Line {
		bins := int(runLength / time.Second)
		l := chart.Line{Name: name, Step: true, Y: make([]float64, bins)}
		for i := range bins {
			l.X = append(l.X, float64(i))
		}
		for _, t := range at {
			l.Y[t/time.Second]++
		}
		return l
	}
	// The limit first, so that the runs are drawn over it.
	lines := []chart.Line{{Name: fmt.Sprintf("the limit, %d per second", limitPerS),
		X: []float64{0, runLength.Seconds()}, Y: []float64{limitPerS, limitPerS}}}
	for _, r := range runs {
		switch r.Run {
		case "per-process":
			lines = append(lines,
				perBin("offered", r.offeredAt),
				perBin("admitted, a limit per process", r.admittedAt))
		case "shared-gcra":
			lines = append(lines, perBin("admitted, one shared limit", r.admittedAt))
		}
	}
	return []chart.Named{{Name: "replicas-limit", Figure: chart.Plot{
		Title:  fmt.Sprintf("One client's requests through %d replicas", replicas),
		XLabel: "time since the first request (s)",
		YLabel: "requests in that second",
		Lines:  lines,
	}}}
}
