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

// outageStart is when the outage begins, counted from the start of a run.
const outageStart = 500 * time.Millisecond

// The limits of the flags. maxCalls keeps a run within 15 seconds.
const (
	maxCalls   = 150
	maxOutage  = 5 * time.Second
	maxTimeout = 3 * time.Second
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usage is what -h prints; every line fits 80 columns.
const usage = `Usage: go run ./03_circuit_breaker [flags]

Three callers make the same calls, side by side, to a service with an
outage: one without a breaker, one through the hand-rolled breaker and one
through sony/gobreaker v2. Each run is drawn as a timeline.

Flags:
  -seed N      seed for the service's random failures; the same seed
               replays the same run (default 1)
  -step        wait for Enter before each phase, to talk it through in class
  -calls N     calls per caller, one every 100ms, 1 to 150 (default 40)
  -outage D    how long the service is down, from 500ms into the run:
               0 to 5s, a multiple of 100ms (default 1.5s)
  -timeout D   how long the breaker stays open before it lets trial calls
               through: 100ms to 3s, a multiple of 100ms (default 300ms)
  -replicas N  instead: N replicas (2 to 5) call one service through its
               outage, first with a breaker each, then with one breaker
               shared in an embedded Redis; -calls is then per replica,
               at most 60
  -json        with -replicas: print the runs as JSON instead of the story
  -svg DIR     with -replicas: also draw the runs' figures as SVG files
               in DIR (calls that reached the service, breaker states)

A replay with the same seed is exact unless a call that should meet the
open breaker comes about half a beat (50ms) late; the summary checks.
`

// run is main without the exit, so a test can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("03_circuit_breaker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	seed := fs.Uint64("seed", 1, "")
	step := fs.Bool("step", false, "")
	calls := fs.Int("calls", 40, "")
	outage := fs.Duration("outage", 1500*time.Millisecond, "")
	timeout := fs.Duration("timeout", 300*time.Millisecond, "")
	replicas := fs.Int("replicas", 0, "")
	asJSON := fs.Bool("json", false, "")
	svg := fs.String("svg", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "03_circuit_breaker: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q: flags only, see -h", fs.Arg(0))
	}
	if err := validate(*calls, *outage, *timeout); err != nil {
		return fail("%v", err)
	}
	if err := validateReplicas(fs, *replicas, *calls, *asJSON, *step); err != nil {
		return fail("%v", err)
	}
	if *svg != "" && *replicas == 0 {
		return fail("-svg needs -replicas, whose runs replay exactly")
	}
	if *replicas > 0 {
		rs := replicaScenario{seed: *seed, replicas: *replicas, calls: *calls, outage: *outage, timeout: *timeout, svg: *svg}
		return runReplicas(rs, *asJSON, *step, stdout, stderr)
	}

	s := scenario{
		seed:        *seed,
		calls:       *calls,
		outageStart: outageStart,
		outage:      *outage,
		timeout:     *timeout,
	}
	demo(narrate.New(stdout, *step), s)
	return 0
}

func validate(calls int, outage, timeout time.Duration) error {
	switch {
	case calls < 1 || calls > maxCalls:
		return fmt.Errorf("-calls is %d, want 1 to %d (%v of calls at most)", calls, maxCalls, maxCalls*beat)
	case outage < 0 || outage > maxOutage:
		return fmt.Errorf("-outage is %v, want 0 to %v", outage, maxOutage)
	case outage%beat != 0:
		return fmt.Errorf("-outage is %v, want a multiple of the %v beat", outage, beat)
	case timeout < beat || timeout > maxTimeout:
		return fmt.Errorf("-timeout is %v, want %v to %v", timeout, beat, maxTimeout)
	case timeout%beat != 0:
		return fmt.Errorf("-timeout is %v, want a multiple of the %v beat", timeout, beat)
	}
	return nil
}

