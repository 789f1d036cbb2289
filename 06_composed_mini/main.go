// Command 06_composed_mini is the workshop's capstone demo: the same
// requests sent side by side through no protection, retries, retries with
// timeouts, and the whole chain retry → timeout → circuit breaker, hand-rolled
// and with failsafe-go, to a service that is healthy, then down, then
// healthy again.
//
//	go run ./06_composed_mini [-seed N] [-outage D] [-step] [-json]
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

// options are the demo's flags, validated.
type options struct {
	seed   uint64
	outage time.Duration
	step   bool
	json   bool
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
	s := scenario{seed: o.seed, outage: o.outage}
	callers, err := s.callers()
	if err != nil {
		fmt.Fprintln(stderr, "06_composed_mini:", err)
		return 1
	}
	if o.json {
		if late := s.run(callers); late > lateWarning {
			fmt.Fprintf(stderr, "06_composed_mini: this machine is busy: a request started %v late;\n"+
				"counts can differ from a quieter run with -seed %d.\n", late.Round(time.Millisecond), s.seed)
		}
		sums := make([]summary, len(callers))
		for i, c := range callers {
			sums[i] = s.summarize(c)
		}
		if err := writeJSON(stdout, sums); err != nil {
			fmt.Fprintln(stderr, "06_composed_mini:", err)
			return 1
		}
		return 0
	}
	n := narrate.New(stdout, o.step)
	n.SetInput(stdin)
	s.demo(n, callers)
	return 0
}

// flagHelp is each flag's help, wrapped to fit 80 columns.
var flagHelp = []struct{ name, arg, help string }{
	{"seed", "N", "seed for the service and the jitter; the same seed\nreplays the same run (default 1)"},
	{"outage", "D", "how long the service is down, from 1s into the run:\n1s to 4s in steps of 500ms (default 3s)"},
	{"json", "", "print the summary as JSON, one object per run,\ninstead of the narrated demo"},
	{"step", "", "wait for Enter before each phase (for a class)"},
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("06_composed_mini", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	fs.Uint64Var(&o.seed, "seed", 1, "")
	fs.DurationVar(&o.outage, "outage", 3*time.Second, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.step, "step", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stderr)
		}
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q: the demo takes flags only", fs.Arg(0))
	case o.outage < time.Second || o.outage > 4*time.Second || o.outage%(500*time.Millisecond) != 0:
		return o, fmt.Errorf("invalid -outage %v: want 1s to 4s in steps of 500ms", o.outage)
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
