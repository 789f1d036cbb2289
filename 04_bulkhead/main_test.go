package main

import (
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"reliability/04_bulkhead/bulkhead"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runs returns the three setups of the demo. The demo keeps its own
// virtual clock, so the runs need no synctest bubble.
func runs(t *testing.T, s scenario) (shared, split, lib runResult) {
	t.Helper()
	half := s.workers / 2
	var err error
	pool := mustNew(bulkhead.New(s.workers, queueForSlot))
	shared, err = s.run(pool, pool)
	require.NoError(t, err)
	split, err = s.run(mustNew(bulkhead.New(half, queueForSlot)), mustNew(bulkhead.New(half, refuseAtOnce)))
	require.NoError(t, err)
	lib, err = s.run(mustNew(bulkhead.NewLibrary(half, queueForSlot)), mustNew(bulkhead.NewLibrary(half, refuseAtOnce)))
	require.NoError(t, err)
	return shared, split, lib
}

// The point of the lesson, in numbers: with one pool the slow dependency
// takes every worker and the fast path collapses; with a bulkhead each
// the fast path is as healthy as before B turned slow.
func TestIsolationShowsInTheNumbers(t *testing.T) {
	shared, split, lib := runs(t, scenario{seed: 1, workers: 10})

	before := shared.path(depA, 0, slowFrom)
	require.Equal(t, 30, before.calls)
	assert.GreaterOrEqual(t, before.successRate(), 95.0, "A is healthy before B turns slow")

	one, each := shared.afterSlow(depA), split.afterSlow(depA)
	assert.Less(t, one.successRate(), 20.0, "one pool: B's stuck calls starve A")
	assert.Equal(t, deadlineA, one.p99, "one pool: A's slowest callers wait until they give up")
	assert.GreaterOrEqual(t, each.successRate(), 95.0, "a bulkhead each: A stays healthy")
	assert.LessOrEqual(t, each.p99, latency+jitter, "a bulkhead each: A's p99 is its service time")
	assert.InDelta(t, before.p99, each.p99, float64(100*time.Microsecond), "as fast as before B turned slow")

	assert.Equal(t, [2]int{1, 10}, shared.mostInside, "B took the whole shared pool")
	assert.Equal(t, [2]int{1, 5}, split.mostInside, "B was held to its half")
	assert.Positive(t, shared.count(depA, gaveUp), "A's callers gave up in the queue")
	assert.Positive(t, split.count(depB, refused), "B's bulkhead refused calls")
	assert.Zero(t, split.count(depA, refused)+split.count(depA, gaveUp), "A's bulkhead never turned anyone away")
	assert.Equal(t, time.Duration(0), split.afterSlow(depB).p50, "B's refusals come at once")

	for _, r := range []runResult{shared, split, lib} {
		countersMatchOutcomes(t, r)
	}
	assert.Equal(t, split.requests, lib.requests, "the twin gives the same outcomes and latencies, request for request")
	assert.Equal(t, split.samples, lib.samples, "and the same timeline")
}

// The demo's twin never queues (A's half never fills; B's refuses at
// once), so this runs the shared pool, where callers do queue, on both
// bulkheads: the virtual clock must wait for a caller to be in Weighted's
// queue, and for a slot handed over to be taken, exactly as it does for
// the hand-rolled queue, or the two would part ways here.
func TestSharedPoolQueuesAlikeInBothBulkheads(t *testing.T) {
	s := scenario{seed: 3, workers: 6}
	pool := mustNew(bulkhead.New(s.workers, queueForSlot))
	ours, err := s.run(pool, pool)
	require.NoError(t, err)
	twinPool := mustNew(bulkhead.NewLibrary(s.workers, queueForSlot))
	twin, err := s.run(twinPool, twinPool)
	require.NoError(t, err)
	assert.Positive(t, ours.count(depA, gaveUp), "callers queued and gave up")
	assert.Positive(t, ours.count(depB, failed), "callers queued, got a slot and ran")
	assert.Equal(t, ours.requests, twin.requests)
	assert.Equal(t, ours.samples, twin.samples)
}

// countersMatchOutcomes checks that the bulkheads' own counters agree with
// what the callers saw: the demo's numbers come from the bulkhead.
func countersMatchOutcomes(t *testing.T, r runResult) {
	t.Helper()
	var st bulkhead.Stats
	for _, g := range r.guards {
		s := g.Stats()
		st.Admitted += s.Admitted
		st.Rejected += s.Rejected
		st.GaveUp += s.GaveUp
	}
	count := func(o outcome) uint64 { return uint64(r.count(depA, o) + r.count(depB, o)) }
	assert.Equal(t, bulkhead.Stats{
		Admitted: count(succeeded) + count(failed), Rejected: count(refused), GaveUp: count(gaveUp),
	}, st)
}

// output runs the demo and returns what it printed.
func output(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut strings.Builder
	require.Equal(t, 0, run(args, strings.NewReader(""), &out, &errOut), "stderr: %s", errOut.String())
	return out.String()
}

// The replay promise: the same seed prints the same output, byte for
// byte, however busy the machine. The demo runs here on the real
// scheduler, three times at once so that the runs fight over the cores,
// and every run must print what it prints inside a synctest bubble, where
// nothing can be late.
func TestSameSeedSameOutputOnABusyMachine(t *testing.T) {
	var virtual string
	synctest.Test(t, func(t *testing.T) { virtual = output(t, "-seed", "7") })

	busy := make([]string, 3)
	var wg sync.WaitGroup
	for i := range busy {
		wg.Go(func() { busy[i] = output(t, "-seed", "7") })
	}
	wg.Wait()
	for i, got := range busy {
		assert.Equal(t, virtual, got, "run %d of %d at once differs from the run in virtual time", i+1, len(busy))
	}
	assert.NotEqual(t, virtual, output(t, "-seed", "8"), "the seed decides which calls fail and how long calls take")
}

func TestDemoOutput(t *testing.T) {
	got := output(t)
	for _, want := range []string{
		"Phase 1: one pool for everything", "Phase 2: a bulkhead per dependency",
		"Phase 3: library twin: x/sync/semaphore", "Phase 4: side by side",
		"bulkhead.New(10,\ntime.Minute)", "bulkhead.New(5, 0) for B",
		// A's calls show in the timelines: in the shared pool until B's
		// stuck calls take every worker, and in A's own half throughout.
		"  0.1s   [A.........]        0        0        0",
		"  0.5s   [BBBBBBBBBB]       12        0        9",
		"  0.5s   A [A....]  B [BBBBB]        0       15        0",
		"the pool counted: 160 admitted, 0 refused, 80 gave up",
		"B's bulkhead counted: 55 admitted, 65 refused, 0 gave up",
		"one shared pool   A    90     11.1%  20.0ms   20.0ms   1",
		"a bulkhead each   A    90     98.9%  2.5ms    3.0ms    1",
		"A before B turned slow .......... 96.7% ok, p50 2.5ms, p99 3.0ms",
		"A after, one shared pool ........ 11.1% ok, p50 20.0ms, p99 20.0ms",
		"A after, a bulkhead each ........ 98.9% ok, p50 2.5ms, p99 3.0ms",
		"A after, x/sync/semaphore ....... 98.9% ok, p50 2.5ms, p99 3.0ms",
		"B's share of the workers ........ shared pool: 10 of 10; split: 5 of 5",
		"B calls refused at once ......... 0 in the shared pool, 65 split",
		"fails one call in 100 at", // the random failures are announced
		"1 of its 90 calls after 300ms failed that way",
		"A failed by itself, at random ... 1 of 30 before, 1 of 90 after (split)",
		"same outcomes, twin and ours .... yes",
	} {
		assert.Contains(t, got, want)
	}
	// The note differenceNote prints; TestDifferenceNote keeps the two
	// texts tied, so this cannot pass by a change of wording.
	assert.NotContains(t, got, "ended differently")
}

func TestDifferenceNote(t *testing.T) {
	a, b := runResult{requests: make([]request, 2*requests)}, runResult{requests: make([]request, 2*requests)}
	for i := range a.requests {
		a.requests[i] = request{dep: dependency(i % 2), at: time.Duration(i) * beat / 2}
		b.requests[i] = a.requests[i]
	}
	b.requests[len(b.requests)-9].latency++ // a latency alone counts as a difference
	// The latest requests have the longest names; a fourth difference is
	// left out.
	for _, i := range []int{len(a.requests) - 5, len(a.requests) - 3, len(a.requests) - 1} {
		b.requests[i].outcome = refused
	}
	note := differenceNote(a, b)
	assert.Contains(t, note[0], "ended differently")
	assert.Contains(t, note[1], ": B at 1.155s, B at 1.175s, B at 1.185s.", "the first three differences, in order")
	for _, line := range note {
		assert.LessOrEqual(t, columns(line), 80, "too wide: %s", line)
	}
}

// A bulkhead's maxWait runs on the real clock, which the demo cannot
// replay; if it ever refused a caller meant to leave at its deadline, the
// run says so instead of printing numbers that differ from the replay.
func TestRealTimeRefusalIsReported(t *testing.T) {
	s := scenario{seed: 1, workers: 10}
	pool := mustNew(bulkhead.New(s.workers, time.Nanosecond))
	_, err := s.run(pool, pool)
	assert.ErrorIs(t, err, errMaxWaitFired)

	split, err := s.run(mustNew(bulkhead.New(5, queueForSlot)), mustNew(bulkhead.New(5, refuseAtOnce)))
	require.NoError(t, err, "B's own bulkhead refusing at once is the plan, not a timer")
	assert.Positive(t, split.count(depB, refused))
}

// Every line the demo prints, in every mode, fits 80 columns.
func TestEveryLineFits80Columns(t *testing.T) {
	for _, args := range [][]string{
		nil, {"-workers", "2"}, {"-workers", "20"}, {"-step"}, {"-seed", "18446744073709551615"},
		{"-h"}, {"-workers", "3"}, {"-workers", "22"}, {"-nope"}, {"extra"},
	} {
		var out, errOut strings.Builder
		run(args, strings.NewReader(strings.Repeat("\n", 8)), &out, &errOut)
		for _, stream := range []string{out.String(), errOut.String()} {
			for i, line := range strings.Split(stream, "\n") {
				assert.LessOrEqual(t, columns(line), 80, "%v: line %d is too wide:\n%s", args, i+1, line)
			}
		}
	}
}

// columns is how wide line shows in a terminal: a tab moves to the next
// multiple of 8, as flag's -h output relies on.
func columns(line string) int {
	col := 0
	for _, r := range line {
		if r == '\t' {
			col += 8 - col%8
		} else {
			col++
		}
	}
	return col
}

func TestStepPausesBeforeEveryPhase(t *testing.T) {
	var out, errOut strings.Builder
	require.Equal(t, 0, run([]string{"-step"}, strings.NewReader(strings.Repeat("\n", 4)), &out, &errOut))
	assert.Equal(t, 4, strings.Count(out.String(), "[press Enter to run this phase]"))
}

func TestDemoFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-workers", "3"}, "-workers is 3, want an even number from 2 to 20"},
		{[]string{"-workers", "0"}, "-workers is 0"},
		{[]string{"-workers", "22"}, "-workers is 22"},
		{[]string{"-workers", "x"}, "invalid value"},
		{[]string{"-seed", "-1"}, "invalid value"},
		{[]string{"-nope"}, "flag provided but not defined"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-workers", "4", "more"}, `unexpected argument "more"`},
	} {
		var out, errOut strings.Builder
		assert.Equal(t, 2, run(c.args, strings.NewReader(""), &out, &errOut), "%v should be rejected with status 2", c.args)
		assert.Contains(t, errOut.String(), c.want, "%v should explain the problem on stderr", c.args)
		assert.Empty(t, out.String(), "%v should not start the demo", c.args)
	}

	var errOut strings.Builder
	require.Equal(t, 0, run([]string{"-h"}, strings.NewReader(""), io.Discard, &errOut))
	for _, flag := range []string{"-seed", "-step", "-workers"} {
		assert.Contains(t, errOut.String(), flag, "-h should explain %s", flag)
	}
}

func TestPercentileAndSlots(t *testing.T) {
	ds := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n))
		}
		return out
	}
	assert.Equal(t, time.Duration(0), percentile(nil, 99))
	assert.Equal(t, time.Duration(5), percentile(ds(5), 50))
	assert.Equal(t, time.Duration(2), percentile(ds(1, 2, 3, 4), 50), "nearest rank: the 2nd of 4")
	assert.Equal(t, time.Duration(99), percentile(ds(seq(100)...), 99), "the 99th of 100")
	assert.Equal(t, time.Duration(100), percentile(ds(seq(101)...), 99), "the 100th of 101")
	assert.Equal(t, "[AABBB..]", slotBar(2, 3, 7))
	assert.Equal(t, "[AB]", slotBar(1, 1, 1), "never negative free slots")
	assert.Equal(t, 17, columns("\tab\tc"), "tabs expand to the next multiple of 8")
}

// seq returns 1..n.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}
