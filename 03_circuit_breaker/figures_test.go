package main

import (
	"io"
	"strings"
	"testing"

	"reliability/flaky/chart"
)

// TestFiguresAreUpToDate runs the demo as `make charts` does (-replicas 3
// with its other flags at their defaults, and -svg) into a temporary
// directory, and compares what it drew byte for byte with the committed
// figures, so a change to the demo cannot leave the README showing an
// old picture.
func TestFiguresAreUpToDate(t *testing.T) {
	dir := t.TempDir()
	if code := run([]string{"-replicas", "3", "-json", "-svg", dir}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("go run ./03_circuit_breaker -replicas 3 -svg %s exited with %d", dir, code)
	}
	if err := chart.StaleDir(figuresDir, dir, "make charts"); err != nil {
		t.Error(err)
	}
}

func TestSVGNeedsReplicas(t *testing.T) {
	code, _, errOut := runReplicasDemo(t, "-svg", t.TempDir())
	if code != 2 {
		t.Errorf("-svg without -replicas exited with %d, want 2", code)
	}
	if want := "-svg needs -replicas"; !strings.Contains(errOut, want) {
		t.Errorf("-svg without -replicas printed %q, want it to say %q", errOut, want)
	}
}
