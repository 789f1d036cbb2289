// Command 03_circuit_breaker shows a circuit breaker in front of a service
// that goes down for a while: the same calls are made without a breaker,
// through the hand-rolled breaker, and through sony/gobreaker v2, and a
// timeline shows which state each call met.
//
//	go run ./03_circuit_breaker [-seed N] [-step] [-calls N] [-outage D] [-timeout D]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"reliability/flaky/narrate"
)

// beat is the time between two calls. It is fixed rather than a flag: the
// timeline draws one column per call, and the service's latency is chosen
// as half of it (see scenario.go).
const beat = 20 * time.Millisecond

// outageStart is when the outage begins, counted from the start of a run.
const outageStart = 300 * time.Millisecond

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, so a test can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("03_circuit_breaker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "seed for the flaky service; the same seed replays the same run")
	step := fs.Bool("step", false, "wait for Enter before each phase (for talking through it in class)")
	calls := fs.Int("calls", 90, "calls per caller, one every "+beat.String()+" (10 to 120)")
	outage := fs.Duration("outage", time.Second, "how long the service is down, starting "+outageStart.String()+" into the run (0 to 1s)")
	timeout := fs.Duration("timeout", 200*time.Millisecond,
		"how long the breaker stays open before it tries again (1ms to 1s); a multiple of the "+beat.String()+
			" beat keeps every transition halfway between two calls, so that a seed replays exactly")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./03_circuit_breaker [flags]\n\n"+
			"Three callers make the same calls, side by side, to a service with an outage:\n"+
			"one without a breaker, one through the hand-rolled breaker and one through\n"+
			"sony/gobreaker v2. Each run is drawn as a timeline.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := validate(*calls, *outage, *timeout); err != nil {
		fmt.Fprintf(stderr, "03_circuit_breaker: %v\n", err)
		return 2
	}

	s := scenario{
		seed:        *seed,
		calls:       *calls,
		every:       beat,
		outageStart: outageStart,
		outage:      *outage,
		timeout:     *timeout,
	}
	demo(narrate.New(stdout, *step), s)
	return 0
}

func validate(calls int, outage, timeout time.Duration) error {
	switch {
	case calls < 10 || calls > 120:
		return fmt.Errorf("-calls is %d, want 10 to 120", calls)
	case outage < 0 || outage > time.Second:
		return fmt.Errorf("-outage is %v, want 0 to 1s", outage)
	case timeout < time.Millisecond || timeout > time.Second:
		return fmt.Errorf("-timeout is %v, want 1ms to 1s", timeout)
	}
	return nil
}

func demo(n *narrate.Narrator, s scenario) {
	total := time.Duration(s.calls) * s.every

	n.Phase("no breaker", fmt.Sprintf(
		"Three callers each make %d calls, one every %v, at the same moments, each to its own "+
			"copy of a service that takes about %v per call, fails 5%% of calls at random and "+
			"is down from %v to %v. The first calls it directly, the second through the "+
			"hand-rolled breaker, the third through gobreaker. This is the first: without a "+
			"breaker, every call during the outage still goes to the service, waits for it, and fails.",
		s.calls, s.every, latency+latencyJitter/2, s.outageStart, s.outageStart+s.outage))
	plain, hand, lib := s.run()
	printTimeline(n, plain, s, false)
	n.Printf("  service calls: %d, failed: %d, mean wait per call: %v",
		plain.stats.Calls, plain.stats.Failures, ms(plain.meanWait(false)))

	n.Phase("hand-rolled breaker", fmt.Sprintf(
		"The same calls through breaker.New: three failures in a row open it; open, it "+
			"fails calls fast without touching the service; after %v it turns half-open "+
			"and lets 2 trial calls through. Two successes close it, one failure opens it again. "+
			"Each transition was logged with slog as it happened, stamped with the time since "+
			"the start of the run and the number of the call that caused it.", s.timeout))
	printRun(n, hand, s)

	n.Phase("library twin: sony/gobreaker v2", "The same calls, the same Settings, through gobreaker.")
	printRun(n, lib, s)

	n.Phase("side by side", "\"mean wait\" is how long a caller waited for an answer, on average: "+
		"a call failed fast is answered at once.")
	row := func(name string, r runResult) []string {
		return []string{name, fmt.Sprint(r.stats.Calls), fmt.Sprint(r.stats.Failures),
			fmt.Sprint(r.fastFails), fmt.Sprint(plain.stats.Calls - r.stats.Calls),
			ms(r.meanWait(false)), ms(r.meanWait(true)), fmt.Sprint(len(r.transitions))}
	}
	n.Table([]string{"run", "service calls", "failed at service", "failed fast", "calls saved",
		"mean wait", "in the outage", "transitions"},
		[][]string{row("no breaker", plain), row("hand-rolled", hand), row("gobreaker", lib)})
	same := slices.Equal(hand.transitions, lib.transitions)
	if !same {
		// Both breakers see the same calls at the same moments, so this
		// takes a scheduling delay of about half a beat between the two
		// callers of one beat; the package's tests prove the logic in
		// virtual time.
		n.Printf("\nThe two runs' transitions differ (real-time jitter):\n  hand-rolled: %s\n  gobreaker:   %s",
			strings.Join(hand.transitions, "; "), strings.Join(lib.transitions, "; "))
	}

	n.Summary([][2]string{
		{"calls per caller", fmt.Sprintf("%d over %v", s.calls, total)},
		{"service calls without a breaker", fmt.Sprint(plain.stats.Calls)},
		{"service calls, hand-rolled", fmt.Sprintf("%d (%d saved)", hand.stats.Calls, plain.stats.Calls-hand.stats.Calls)},
		{"service calls, gobreaker", fmt.Sprintf("%d (%d saved)", lib.stats.Calls, plain.stats.Calls-lib.stats.Calls)},
		{"failed fast, hand-rolled", fmt.Sprint(hand.fastFails)},
		{"failed fast, gobreaker", fmt.Sprint(lib.fastFails)},
		{"mean wait in the outage", fmt.Sprintf("%s without a breaker, %s hand-rolled, %s gobreaker",
			ms(plain.meanWait(true)), ms(hand.meanWait(true)), ms(lib.meanWait(true)))},
		{"mean wait over the run", fmt.Sprintf("%s without a breaker, %s hand-rolled, %s gobreaker",
			ms(plain.meanWait(false)), ms(hand.meanWait(false)), ms(lib.meanWait(false)))},
		{"same transitions", yesNo(same)},
	})
}

// printRun prints a breaker's logged transitions and its timeline.
func printRun(n *narrate.Narrator, r runResult, s scenario) {
	if r.log != "" {
		n.Printf("%s", strings.TrimRight(r.log, "\n"))
	}
	printTimeline(n, r, s, true)
}

func printTimeline(n *narrate.Narrator, r runResult, s scenario, withBreaker bool) {
	n.Printf("")
	for _, line := range timeline(r.marks, s.every, withBreaker) {
		n.Printf("  %s", line)
	}
	n.Printf("  %s\n", legend)
}

// ms formats d in milliseconds with one decimal, the precision that means
// something for a real clock.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
