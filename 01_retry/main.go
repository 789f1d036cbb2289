// Command 01_retry is the retry lesson's demo: a flaky dependency called
// without retries, with exponential backoff, with full jitter, with a
// permanent error, and through the library twin, each attempt on a
// timeline. With -sim it runs the jitter simulation from the AWS article
// "Exponential Backoff And Jitter" instead.
//
//	go run ./01_retry            the narrated demo
//	go run ./01_retry -step      pause between phases (for a class)
//	go run ./01_retry -sim       the jitter simulation, as a table and chart
//	go run ./01_retry -sim -json the same rows as JSON
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// errReported marks a flag error the flag package has already printed,
// with the usage, so main does not print it twice.
var errReported = errors.New("reported")

// options are the demo's flags, validated.
type options struct {
	seed     uint64
	step     bool
	attempts int
	base     time.Duration
	cap      time.Duration
	requests int
	failRate float64
	sim      bool
	json     bool

	simClients []int // client counts to simulate; nil means 10…100 (tests use fewer)
}

func main() {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return
	case errors.Is(err, errReported):
		os.Exit(2) // the flag package has already printed the problem
	case err != nil:
		fmt.Fprintf(os.Stderr, "01_retry: %v\nRun 'go run ./01_retry -h' for the flags.\n", err)
		os.Exit(2)
	}
	if opts.sim {
		err = runSimulation(os.Stdout, opts)
	} else {
		err = runDemo(os.Stdout, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "01_retry:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("01_retry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&o.seed, "seed", 4, "seed for the flaky service and the jitter; the same seed replays the same run")
	fs.BoolVar(&o.step, "step", false, "wait for Enter before each phase (for teaching)")
	fs.IntVar(&o.attempts, "attempts", 4, "MaxAttempts: calls per request, the first one included (1 = no retries)")
	fs.DurationVar(&o.base, "base", 20*time.Millisecond, "InitialDelay: the first backoff delay")
	fs.DurationVar(&o.cap, "cap", 200*time.Millisecond, "MaxDelay: no backoff delay is longer than this")
	fs.IntVar(&o.requests, "requests", 8, "requests sent in each phase")
	fs.Float64Var(&o.failRate, "fail-rate", 0.3, "probability that a call fails once the service has warmed up, in [0, 1]")
	fs.BoolVar(&o.sim, "sim", false, "run the jitter simulation (N clients contending for one resource) instead of the demo")
	fs.BoolVar(&o.json, "json", false, "with -sim: print the rows as JSON instead of a table and chart")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: go run ./01_retry [flags]

Lesson 01, retry with backoff and jitter. Calls a flaky service without
retries, with exponential backoff, with full jitter, with a permanent error
and with github.com/cenkalti/backoff/v5, printing every attempt. With -sim,
reproduces the AWS "Exponential Backoff And Jitter" experiment instead.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %w", errReported, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case o.attempts < 1:
		return o, fmt.Errorf("invalid -attempts %d: must be at least 1 (1 means no retries)", o.attempts)
	case o.attempts > 20:
		return o, fmt.Errorf("invalid -attempts %d: at most 20 keeps the demo short", o.attempts)
	case o.base <= 0:
		return o, fmt.Errorf("invalid -base %v: must be positive", o.base)
	case o.cap < o.base:
		return o, fmt.Errorf("invalid -cap %v: must be at least -base (%v)", o.cap, o.base)
	case o.cap > 2*time.Second:
		return o, fmt.Errorf("invalid -cap %v: at most 2s keeps the demo short", o.cap)
	case o.requests < 1 || o.requests > 100:
		return o, fmt.Errorf("invalid -requests %d: must be between 1 and 100", o.requests)
	case math.IsNaN(o.failRate) || o.failRate < 0 || o.failRate > 1:
		return o, fmt.Errorf("invalid -fail-rate %v: must be a probability in [0, 1]", o.failRate)
	case o.json && !o.sim:
		return o, errors.New("-json only applies to -sim")
	}
	return o, nil
}
