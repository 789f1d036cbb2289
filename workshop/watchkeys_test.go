package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"reliability/workshop/course"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWatchKeysOnATerminal: on a terminal, watch reads single keys
// without Enter and without echo (h hint, l list, n next, anything else
// the legend, q quit), and gives the terminal back as it found it.
func TestWatchKeysOnATerminal(t *testing.T) {
	master, term := openPTY(t)
	root := fakeCourse(t)
	cache := t.TempDir()
	a, out, _ := testApp(t, root, "", cache)
	a.stdinFile = term
	c, err := course.Load(root)
	require.NoError(t, err)
	f := &fakeTests{c: c}
	w := &watcher{a: a, c: c, interval: time.Minute, settle: time.Minute, eval: f.eval}
	editing, echo := termFlags(t, term)
	require.True(t, editing && echo, "a fresh terminal edits lines and echoes")

	done := make(chan int, 1)
	go func() { done <- w.start(t.Context()) }()
	const limit = time.Minute // turns a hang into a failure; no test waits for it
	waitFor(t, out, "Now: 01/ex1, double a number\n", limit)
	waitFor(t, out, "  hint           go run ./workshop hint 01/ex1\n", limit)
	assert.Contains(t, out.String(), "Watching your exercises (file sizes and times, every 1m0s).\n"+keysLegend+"\n")
	assert.NotContains(t, out.String(), "Ctrl-C stops")
	editing, echo = termFlags(t, term)
	assert.False(t, editing, "a key counts without Enter")
	assert.False(t, echo, "a key is not echoed")

	press := func(k string) {
		t.Helper()
		_, err := master.WriteString(k)
		require.NoError(t, err)
	}
	press("h")
	waitFor(t, out, "01/ex1, double a number\n\n  multiply by two, not by three.\n", limit)
	press("l")
	waitFor(t, out, "  ✗ 01/ex1  double a number  ← now\n  ✗ 01/ex2  halve a number\n", limit)
	press("n")
	waitFor(t, out, "Leaving 01/ex1 for now; on to the next one…\n", limit)
	waitFor(t, out, "Now: 01/ex2, halve a number\n", limit)
	press("?")
	waitFor(t, out, "go run ./workshop hint 01/ex2\n"+keysLegend+"\n", limit)
	press("q")
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(limit):
		t.Fatalf("q did not stop the watch:\n%s", out.String())
	}
	assert.True(t, strings.HasSuffix(out.String(), "\nStopped watching.\n"))
	editing, echo = termFlags(t, term)
	assert.True(t, editing && echo, "the terminal is given back as it was")

	e, ok := a.savedPlace(c)
	require.True(t, ok)
	assert.Equal(t, "01/ex2", e.ID, "the exercise n went on to is the learner's place for the next start")
}

// TestWatchWithoutATerminal: with standard input a pipe (CI, a script, a
// Windows console) watch works as it always has: no keys, Ctrl-C stops
// it, and it does not read standard input at all.
func TestWatchWithoutATerminal(t *testing.T) {
	root := fakeCourse(t)
	r, pw, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = pw.WriteString("q")
	require.NoError(t, err)
	require.NoError(t, pw.Close())

	synctest.Test(t, func(t *testing.T) {
		a, out, _ := testApp(t, root, "")
		a.stdinFile = r
		c, err := course.Load(root)
		require.NoError(t, err)
		f := &fakeTests{c: c}
		w := &watcher{a: a, c: c, interval: 200 * time.Millisecond, settle: 100 * time.Millisecond, eval: f.eval}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan int, 1)
		go func() { done <- w.start(ctx) }()
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Contains(t, out.String(), "Watching your exercises (file sizes and times, every 200ms). Ctrl-C stops.\n")
		assert.NotContains(t, out.String(), "Keys:")
		assert.NotContains(t, out.String(), "Stopped watching", "a q in a pipe is not a key")
		cancel()
		assert.Equal(t, 0, <-done)
	})
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "q", string(rest), "standard input is left unread")
}

// TestWatchStartsWhereItIsToldAndResumes: watch 02 starts at lesson 02;
// a plain watch started later resumes there; a pass goes on inside the
// lesson before it leaves it.
func TestWatchStartsWhereItIsToldAndResumes(t *testing.T) {
	root := fakeCourse(t)
	cache := t.TempDir()
	c, err := course.Load(root)
	require.NoError(t, err)
	watch := func(t *testing.T, tg target) (*syncBuffer, func(), func() int) {
		a, out, _ := testApp(t, root, "", cache)
		f := &fakeTests{c: c}
		w := &watcher{a: a, c: c, target: tg, interval: 200 * time.Millisecond, settle: 100 * time.Millisecond, eval: f.eval}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan int, 1)
		go func() { done <- w.start(ctx) }()
		synctest.Wait()
		return out, func() { time.Sleep(time.Second); synctest.Wait() }, func() int { cancel(); return <-done }
	}
	synctest.Test(t, func(t *testing.T) {
		tg, err := parseTarget(c, "01/ex2")
		require.NoError(t, err)
		out, wait, stop := watch(t, tg)
		assert.Contains(t, out.String(), "Now: 01/ex2, halve a number\n", "watch 01/ex2 starts there, not at 01/ex1")
		copyFile(t, root, solutionOf(stub2), stub2)
		wait()
		assert.Contains(t, out.String(), "✓ 01/ex2, halve a number: passes")
		assert.Contains(t, out.String(), "] 1/3 done\n\nNow: 01/ex1, double a number\n",
			"after a pass, the exercise left in the same lesson before another lesson")
		assert.Equal(t, 0, stop())

		tg, err = parseTarget(c, "02")
		require.NoError(t, err)
		out, _, stop = watch(t, tg)
		assert.Contains(t, out.String(), "Now: 02/ex1, greet someone\n")
		assert.Equal(t, 0, stop())

		out, _, stop = watch(t, target{})
		assert.Contains(t, out.String(), "Now: 02/ex1, greet someone\n", "a plain watch resumes where the last one was")
		assert.Equal(t, 0, stop())
	})
}
