package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"reliability/workshop/course"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTests stands in for go test in the watch loop: an exercise passes
// when its stub is its solution, byte for byte. It records what it was
// asked, and can be made slow.
type fakeTests struct {
	c     *course.Course
	delay time.Duration

	mu    sync.Mutex
	calls []string
}

func (f *fakeTests) eval(ctx context.Context, list []course.Exercise) (map[string]Verdict, error) {
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	f.mu.Lock()
	f.calls = append(f.calls, strings.Join(ids, " "))
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out := map[string]Verdict{}
	for _, e := range list {
		stub, _ := f.c.ReadFile(e.Stub)
		sol, _ := f.c.ReadFile(e.Solution)
		if string(stub) == string(sol) {
			out[e.ID] = Verdict{Status: statusPass, Tests: 1}
			continue
		}
		msg := fmt.Sprintf("%s is not solved yet", e.ID)
		out[e.ID] = Verdict{Status: statusFail, Tests: 1, Message: msg,
			Failures: []Failure{{Test: fmt.Sprintf("TestEx%dFake", e.Number), Messages: []string{msg}}}}
	}
	return out, nil
}

func (f *fakeTests) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// startWatch runs the watch loop on root in the background, in the
// calling synctest bubble, and returns its output, the fake tests, a
// way to let virtual time pass, and a function that stops it and
// returns its exit status.
func startWatch(t *testing.T, root string, poll bool, delay time.Duration) (*syncBuffer, *fakeTests, func(), func() int) {
	a, out, _ := testApp(t, root, "")
	c, err := course.Load(root)
	require.NoError(t, err)
	f := &fakeTests{c: c, delay: delay}
	w := &watcher{a: a, c: c, poll: poll, interval: 200 * time.Millisecond, settle: 100 * time.Millisecond, eval: f.eval}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { done <- w.run(ctx) }()
	synctest.Wait()
	wait := func() {
		time.Sleep(time.Second) // virtual: several looks and a settle
		synctest.Wait()
	}
	stop := func() int {
		cancel()
		return <-done
	}
	return out, f, wait, stop
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), []byte(content), 0o644))
}

// TestWatchFollowsTheLearnersSaves walks through a session: litter and
// a touch change nothing, a save by rename-over is seen, a pass moves on
// to the next exercise, a save in another lesson tests that lesson's
// exercise, and the last pass ends the watch.
func TestWatchFollowsTheLearnersSaves(t *testing.T) {
	root := fakeCourse(t)
	synctest.Test(t, func(t *testing.T) {
		out, f, wait, stop := startWatch(t, root, false, 0)
		assert.Contains(t, out.String(), "Watching your exercises (file sizes and times, every 200ms). Ctrl-C stops.\n")
		assert.Contains(t, out.String(), "] 0/3 done\n\nNow: 01/ex1, double a number\n")
		assert.Equal(t, 1, f.callCount(), "one evaluation to start")

		dir := filepath.Join(root, "01_demo", "exercises")
		for _, litter := range []string{".ex1_double.go.swp", "ex1_double.go~", "4913", ".#ex1_double.go"} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, litter), []byte("x"), 0o644))
		}
		wait()
		later := time.Now().Add(time.Hour)
		require.NoError(t, os.Chtimes(filepath.Join(dir, "ex1_double.go"), later, later))
		wait()
		assert.NotContains(t, out.String(), "changed", "editor litter and a touch without a change run nothing")
		assert.Equal(t, 1, f.callCount())

		// An editor that writes a temporary file and renames it over the
		// stub.
		tmp := filepath.Join(dir, "ex1_double.go.tmp")
		require.NoError(t, os.WriteFile(tmp, []byte(readFile(t, root, solutionOf(stub1))), 0o644))
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "ex1_double.go")))
		wait()
		assert.Contains(t, out.String(), "ex1_double.go changed: testing 01/ex1…\n✓ 01/ex1, double a number: passes")
		assert.Contains(t, out.String(), "] 1/3 done\n\nNow: 01/ex2, halve a number\n")
		f.mu.Lock()
		assert.Equal(t, []string{"01/ex1 01/ex2 02/ex1", "01/ex1", "01/ex1 01/ex2 02/ex1"}, f.calls,
			"on a save only the exercise saved runs; after a pass, the rest to find the next")
		f.mu.Unlock()

		write(t, root, stub2, "package exercises\n\nfunc Half(n int) int { return n }\n")
		wait()
		assert.Contains(t, out.String(), "ex2_half.go changed: testing 01/ex2…\n"+
			"✗ 01/ex2, halve a number: its test fails (0s)\n    TestEx2Fake\n      01/ex2 is not solved yet\n"+
			"  edit  "+filepath.FromSlash(stub2)+"\n  hint  go run ./workshop hint 01/ex2\n")

		copyFile(t, root, solutionOf(stub3), stub3)
		wait()
		assert.Contains(t, out.String(), "ex1_greet.go changed: testing 02/ex1…\n✓ 02/ex1, greet someone: passes",
			"a save in another lesson tests that lesson's exercise")
		assert.Contains(t, out.String(), "] 2/3 done\n\nNow: 01/ex2, halve a number\n", "then back to the first unfinished one")

		copyFile(t, root, solutionOf(stub2), stub2)
		wait()
		assert.Contains(t, out.String(), "] 3/3 done\n\n✓ Every exercise passes (3 of 3). Well done.\n")
		assert.Equal(t, 0, stop(), "the watch ends by itself when all is done")
	})
}