func demo(n *narrate.Narrator, s scenario) {
	n.Phase("no breaker", fmt.Sprintf(
		"Three callers each make %d %s, one every %v, side by side, each to its own "+
			"copy of a service that answers in about %v and fails 5%% of calls at random. %s "+
			"The first caller calls the service directly, the second through the hand-rolled "+
			"breaker, the third through gobreaker. This is the first: without a breaker, every "+
			"call goes to the service and waits for its answer%s.",
		s.calls, plural(s.calls, "call", "calls"), beat, latency+latencyJitter/2, outageText(s),
		ifThen(s.outageCalls() > 0, ", even while the service is down", "")))
	plain, hand, lib := s.run()
	printTimeline(n, plain, false)
	n.Printf("%s", wrapIndent(plainStory(s, plain)))

	n.Phase("hand-rolled breaker", fmt.Sprintf(
		"The same calls through breaker.New, set to open after %d failures in a row, to stay "+
			"open for %v, and then to let %d trial calls through: %d successes close it, one failure "+
			"opens it again. Each change of state is logged with slog as it happens, with the "+
			"time since the run started and the call that caused it.",
		tripAfter, s.timeout, trials, trials))
	printRun(n, hand)

	n.Phase("library twin: sony/gobreaker v2", "The same calls, the same Settings, through gobreaker.")
	printRun(n, lib)

	inOutage := s.outageCalls() > 0
	n.Phase("side by side", "\"mean wait\" is how long a caller waited for an answer, on average, "+
		ifThen(inOutage, "over all calls and over the calls in the outage", "over all calls")+
		"; a call failed fast is answered at once.")
	header := []string{"caller", "service calls", "failed", "failed fast", "mean wait"}
	if inOutage {
		header = append(header, "in outage")
	}
	row := func(name string, r runResult) []string {
		cells := []string{name, fmt.Sprint(r.stats.Calls), fmt.Sprint(r.stats.Failures),
			fmt.Sprint(r.fastFails), ms(r.meanWait(false))}
		if inOutage {
			cells = append(cells, ms(r.meanWait(true)))
		}
		return cells
	}
	n.Table(header, [][]string{row("no breaker", plain), row("hand-rolled", hand), row("gobreaker", lib)})
	same := slices.EqualFunc(hand.transitions, lib.transitions, func(a, b transition) bool { return a.String() == b.String() })
	if !same {
		// Both breakers see the same calls on the same beat, so this takes
		// a call that came too late (see replayText); the package's tests
		// prove the logic in virtual time.
		n.Printf("\nThe two breakers' changes of state differ (real-time jitter):")
		n.Printf("%s", wrapIndent("hand-rolled: "+joinTransitions(hand.transitions)))
		n.Printf("%s", wrapIndent("gobreaker: "+joinTransitions(lib.transitions)))
	}

	summary := [][2]string{
		{"calls per caller", fmt.Sprintf("%d, one every %v", s.calls, beat)},
		{"service calls", fmt.Sprintf("%d no breaker, %d hand-rolled, %d gobreaker",
			plain.stats.Calls, hand.stats.Calls, lib.stats.Calls)},
		{"calls saved", fmt.Sprintf("%d hand-rolled, %d gobreaker",
			plain.stats.Calls-hand.stats.Calls, plain.stats.Calls-lib.stats.Calls)},
	}
	if inOutage {
		summary = append(summary, [2]string{"wait in outage", fmt.Sprintf("%s no breaker, %s hand-rolled, %s gobreaker",
			ms(plain.meanWait(true)), ms(hand.meanWait(true)), ms(lib.meanWait(true)))})
	}
	summary = append(summary,
		[2]string{"same transitions", yesNo(same)},
		[2]string{"replay", replayText(hand, lib)})
	n.Summary(summary)
}

// outageText describes the outage as this run meets it.
func outageText(s scenario) string {
	end := time.Duration(s.calls) * beat // when the run's last beat ends
	switch {
	case s.outage == 0:
		return "The service never goes down in this run."
	case s.outageStart >= end:
		return fmt.Sprintf("It would go down at %v, after the last call.", s.outageStart)
	case s.outageStart+s.outage >= end:
		return fmt.Sprintf("It goes down at %v and is still down when the last call is made.", s.outageStart)
	}
	return fmt.Sprintf("It is down from %v to %v.", s.outageStart, s.outageStart+s.outage)
}

