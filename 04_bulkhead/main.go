// Command 04_bulkhead shows what a bulkhead is for: a service with two
// dependencies, A and B, where B turns slow. With one pool of workers for
// both, B's stuck calls take every worker and A's callers starve; with
// one bulkhead per dependency, B can only use its own share and A stays
// healthy. The same traffic is run through one shared bulkhead, through a
// hand-rolled bulkhead per dependency and through x/sync/semaphore, and
// the numbers are printed side by side.
//
//	go run ./04_bulkhead [-seed N] [-step] [-workers N]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"reliability/04_bulkhead/bulkhead"
	"reliability/flaky/narrate"
)

// The -workers range. The upper bound keeps the timeline within 80
// columns (one character per slot); the lower one leaves a slot each.
const (
	minWorkers = 2
	maxWorkers = 20
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the exit, so a test can drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("04_bulkhead", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "seed for the flaky services: the same seed replays a run")
	step := fs.Bool("step", false, "wait for Enter before each phase (for talking through it in class)")
	workers := fs.Int("workers", 10, fmt.Sprintf(
		"workers in all: the shared pool's size, half each\nfor the per-dependency bulkheads (an even number, %d to %d)", minWorkers, maxWorkers))
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./04_bulkhead [flags]\n\n"+
			"A service calls two dependencies, A and B; B turns slow. The same\n"+
			"traffic runs through one shared pool of workers, then through one\n"+
			"bulkhead per dependency (hand-rolled, then x/sync/semaphore), and\n"+
			"the fast path's success rate and latency are compared.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := validate(*workers, fs.Args()); err != nil {
		fmt.Fprintf(stderr, "04_bulkhead: %v\n", err)
		return 2
	}

	n := narrate.New(stdout, *step)
	n.SetInput(stdin)
	demo(n, scenario{seed: *seed, workers: *workers})
	return 0
}

func validate(workers int, rest []string) error {
	switch {
	case len(rest) > 0:
		return fmt.Errorf("unexpected argument %q: this demo takes only flags (see -h)", rest[0])
	case workers < minWorkers || workers > maxWorkers || workers%2 != 0:
		return fmt.Errorf("-workers is %d, want an even number from %d to %d", workers, minWorkers, maxWorkers)
	}
	return nil
}

// setup is one way of guarding the two dependencies.
type setup struct {
	name   string
	result runResult
}

func demo(n *narrate.Narrator, s scenario) {
	half := s.workers / 2
	n.Phase("one pool for everything", fmt.Sprintf(
		"A service answers two kinds of requests, one needing dependency A and one "+
			"needing B; one of each arrives every %v. Both dependencies answer in 2 to 3ms, "+
			"until B turns slow at %v: from then on a call to B never answers, and holds "+
			"its worker until its caller's deadline (%v) cuts it off. A's callers want an "+
			"answer within %v.\n\n"+
			"First, one pool of %d workers serves both: a single bulkhead.New(%d, %v) in "+
			"front of A and B. Each line shows who holds the workers.",
		beat, slowFrom, deadlineB, deadlineA, s.workers, s.workers, maxWait))
	pool := mustNew(bulkhead.New(s.workers, maxWait))
	shared := setup{"one shared pool", s.run(pool, pool)}
	printTimeline(n, shared.result, s.workers)
	printCounters(n, []string{"the pool"}, shared.result)

	n.Phase("a bulkhead per dependency", fmt.Sprintf(
		"The same traffic, and the same %d workers split in two: bulkhead.New(%d, %v) "+
			"for A and another for B. B's slow calls can now fill only B's half; when it is "+
			"full, B's callers queue for up to %v and are then refused with ErrBulkheadFull.",
		s.workers, half, maxWait, maxWait))
	split := setup{"a bulkhead each", s.run(mustNew(bulkhead.New(half, maxWait)), mustNew(bulkhead.New(half, maxWait)))}
	printTimeline(n, split.result, s.workers)
	printCounters(n, []string{"A's bulkhead", "B's bulkhead"}, split.result)

	n.Phase("library twin: x/sync/semaphore", fmt.Sprintf(
		"The same again with bulkhead.NewLibrary(%d, %v) for each dependency: "+
			"golang.org/x/sync/semaphore.Weighted behind the same interface.", half, maxWait))
	lib := setup{"x/sync/semaphore", s.run(mustNew(bulkhead.NewLibrary(half, maxWait)), mustNew(bulkhead.NewLibrary(half, maxWait)))}
	printTimeline(n, lib.result, s.workers)
	printCounters(n, []string{"A's bulkhead", "B's bulkhead"}, lib.result)

	sideBySide(n, s, []setup{shared, split, lib})
}

func mustNew[B bulkhead.Interface](b B, err error) B {
	if err != nil {
		panic(err) // the demo's own arguments are validated before
	}
	return b
}

