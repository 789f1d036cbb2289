package main

import (
	"io"
	"testing"

	"reliability/flaky/chart"
)

// TestFiguresAreUpToDate runs the demo as `make charts` does, with -svg
// into a temporary directory, once as it is and once with -replicas 3,
// and compares what it drew byte for byte with the committed figures, so
// a change to the demo cannot leave the README showing an old picture.
func TestFiguresAreUpToDate(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"-svg", dir}, {"-replicas", "3", "-json", "-svg", dir}} {
		if code := run(args, io.Discard, io.Discard); code != 0 {
			t.Fatalf("go run ./05_rate_limit %v exited with %d", args, code)
		}
	}
	if err := chart.StaleDir(figuresDir, dir, "make charts"); err != nil {
		t.Error(err)
	}
}

// TestFloodFigureMatchesTheREADME checks the burst figure against the
// README's table, measured by ratelimit's TestBurstBehaviour: the fixed
// window lets 20 through in the first 100 ms of a flood that starts just
// before its boundary, the token bucket and the sliding window 10.
func TestFloodFigureMatchesTheREADME(t *testing.T) {
	p := burstFigure().Figure.(chart.Plot)
	want := map[string]struct{ first, total float64 }{
		"token bucket, burst 10": {10, 39},
		"sliding-window counter": {10, 37},
		"fixed-window counter":   {20, 40},
	}
	for _, l := range p.Lines {
		total := 0.0
		for _, y := range l.Y {
			total += y
		}
		w := want[l.Name]
		if l.Y[0] != w.first || total != w.total {
			t.Errorf("%s: %v in the first 100 ms and %v in all, want %v and %v",
				l.Name, l.Y[0], total, w.first, w.total)
		}
	}
}
