package main

import (
	"io"
	"strings"
	"testing"

	"reliability/flaky/chart"
)

// TestFiguresAreUpToDate runs the demo as `make charts` does, with its
// default flags and -svg, into a temporary directory, and compares what
// it drew byte for byte with the committed figures, so a change to the
// demo cannot leave the README showing an old picture.
func TestFiguresAreUpToDate(t *testing.T) {
	dir := t.TempDir()
	if code := run([]string{"-svg", dir}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
		t.Fatalf("go run ./04_bulkhead -svg %s exited with %d", dir, code)
	}
	if err := chart.StaleDir(figuresDir, dir, "make charts"); err != nil {
		t.Error(err)
	}
}
