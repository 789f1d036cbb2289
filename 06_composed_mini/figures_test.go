package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"reliability/flaky/chart"
)

// updateFigures rewrites the committed figures instead of comparing them:
// go test ./06_composed_mini -run TestFiguresAreUpToDate -update. `make
// charts` draws this lesson's figures that way, because the default
// demo's run keeps real time, and a busy machine can shift its counts:
// in a synctest bubble it gives the same counts on every machine.
var updateFigures = flag.Bool("update", false, "rewrite the committed figures in figures/")

// TestFiguresAreUpToDate runs the demo with -svg into a temporary
// directory, once as it is (in virtual time, so that the counts are a
// quiet machine's) and once with -overload, and compares what it drew
// byte for byte with the committed figures, so a change to the demo
// cannot leave the README showing an old picture.
func TestFiguresAreUpToDate(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"-json", "-svg", dir}, {"-overload", "-json", "-svg", dir}} {
		if code, _, errOut := demo(t, "", args...); code != 0 {
			t.Fatalf("go run ./06_composed_mini %v exited with %d: %s", args, code, errOut)
		}
	}
	if *updateFigures {
		files, err := filepath.Glob(filepath.Join(dir, "*.svg"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no figure drawn: %v", err)
		}
		for _, f := range files {
			svg, err := os.ReadFile(f)
			if err == nil {
				err = os.WriteFile(filepath.Join(figuresDir, filepath.Base(f)), svg, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Log("wrote", filepath.Join("06_composed_mini", figuresDir, filepath.Base(f)))
		}
		return
	}
	if err := chart.StaleDir(figuresDir, dir, "make charts"); err != nil {
		t.Error(err)
	}
}

// TestBusyRunDrawsNoFigure: counts from a run whose timers fired late may
// differ from a quiet machine's, so the demo refuses to draw them.
func TestBusyRunDrawsNoFigure(t *testing.T) {
	err := drawOutage(io.Discard, t.TempDir(), scenario{}, nil, 2*lateWarning)
	if err != errBusyFigures {
		t.Errorf("a late run drew its figure (err %v), want errBusyFigures", err)
	}
}
