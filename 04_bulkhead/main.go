// Command 04_bulkhead shows what a bulkhead is for: a service with two
// dependencies, A and B, where B turns slow. With one pool of workers for
// both, B's stuck calls take every worker and A's callers starve; with
// one bulkhead per dependency, B can only use its own share and A stays
// healthy. The same traffic is run through one shared bulkhead, through a
// hand-rolled bulkhead per dependency and through x/sync/semaphore, and
// the numbers are printed side by side. The run is a simulation on a
// virtual clock (see clock.go), so a seed replays it exactly.
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
	seed := fs.Uint64("seed", 1, "")
	step := fs.Bool("step", false, "")
	workers := fs.Int("workers", 10, "")
	svg := fs.String("svg", "", "")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: go run ./04_bulkhead [flags]

A service calls two dependencies, A and B; B turns slow. The same
traffic runs through one shared pool of workers, then through one
bulkhead per dependency (hand-rolled, then x/sync/semaphore), and
the fast path's success rate and latency are compared. Time is
simulated: a run takes a moment, and a seed prints the same numbers
on any machine, however busy.

Flags:
  -seed N      seed for which calls fail and how long they take; the
               same seed replays a run exactly (default 1)
  -step        wait for Enter before each phase (for a class)
  -workers N   workers in all: the shared pool's size, half each for
               the per-dependency bulkheads, an even number, %d to %d
               (default 10)
  -svg DIR     also draw the run's figure as an SVG file in DIR: how
               long A's callers waited, one pool against a bulkhead each