// TestWatchPollSeesWhatTimesHide: an edit that keeps the size and the
// modification time (a coarse-clocked network file system, a tool that
// restores times) escapes the default look but not --poll.
func TestWatchPollSeesWhatTimesHide(t *testing.T) {
	for _, poll := range []bool{false, true} {
		t.Run(fmt.Sprintf("poll=%v", poll), func(t *testing.T) {
			root := fakeCourse(t)
			synctest.Test(t, func(t *testing.T) {
				out, _, wait, stop := startWatch(t, root, poll, 0)
				p := filepath.Join(root, filepath.FromSlash(stub1))
				info, err := os.Stat(p)
				require.NoError(t, err)
				write(t, root, stub1, strings.Replace(readFile(t, root, stub1), "return 0", "return 1", 1))
				require.NoError(t, os.Chtimes(p, info.ModTime(), info.ModTime()))
				wait()
				if poll {
					assert.Contains(t, out.String(), "(file contents, every 200ms)")
					assert.Contains(t, out.String(), "ex1_double.go changed: testing 01/ex1…\n✗ 01/ex1")
				} else {
					assert.NotContains(t, out.String(), "changed")
				}
				assert.Equal(t, 0, stop(), "Ctrl-C ends the watch cleanly")
				assert.True(t, strings.HasSuffix(out.String(), "\nStopped watching.\n"))
			})
		})
	}
}

// TestWatchSaveDuringARunSupersedesIt: the verdict shown is always about
// the files as they are, never about a version saved over meanwhile.
func TestWatchSaveDuringARunSupersedesIt(t *testing.T) {
	root := fakeCourse(t)
	synctest.Test(t, func(t *testing.T) {
		out, f, _, stop := startWatch(t, root, false, 0)
		f.delay = 5 * time.Second // each run takes five (virtual) seconds
		write(t, root, stub1, "package exercises\n\nfunc Double(n int) int { return 3 * n }\n")
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Contains(t, out.String(), "testing 01/ex1…")
		copyFile(t, root, solutionOf(stub1), stub1)
		time.Sleep(20 * time.Second)
		synctest.Wait()
		assert.Equal(t, 2, strings.Count(out.String(), "testing 01/ex1…"))
		assert.NotContains(t, out.String(), "✗ 01/ex1", "the first run was cancelled, its verdict never shown")
		assert.Contains(t, out.String(), "✓ 01/ex1, double a number: passes")
		assert.Equal(t, 0, stop())
	})
}

// waitFor waits, in real time and at most limit, until out contains want.
func waitFor(t *testing.T, out *syncBuffer, want string, limit time.Duration) {
	t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for !strings.Contains(out.String(), want) {
		select {
		case <-out.changed:
		case <-deadline.C:
			t.Fatalf("after %v the output still lacks %q:\n%s", limit, want, out.String())
		}
	}
}

// TestWatchEndToEnd runs the real loop with real go test runs on the
// fake course: a save turns red to green and names the next exercise.
// It waits for output, never for a fixed time; the limit only turns a
// hang into a failure.
func TestWatchEndToEnd(t *testing.T) {
	root := fakeCourse(t)
	a, out, _ := testApp(t, root, "")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"watch", "--interval=50ms"}) }()

	const limit = 2 * time.Minute
	// Output arrives a line at a time: wait for the last line of a block.
	waitFor(t, out, "Now: 01/ex1, double a number\n", limit)
	waitFor(t, out, "Double(2) = 0, want 4: twice two is four\n  hint ", limit)
	// Saved in one step (write and rename), so that no look can catch a
	// half-written file and start a run that the next look cancels.
	copyFile(t, root, solutionOf(stub1), stub1+".new")
	require.NoError(t, os.Rename(filepath.Join(root, filepath.FromSlash(stub1+".new")), filepath.Join(root, filepath.FromSlash(stub1))))
	waitFor(t, out, "Now: 01/ex2, halve a number\n", limit)
	waitFor(t, out, "Half(9) = 0, want 4: rounded toward zero\n  hint ", limit)
	assert.Contains(t, out.String(), "✓ 01/ex1, double a number: passes")
	cancel()
	assert.Equal(t, 0, <-done)
	assert.Contains(t, out.String(), "Stopped watching.")
	assert.Equal(t, int32(3), a.testRuns.Load(), "start, the saved exercise alone, then the rest of its lesson")
}
