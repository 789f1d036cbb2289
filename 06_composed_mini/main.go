// Command 06_composed_mini is the workshop's capstone demo: the same
// requests sent side by side through no protection, retries, retries with
// timeouts, and the whole chain retry → timeout → circuit breaker, hand-rolled
// and with failsafe-go, to a service that is healthy, then down, then
// healthy again.
//
//	go run ./06_composed_mini [-seed N] [-outage D] [-step] [-json]
//
// With -overload it runs the overload experiment instead (overload.go): a
// server of finite capacity, slowed down for two seconds, and six ways of
// calling it, of which only plain retries keep it down afterwards.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"reliability/flaky/narrate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// The outages the demo accepts. The breaker learns that the service is
// down from three failed calls, the first outage request's three attempts,
// while retry alone sends three calls for every outage request: over N
// requests the breaker can cut at most 1 - 3/(3N) = 1 - 1/N of retry's
// calls, and each trial call it lets through costs a little more. From
// 3.5s (18 requests) to 5s (25) the cut is 91.7% to 93.3%, and it would
// still be 90% or more with one call more; at 3s (15 requests) it is
// 91.1%, one call from 88.9%, and below 3s under 90%. TestJSONShowsTheCut
// checks every accepted value. At 5s the demo runs for 8s.
const (
	minOutage = 3500 * time.Millisecond
	maxOutage = 5 * time.Second
)

// options are the demo's flags, validated.
type options struct {
	seed   uint64
	outage time.Duration
	step   bool
	json   bool
	// overload runs the overload experiment instead (overload.go).
	overload bool
	svg      string // the directory to draw the figures in; empty for none
}

// run is main without the exit, so that a test can drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "06_composed_mini: %v\nRun 'go run ./06_composed_mini -h' for the flags.\n", err)
		return 2
	}
	if o.overload {
		code := runOverload(o, stdin, stdout, stderr)
		if code == 0 && o.svg != "" {
			code = figuresDone(writeFigures(stderr, o.svg, overloadFigures(o.seed)), stderr)
		}
		return code
	}
	s := scenario{seed: o.seed, outage: o.outage}
	callers, err := s.callers()
	if err != nil {
		fmt.Fprintln(stderr, "06_composed_mini:", err)
		return 1
	}
	var late time.Duration
	if o.json {
		if late = s.run(callers); late > lateWarning {
			fmt.Fprintf(stderr, "06_composed_mini: %s\n", busy(late, s.seed))
		}
		sums := make([]summary, len(callers))
		for i, c := range callers {
			sums[i] = s.summarize(c)
		}
		if err := writeJSON(stdout, sums); err != nil {
			fmt.Fprintln(stderr, "06_composed_mini:", err)
			return 1
		}
	} else {
		n := narrate.New(stdout, o.step)
		n.SetInput(stdin)
		late = s.demo(n, callers)
	}
	if o.svg != "" {
		return figuresDone(drawOutage(stderr, o.svg, s, callers, late), stderr)
	}
	return 0
}

// flagHelp is each flag's help, wrapped to fit 80 columns.
var flagHelp = []struct{ name, arg, help string }{
	{"seed", "N", "seed for the service and the jitter; the same seed\nreplays the same run (default 1)"},
	{"step", "", "wait for Enter before each phase (for a class)"},
	{"outage", "D", "how long the service is down, from 1s into the run:\n" +
		"3.5s to 5s in steps of 500ms (default 5s); shorter\n" +
		"outages leave the breaker too few calls for a clear 90% cut"},
	{"json", "", "print the summary as JSON, one object per run,\ninstead of the narrated demo"},
	{"overload", "", "run the overload experiment instead: a server of finite\n" +
		"capacity, slowed for 2s; which callers let it recover?\n" +
		"(takes -seed, -step, -json and -svg, not -outage)"},
	{"svg", "DIR", "also draw the run's figures as SVG files in DIR: calls\n" +
		"into the outage per caller; with -overload, goodput"},
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("06_composed_mini", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	fs.Uint64Var(&o.seed, "seed", 1, "")
	fs.DurationVar(&o.outage, "outage", 5*time.Second, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.step, "step", false, "")
	fs.BoolVar(&o.overload, "overload", false, "")
	fs.StringVar(&o.svg, "svg", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stderr)
		}
		return o, err
	}
	outageSet := false
	fs.Visit(func(f *flag.Flag) { outageSet = outageSet || f.Name == "outage" })
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q: the demo takes flags only", fs.Arg(0))
	case o.outage < minOutage || o.outage > maxOutage || o.outage%(500*time.Millisecond) != 0:
		return o, fmt.Errorf("invalid -outage %v: want %v to %v in steps of 500ms", o.outage, minOutage, maxOutage)
	case o.overload && outageSet:
		return o, errors.New("-outage sets the outage of the default demo; -overload has its own slowdown")
	case o.json && o.step:
		return o, errors.New("-step pauses between phases; -json has none")
	}
	return o, nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: go run ./06_composed_mini [flags]

Lesson 06, the patterns composed. Six callers send the same requests, one
every 200ms, each to its own copy of a service that is healthy, then down,
then healthy again: called directly, with retries, with retries and
timeouts, through the whole chain retry -> timeout -> circuit breaker
(hand-rolled, and again with failsafe-go), and with retries behind a
bulkhead. A table compares the load on the service, the latency and the
recovery.

Flags:
`)
	for _, f := range flagHelp {
		name := "-" + f.name
		if f.arg != "" {
			name += " " + f.arg
		}
		lines := strings.Split(f.help, "\n")
		fmt.Fprintf(w, "  %-12s %s\n", name, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "  %-12s %s\n", "", l)
		}
	}
	fmt.Fprintf(w, "  %-12s %s\n", "-h", "this help")
}