`, minWorkers, maxWorkers)
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
	if err := demo(n, scenario{seed: *seed, workers: *workers}); err != nil {
		fmt.Fprintf(stderr, "04_bulkhead: %v\n", err)
		return 1
	}
	if *svg != "" {
		if err := writeFigures(stderr, *svg, scenario{seed: *seed, workers: *workers}); err != nil {
			fmt.Fprintf(stderr, "04_bulkhead: %v\n", err)
			return 1
		}
	}
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

func demo(n *narrate.Narrator, s scenario) error {
	half := s.workers / 2
	n.Phase("one pool for everything", fmt.Sprintf(
		"A service answers two kinds of requests, one needing dependency A and one "+
			"needing B; one of each arrives every %v. Both dependencies answer in %v to %v, "+
			"until B turns slow at %v: from then on a call to B never answers, and holds "+
			"its worker until its caller's deadline (%v) cuts it off. A's callers want an "+
			"answer within %v. Even healthy, each dependency fails one call in %d at "+
			"random, as real ones do; the seed decides which. The clock is simulated, so "+
			"every run with the same -seed gives the same numbers.\n\n"+
			"First, one pool of %d workers serves both: a single bulkhead.New(%d, %s) in "+
			"front of A and B. A caller who finds every worker busy queues for one, for as "+
			"long as its own deadline allows. Each line shows who holds the workers "+
			"%v after a request for A arrived (the traffic stops at %v): a healthy A "+
			"answers in %v to %v, so it still holds its worker then.",
		beat, latency, latency+jitter, slowFrom, deadlineB, deadlineA, oneCallIn, s.workers, s.workers,
		goWait(queueForSlot), sampleLag, time.Duration(requests)*beat, latency, latency+jitter))
	pool := mustNew(bulkhead.New(s.workers, queueForSlot))
	shared, err := s.run(pool, pool)
	if err != nil {
		return err
	}
	printTimeline(n, shared, s.workers)
	printCounters(n, []string{"the pool"}, shared)

	n.Phase("a bulkhead per dependency", fmt.Sprintf(
		"The same traffic and the same %d workers, split in two: bulkhead.New(%d, %s) "+
			"for A and bulkhead.New(%d, %s) for B. B's slow calls can now fill only B's "+
			"half. And B's bulkhead can be tuned for B: its callers do not queue for a "+
			"worker that would come free too late; when B's half is full they are refused "+
			"at once with ErrBulkheadFull.",
		s.workers, half, goWait(queueForSlot), half, goWait(refuseAtOnce)))
	split, err := s.run(mustNew(bulkhead.New(half, queueForSlot)), mustNew(bulkhead.New(half, refuseAtOnce)))
	if err != nil {
		return err
	}
	printTimeline(n, split, s.workers)
	printCounters(n, []string{"A's bulkhead", "B's bulkhead"}, split)

	n.Phase("library twin: x/sync/semaphore", fmt.Sprintf(
		"The same again with bulkhead.NewLibrary(%d, %s) for A and "+
			"bulkhead.NewLibrary(%d, %s) for B: golang.org/x/sync/semaphore.Weighted "+
			"behind the same interface.", half, goWait(queueForSlot), half, goWait(refuseAtOnce)))
	lib, err := s.run(mustNew(bulkhead.NewLibrary(half, queueForSlot)), mustNew(bulkhead.NewLibrary(half, refuseAtOnce)))
	if err != nil {
		return err
	}
	printTimeline(n, lib, s.workers)
	printCounters(n, []string{"A's bulkhead", "B's bulkhead"}, lib)

	sideBySide(n, s, []setup{{"one shared pool", shared}, {"a bulkhead each", split}, {"x/sync/semaphore", lib}})
	return nil
}

// goWait writes a maxWait as it would appear in Go source.
func goWait(d time.Duration) string {
	switch d {
	case 0:
		return "0"
	case time.Minute:
		return "time.Minute"
	}
	return d.String()
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
	n.Printf("  Lines are %v after a beat: a call to A that got a slot still holds it.", sampleLag)
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
			"dependency itself saw at once. A healthy A still fails one call in %d: "+
			"with a bulkhead each, %d of its %d calls after %v failed that way, which is "+
			"all that keeps it from 100%%.", slowFrom, oneCallIn,
		setups[1].result.failedBetween(depA, slowFrom, time.Duration(math.MaxInt64)),
		setups[1].result.afterSlow(depA).calls, slowFrom))
	var rows [][]string
	for _, st := range setups {
		for _, dep := range []dependency{depA, depB} {
			p := st.result.afterSlow(dep)
			name := st.name
			if dep == depB {
				name = ""
			}
			rows = append(rows, []string{name, dep.String(), fmt.Sprint(p.calls), pct(p.successRate()),
				ms(p.p50), ms(p.p99), fmt.Sprint(st.result.mostInside[dep])})
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
	same := slices.Equal(split.requests, lib.requests)
	n.Summary([][2]string{
		{"A before B turned slow", fast(shared.path(depA, 0, slowFrom))},
		{"A after, one shared pool", fast(shared.afterSlow(depA))},
		{"A after, a bulkhead each", fast(split.afterSlow(depA))},
		{"A after, x/sync/semaphore", fast(lib.afterSlow(depA))},
		{"B's share of the workers", fmt.Sprintf("shared pool: %d of %d; split: %d of %d",
			shared.mostInside[depB], s.workers, split.mostInside[depB], s.workers/2)},
		{"A callers who gave up waiting", fmt.Sprintf("%d in the shared pool, %d split",
			shared.count(depA, gaveUp), split.count(depA, gaveUp))},
		{"B calls refused at once", fmt.Sprintf("%d in the shared pool, %d split",
			shared.count(depB, refused), split.count(depB, refused))},
		{"A failed by itself, at random", fmt.Sprintf("%d of %d before, %d of %d after (split)",
			shared.failedBetween(depA, 0, slowFrom), shared.path(depA, 0, slowFrom).calls,
			split.failedBetween(depA, slowFrom, time.Duration(math.MaxInt64)), split.afterSlow(depA).calls)},
		{"same outcomes, twin and ours", yesNo(same)},
	})
	if !same {
		for _, line := range differenceNote(split, lib) {
			n.Printf("%s", line)
		}
	}
}

// afterSlow sums up dep's requests that arrived after B turned slow.
func (r runResult) afterSlow(dep dependency) pathStats {
	return r.path(dep, slowFrom, time.Duration(math.MaxInt64))
}

// differenceNote names up to three requests that ended differently in
// two runs, in lines that fit 80 columns. Both runs replay the same events
// on the same virtual clock, so a difference is a difference in behaviour
// between the two bulkheads, never a matter of timing.
func differenceNote(a, b runResult) []string {
	var diffs []string
	for i := range a.requests {
		if a.requests[i] != b.requests[i] && len(diffs) < 3 {
			diffs = append(diffs, fmt.Sprintf("%v at %v", a.requests[i].dep, a.requests[i].at))
		}
	}
	return []string{
		"  The twin and ours ended differently on the same events, so they",
		"  behave differently: " + strings.Join(diffs, ", ") + ".",
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
