package main

import (
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"reliability/04_bulkhead/bulkhead"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runs returns the three setups of the demo, run in virtual time.
func runs(t *testing.T, s scenario) (shared, split, lib runResult) {
	t.Helper()
	half := s.workers / 2
	pool := mustNew(bulkhead.New(s.workers, maxWait))
	shared = s.run(pool, pool)
	split = s.run(mustNew(bulkhead.New(half, maxWait)), mustNew(bulkhead.New(half, maxWait)))
	lib = s.run(mustNew(bulkhead.NewLibrary(half, maxWait)), mustNew(bulkhead.NewLibrary(half, maxWait)))
	return shared, split, lib
}

// The point of the lesson, in numbers: with one pool the slow dependency
// takes every worker and the fast path collapses; with a bulkhead each
// the fast path is as healthy as before B turned slow.
func TestIsolationShowsInTheNumbers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared, split, lib := runs(t, scenario{seed: 1, workers: 10})

		before := shared.path(depA, 0, slowFrom)
		require.Equal(t, 30, before.calls)
		assert.GreaterOrEqual(t, before.successRate(), 95.0, "A is healthy before B turns slow")

		one, each := shared.afterSlow(depA), split.afterSlow(depA)
		assert.Less(t, one.successRate(), 20.0, "one pool: B's stuck calls starve A")
		assert.GreaterOrEqual(t, one.p99, deadlineA, "one pool: A's slowest callers wait until they give up")
		assert.GreaterOrEqual(t, each.successRate(), 95.0, "a bulkhead each: A stays healthy")
		assert.Less(t, each.p99, 5*time.Millisecond, "a bulkhead each: A's p99 stays at its service time")
		assert.InDelta(t, before.p99, each.p99, float64(100*time.Microsecond), "as fast as before B turned slow")

		assert.Equal(t, 10, shared.mostInside(depB), "B took the whole shared pool")
		assert.Equal(t, 5, split.mostInside(depB), "B was held to its half")
		assert.Positive(t, shared.count(depA, gaveUp), "A's callers gave up in the queue")
		assert.Positive(t, split.count(depB, refused), "B's bulkhead refused calls")
		assert.Zero(t, split.count(depA, refused)+split.count(depA, gaveUp), "A's bulkhead never turned anyone away")

		for _, r := range []runResult{shared, split, lib} {
			countersMatchOutcomes(t, r)
		}
		assert.Equal(t, split.requests, lib.requests, "the twin gives the same outcomes and latencies, request for request")
	})
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

func TestSameSeedSameRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		output := func(args ...string) string {
			var out, errOut strings.Builder
			require.Equal(t, 0, run(args, strings.NewReader(""), &out, &errOut), "stderr: %s", errOut.String())
			return out.String()
		}
		first := output("-seed", "7")
		assert.Equal(t, first, output("-seed", "7"))
		assert.NotEqual(t, first, output("-seed", "8"), "the seed decides which calls fail at random")
	})
}

func TestDemoOutput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out, errOut strings.Builder
		require.Equal(t, 0, run(nil, strings.NewReader(""), &out, &errOut), "stderr: %s", errOut.String())
		got := out.String()
		for _, want := range []string{
			"Phase 1: one pool for everything", "Phase 2: a bulkhead per dependency",
			"Phase 3: library twin: x/sync/semaphore", "Phase 4: side by side",
			"  0.5s   [BBBBBBBBBB]", "  0.5s   A [.....]  B [BBBBB]",
			"the pool counted: 120 admitted, 40 refused, 80 gave up",
			"B's bulkhead counted: 55 admitted, 65 refused, 0 gave up",
			"A before B turned slow .......... 96.7% ok, p50 2.5ms, p99 3.0ms",
			"A after, one shared pool ........ 11.1% ok, p50 20.0ms, p99 20.0ms",
			"A after, a bulkhead each ........ 98.9% ok, p50 2.5ms, p99 3.0ms",
			"same outcomes, twin and ours .... yes",
		} {
			assert.Contains(t, got, want)
		}
		assert.NotContains(t, got, "real-time jitter")
	})
}

// Every line the demo prints, in every mode, fits 80 columns.
func TestEveryLineFits80Columns(t *testing.T) {
	for _, args := range [][]string{
		nil, {"-workers", "2"}, {"-workers", "20"}, {"-step"}, {"-seed", "12345678901234567890"},
		{"-h"}, {"-workers", "3"}, {"-workers", "22"}, {"-nope"}, {"extra"},
	} {
		synctest.Test(t, func(t *testing.T) {
			var out, errOut strings.Builder
			run(args, strings.NewReader(strings.Repeat("\n", 8)), &out, &errOut)
			for _, stream := range []string{out.String(), errOut.String()} {
				for i, line := range strings.Split(stream, "\n") {
					assert.LessOrEqual(t, columns(line), 80, "%v: line %d is too wide:\n%s", args, i+1, line)
				}
			}
		})
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

func TestJitterNoteFits80Columns(t *testing.T) {
	a, b := runResult{requests: make([]request, 2*requests)}, runResult{requests: make([]request, 2*requests)}
	for i := range a.requests {
		a.requests[i] = request{dep: dependency(i % 2), at: time.Duration(i) * beat / 2}
		b.requests[i] = a.requests[i]
	}
	// The latest requests have the longest names; a fourth difference is
	// left out.
	for _, i := range []int{len(a.requests) - 7, len(a.requests) - 5, len(a.requests) - 3, len(a.requests) - 1} {
		b.requests[i].outcome = refused
	}
	note := jitterNote(a, b)
	assert.Contains(t, note[1], "late: B at 1.165s, B at 1.175s, B at 1.185s.", "the first three differences, in order")
	for _, line := range note {
		assert.LessOrEqual(t, columns(line), 80, "too wide: %s", line)
	}
}

func TestStepPausesBeforeEveryPhase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out, errOut strings.Builder
		require.Equal(t, 0, run([]string{"-step"}, strings.NewReader(strings.Repeat("\n", 4)), &out, &errOut))
		assert.Equal(t, 4, strings.Count(out.String(), "[press Enter to run this phase]"))
	})
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