// printTimeline prints one line per sample: who holds the slots, how many
// calls wait for one, and the bulkheads' refusals and give-ups so far.
func printTimeline(n *narrate.Narrator, r runResult, workers int) {
	split := len(r.guards) == 2
	bar := func(sm sample) string {
		if split {
			return "A " + slotBar(sm.inA, 0, workers/2) + "  B " + slotBar(0, sm.inB, workers/2)
		}
		return slotBar(sm.inA, sm.inB, workers)
	}
	width := max(len(bar(sample{})), len("slots taken"))
	n.Printf("  %-5s  %-*s  %7s  %7s  %7s", "time", width, "slots taken", "waiting", "refused", "gave up")
	for _, sm := range r.samples {
		n.Printf("  %-5s  %-*s  %7d  %7d  %7d", fmt.Sprintf("%.1fs", sm.at.Seconds()), width, bar(sm),
			sm.waiting, sm.rejected, sm.gaveUpN)
	}
	n.Printf("  A: a call to A, B: a call to B, .: a free slot. B turns slow at %v.", slowFrom)
}

// printCounters prints each bulkhead's own counters at the end of a run.
func printCounters(n *narrate.Narrator, names []string, r runResult) {
	n.Printf("")
	for i, g := range r.guards {
		st := g.Stats()
		n.Printf("  %s counted: %d admitted, %d refused, %d gave up", names[i], st.Admitted, st.Rejected, st.GaveUp)
	}
}

func sideBySide(n *narrate.Narrator, s scenario, setups []setup) {
	n.Phase("side by side", fmt.Sprintf(
		"What the callers saw, for the requests that arrived after B turned slow "+
			"(%v on): the share answered successfully, and how long callers waited for "+
			"their answer, whatever it was. \"most inside\" is the most calls the "+
			"dependency itself saw at once.", slowFrom))
	var rows [][]string
	for _, st := range setups {
		for _, dep := range []dependency{depA, depB} {
			p := st.result.afterSlow(dep)
			name := st.name
			if dep == depB {
				name = ""
			}
			rows = append(rows, []string{name, dep.String(), fmt.Sprint(p.calls), pct(p.successRate()),
				ms(p.p50), ms(p.p99), fmt.Sprint(st.result.mostInside(dep))})
		}
	}
	n.Table([]string{"setup", "dep", "calls", "ok", "p50", "p99", "most inside"}, rows)

	n.Printf("\n  What the bulkheads counted, over the whole run:\n")
	rows = nil
	for _, st := range setups {
		names := []string{"A and B"}
		if len(st.result.guards) == 2 {
			names = []string{"A", "B"}
		}
		for i, g := range st.result.guards {
			c := g.Stats()
			label := st.name
			if i > 0 {
				label = ""
			}
			rows = append(rows, []string{label, names[i], fmt.Sprint(g.Limit()),
				fmt.Sprint(c.Admitted), fmt.Sprint(c.Rejected), fmt.Sprint(c.GaveUp)})
		}
	}
	n.Table([]string{"setup", "for", "slots", "admitted", "refused", "gave up"}, rows)

	shared, split, lib := setups[0].result, setups[1].result, setups[2].result
	fast := func(p pathStats) string {
		return fmt.Sprintf("%s ok, p50 %s, p99 %s", pct(p.successRate()), ms(p.p50), ms(p.p99))
	}
	same := slices.EqualFunc(split.requests, lib.requests, func(a, b request) bool { return a.outcome == b.outcome })
	n.Summary([][2]string{
		{"A before B turned slow", fast(shared.path(depA, 0, slowFrom))},
		{"A after, one shared pool", fast(shared.afterSlow(depA))},
		{"A after, a bulkhead each", fast(split.afterSlow(depA))},
		{"A after, x/sync/semaphore", fast(lib.afterSlow(depA))},
		{"B's share of the workers", fmt.Sprintf("shared pool: %d of %d; split: %d of %d",
			shared.mostInside(depB), s.workers, split.mostInside(depB), s.workers/2)},
		{"A callers who gave up waiting", fmt.Sprintf("%d in the shared pool, %d split",
			shared.count(depA, gaveUp), split.count(depA, gaveUp))},
		{"B calls refused when full", fmt.Sprintf("%d in the shared pool, %d split",
			shared.count(depB, refused), split.count(depB, refused))},
		{"same outcomes, twin and ours", yesNo(same)},
	})
	if !same {
		// Both runs see the same traffic on the same schedule; the
		// package's tests prove the two agree in virtual time.
		for _, line := range jitterNote(split, lib) {
			n.Printf("%s", line)
		}
	}
}

// afterSlow sums up dep's requests that arrived after B turned slow.
func (r runResult) afterSlow(dep dependency) pathStats {
	return r.path(dep, slowFrom, time.Duration(math.MaxInt64))
}

// mostInside is the most calls the dependency saw at once.
func (r runResult) mostInside(dep dependency) int {
	if dep == depA {
		return r.services.a.Stats().MaxInFlight
	}
	return max(r.services.bHealthy.Stats().MaxInFlight, r.services.bSlow.Stats().MaxInFlight)
}

// jitterNote explains why two runs of the same traffic ended differently,
// naming up to three requests, in lines that fit 80 columns.
func jitterNote(a, b runResult) []string {
	var diffs []string
	for i := range a.requests {
		if a.requests[i].outcome != b.requests[i].outcome && len(diffs) < 3 {
			diffs = append(diffs, fmt.Sprintf("%v at %v", a.requests[i].dep, a.requests[i].at))
		}
	}
	return []string{
		"  The two split runs ended differently for a few requests, because a",
		"  busy machine ran some timers late: " + strings.Join(diffs, ", ") + ".",
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
