package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"reliability/workshop/course"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryLineFitsEightyColumns renders everything the runner prints,
// for every exercise of the real course this test sits in (its titles,
// paths, hints and run lines), with the widest verdicts it can meet: the
// help of every command, list, every hint, the status lines and the
// block about the exercise to do, watch's banners, the lines after a
// save (with the "edit" and "hint" lines a learner copies), and the
// header of solution's diff. Every line must fit 80 columns: a
// projector, a split terminal, an 80-column console. make test runs it
// with the rest of the workshop module's tests. It runs no go test.
func TestEveryLineFitsEightyColumns(t *testing.T) {
	root, err := course.FindRoot(".")
	require.NoError(t, err, "the check runs inside the workshop")
	c, err := course.Load(root)
	require.NoError(t, err)
	c.FillDocs()
	all := c.Exercises()
	require.NotEmpty(t, all)

	a, out, errOut := testApp(t, root, "")
	require.Equal(t, 0, a.run(t.Context(), []string{"-h"}))
	for _, cmd := range commands {
		require.Equal(t, 0, a.run(t.Context(), []string{cmd.name, "-h"}), cmd.name)
	}
	require.Equal(t, 0, a.run(t.Context(), []string{"list"}))
	for _, e := range all {
		require.Equal(t, 0, a.run(t.Context(), []string{"hint", e.ID}), e.ID)
	}
	for _, args := range [][]string{{"9"}, {"watch", "04/ex99"}, {"hint", "a_lesson_that_is_not_there/ex1"}, {"stauts"}} {
		require.Equal(t, exitUsage, a.run(t.Context(), args), args)
	}
	assert.Zero(t, a.testRuns.Load(), "help, list, hints and mistakes run no tests")

	long := strings.TrimSpace(strings.Repeat("a failure message that goes on for a while, ", 6))
	word := strings.Repeat("x", 70) // a long word, as in a path or a value
	failing := func(e course.Exercise, n int) Verdict {
		v := Verdict{Status: statusFail, Tests: n + 2, Message: long + " " + word}
		for i := range n {
			v.Failures = append(v.Failures, Failure{Test: fmt.Sprintf("TestEx%dSomethingRatherLongNumber%d", e.Number, i),
				Messages: []string{long, word + " " + long}})
		}
		return v
	}
	shapes := func(e course.Exercise) []Verdict {
		compile := []string{e.Stub + ":12:3: " + long, e.Stub + ":13:1: " + word}
		return []Verdict{
			failing(e, 1), failing(e, 5),
			{Status: statusBuild, Compile: compile, Message: compile[0]},
			{Status: statusBuild, Compile: compile, Message: compile[0], Elsewhere: true},
			{Status: statusError, Compile: []string{long}, Message: long},
			{Status: statusFail, Message: long},
			{Status: statusPass, Tests: 4},
		}
	}
	w := &watcher{a: a, c: c}
	keys := make(chan byte)
	widest := map[string]Verdict{}
	for _, e := range all {
		widest[e.ID] = Verdict{Status: statusBuild, Elsewhere: true}
	}
	for _, e := range all {
		a.printCourse(c, widest, e.ID, "← next")
		a.printCourse(c, widest, e.ID, "← now")
		for _, v := range shapes(e) {
			a.printNext(c, "Next", e, v, true)
			a.printNext(c, "Now", e, v, false)
			r := testResult{focus: e, verdict: v, took: 12345 * time.Millisecond}
			for _, k := range []<-chan byte{nil, keys} {
				w.keys = k
				if v.Done() {
					w.printPass(r)
				} else {
					w.printFailure(r)
				}
			}
		}
		w.printTesting([]string{e.Stub}, e)
		w.printTesting([]string{e.Stub, e.Test, e.Stub + "~", e.Test + "~", "more"}, e)
		a.printSolutionHeader(e)
		stub, _ := c.ReadFile(e.Stub)
		sol, _ := c.ReadFile(e.Solution)
		for _, line := range strings.Split(codeDiff(string(stub), string(sol), 3), "\n") {
			if strings.HasPrefix(line, "@@") {
				fmt.Fprintln(a.stdout, line) // the code itself is the course's, not the runner's
			}
		}
	}
	a.printAllDone(len(all))

	// The watch banners, with and without keys, at the widest interval.
	for _, withKeys := range []bool{false, true} {
		for _, poll := range []bool{false, true} {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeTests{c: c}
				w := &watcher{a: a, c: c, poll: poll, interval: maxInterval, settle: time.Second, eval: f.eval}
				if withKeys {
					w.keys = make(chan byte) // made in the bubble, so that a wait on it is a durable one
				}
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan int, 1)
				go func() { done <- w.run(ctx) }()
				synctest.Wait()
				cancel()
				<-done
			})
		}
	}
	assert.Contains(t, out.String(), keysLegend)
	assert.Contains(t, out.String(), "Ctrl-C stops.")

	lines := strings.Split(out.String()+errOut.String(), "\n")
	assert.Greater(t, len(lines), 50*len(all), "everything was rendered")
	wide, most := 0, 0
	for _, line := range lines {
		n := columns(line)
		most = max(most, n)
		if n > maxColumns {
			wide++
			if wide <= 10 {
				t.Errorf("%d columns, more than %d: %q", n, maxColumns, line)
			}
		}
	}
	if wide > 10 {
		t.Errorf("and %d more lines wider than %d columns", wide-10, maxColumns)
	}
	t.Logf("%d lines for %d exercises, the widest %d columns", len(lines), len(all), most)
}

// TestTheReadmeCountsTheRealCourse: the runner's README shows a
// progress bar; its total is the course's number of exercises, so that
// the example is one a learner can meet.
func TestTheReadmeCountsTheRealCourse(t *testing.T) {
	root, err := course.FindRoot(".")
	require.NoError(t, err)
	c, err := course.Load(root)
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "workshop", "README.md"))
	require.NoError(t, err)
	bars := regexp.MustCompile(`\] (\d+)/(\d+) done`).FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, bars, "workshop/README.md shows the progress bar")
	for _, b := range bars {
		assert.Equal(t, fmt.Sprint(len(c.Exercises())), b[2],
			"workshop/README.md says %s/%s done, but the course has %d exercises: change the example to %s/%d",
			b[1], b[2], len(c.Exercises()), b[1], len(c.Exercises()))
	}
}
