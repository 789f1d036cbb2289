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

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/narrate"
)

// beat is the time between two calls. It is fixed rather than a flag: the
// timeline draws one column per call, and this keeps a whole run on one
// screen line and under a second and a half.
const beat = 10 * time.Millisecond

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, so a test can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("03_circuit_breaker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "seed for the flaky service; the same seed replays the same run")
	step := fs.Bool("step", false, "wait for Enter before each phase (for talking through it in class)")
	calls := fs.Int("calls", 90, "calls per run, one every "+beat.String()+" (10 to 120)")
	outage := fs.Duration("outage", 400*time.Millisecond, "how long the service is down, starting 200ms into each run (0 to 1s)")
	timeout := fs.Duration("timeout", 100*time.Millisecond, "how long the breaker stays open before it tries again (1ms to 1s)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./03_circuit_breaker [flags]\n\n"+
			"Calls a service with an outage three times: without a breaker, through the\n"+
			"hand-rolled breaker and through sony/gobreaker v2, and draws a timeline.\n\nFlags:\n")
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
		outageStart: 200 * time.Millisecond,
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
		"A caller makes %d calls, one every %v, to a service that fails 5%% of calls "+
			"at random and is down from %v to %v. Without a breaker, every call during "+
			"the outage still goes to the service, waits for it, and fails.",
		s.calls, s.every, s.outageStart, s.outageStart+s.outage))
	plain := s.run(nil, nil)
	printTimeline(n, plain, s, false)
	n.Printf("  service calls: %d, failed: %d", plain.stats.Calls, plain.stats.Failures)

	n.Phase("hand-rolled breaker", fmt.Sprintf(
		"The same calls through breaker.New: three failures in a row open it; open, it "+
			"fails calls fast without touching the service; after %v it turns half-open "+
			"and lets 2 trial calls through. Two successes close it, one failure opens it again. "+
			"Transitions are logged as they happen.", s.timeout))
	handRec := &recorder{log: n.Logger()}
	hand := s.run(breaker.New(s.settings(handRec.onStateChange)), handRec)
	printTimeline(n, hand, s, true)

	n.Phase("library twin: sony/gobreaker v2", "The same calls, the same Settings, through gobreaker.")
	libRec := &recorder{log: n.Logger()}
	lib := s.run(breaker.NewLibrary(s.settings(libRec.onStateChange)), libRec)
	printTimeline(n, lib, s, true)

	n.Phase("side by side", "")
	row := func(name string, r runResult) []string {
		return []string{name, fmt.Sprint(r.stats.Calls), fmt.Sprint(r.stats.Failures),
			fmt.Sprint(r.fastFails), fmt.Sprint(plain.stats.Calls - r.stats.Calls), fmt.Sprint(len(r.transitions))}
	}
	n.Table([]string{"run", "service calls", "failed at service", "failed fast", "calls saved", "transitions"},
		[][]string{row("no breaker", plain), row("hand-rolled", hand), row("gobreaker", lib)})
	same := slices.Equal(hand.transitions, lib.transitions)
	if !same {
		// Real timers can drift by a millisecond and move a trial call
		// across a boundary; the package's tests prove the logic in
		// virtual time.
		n.Printf("\nThe two runs' transitions differ (real-time jitter):\n  hand-rolled: %s\n  gobreaker:   %s",
			strings.Join(hand.transitions, "; "), strings.Join(lib.transitions, "; "))
	}

	n.Summary([][2]string{
		{"calls per run", fmt.Sprintf("%d over %v", s.calls, total)},
		{"service calls without a breaker", fmt.Sprint(plain.stats.Calls)},
		{"service calls, hand-rolled", fmt.Sprintf("%d (%d saved)", hand.stats.Calls, plain.stats.Calls-hand.stats.Calls)},
		{"service calls, gobreaker", fmt.Sprintf("%d (%d saved)", lib.stats.Calls, plain.stats.Calls-lib.stats.Calls)},
		{"failed fast, hand-rolled", fmt.Sprint(hand.fastFails)},
		{"failed fast, gobreaker", fmt.Sprint(lib.fastFails)},
		{"same transitions", yesNo(same)},
	})
}

func printTimeline(n *narrate.Narrator, r runResult, s scenario, withBreaker bool) {
	n.Printf("")
	for _, line := range timeline(r.marks, s.every, withBreaker) {
		n.Printf("  %s", line)
	}
	n.Printf("  %s\n", legend)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