// plainStory says what happened to the caller without a breaker.
func plainStory(s scenario, r runResult) string {
	outage, failedInOutage := 0, 0
	for _, m := range r.marks {
		if m.outage {
			outage++
			if m.outcome == failed {
				failedInOutage++
			}
		}
	}
	story := "No call fell in the outage."
	if outage > 0 {
		story = fmt.Sprintf("%d of the %d calls fell in the outage; all %d reached the service and %s.",
			outage, len(r.marks), outage, ifThen(failedInOutage == outage, "failed",
				fmt.Sprintf("%d of them failed", failedInOutage)))
	}
	return fmt.Sprintf("%s In all: %d service calls, %d failed, mean wait %s.",
		story, r.stats.Calls, r.stats.Failures, ms(r.meanWait(false)))
}

// breakerStory says what a breaker did, from its transitions.
func breakerStory(r runResult) string {
	opened, reopened, firstOpen, lastClose := 0, 0, 0, 0
	final := breaker.StateClosed
	for _, t := range r.transitions {
		switch {
		case t.from == breaker.StateClosed:
			opened++
			if firstOpen == 0 {
				firstOpen = t.call
			}
		case t.to == breaker.StateOpen:
			reopened++
		case t.to == breaker.StateClosed:
			lastClose = t.call
		}
		final = t.to
	}
	if opened == 0 {
		return fmt.Sprintf("It never opened: no %d failures came in a row.", tripAfter)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "It opened at call %d", firstOpen)
	if opened > 1 {
		fmt.Fprintf(&b, " (and %d more %s later)", opened-1, plural(opened-1, "time", "times"))
	}
	if reopened > 0 {
		fmt.Fprintf(&b, " and re-opened after %d failed %s", reopened, plural(reopened, "trial", "trials"))
	}
	if r.fastFails > 0 {
		fmt.Fprintf(&b, "; %d %s failed fast, sparing the service", r.fastFails, plural(r.fastFails, "call", "calls"))
	}
	b.WriteString(".")
	if lastClose > 0 {
		fmt.Fprintf(&b, " It closed again at call %d.", lastClose)
	}
	if final != breaker.StateClosed {
		fmt.Fprintf(&b, " When the run ended it was %v.", final)
	}
	return b.String()
}

// printRun prints a breaker's logged transitions, its timeline and what
// it did.
func printRun(n *narrate.Narrator, r runResult) {
	if r.log != "" {
		n.Printf("%s", strings.TrimRight(r.log, "\n"))
		n.Printf("")
	}
	printTimeline(n, r, true)
	n.Printf("%s", wrapIndent(breakerStory(r)))
}

func printTimeline(n *narrate.Narrator, r runResult, withBreaker bool) {
	for _, line := range timeline(r.marks, beat, withBreaker) {
		n.Printf("  %s", line)
	}
	n.Printf("  %s\n", legend)
}

// replayText says whether every call meant to meet an open breaker came
// early enough for a replay with the same seed to be exact.
func replayText(runs ...runResult) string {
	worst := runResult{}
	for _, r := range runs {
		if r.slackCall != 0 && (worst.slackCall == 0 || r.slack < worst.slack) {
			worst = r
		}
	}
	switch {
	case worst.slackCall == 0:
		return "exact (no call met an open breaker)"
	case worst.slack > 0:
		return fmt.Sprintf("exact (the closest call had %s to spare)", ms(worst.slack))
	}
	return fmt.Sprintf("may differ (call %d was %s too late)", worst.slackCall, ms(-worst.slack))
}

func joinTransitions(ts []transition) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, t.String())
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// wrapIndent wraps text to 76 columns and indents it by two spaces.
func wrapIndent(text string) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > 76 {
			lines = append(lines, line)
			line = word
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	lines = append(lines, line)
	return "  " + strings.Join(lines, "\n  ")
}

// ms formats d in milliseconds with one decimal, the precision that means
// something for a real clock.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func yesNo(b bool) string { return ifThen(b, "yes", "no") }

func ifThen(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func plural(n int, one, many string) string { return ifThen(n == 1, one, many) }
