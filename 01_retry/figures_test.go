package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"reliability/flaky/chart"
)

// TestFiguresAreUpToDate redraws every committed figure from the runs
// `make charts` makes (the demo's defaults) and compares them byte for
// byte, so a change to the demo or the simulation cannot leave a README
// showing an old picture.
func TestFiguresAreUpToDate(t *testing.T) {
	t.Parallel() // the simulation takes a moment; let the other tests run
	var figs []chart.Named
	for _, args := range [][]string{{"-sim"}, {}} {
		o, err := parseFlags(args, io.Discard)
		require.NoError(t, err)
		f, err := figuresFor(o)
		require.NoError(t, err)
		figs = append(figs, f...)
	}
	if err := chart.Stale(figuresDir, figs, "make charts"); err != nil {
		t.Error(err)
	}
}
