// Command 01_retry is the retry lesson's demo: a flaky dependency called
// without retries, with exponential backoff, with full jitter, with a
// permanent error, and through the library twin, each attempt on a
// timeline. With -sim it runs the jitter simulation from the AWS article
// "Exponential Backoff And Jitter" instead.
//
//	go run ./01_retry            the narrated demo
//	go run ./01_retry -step      pause before each phase (for a class)
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

	"reliability/01_retry/retry"
)

// errReported marks a flag error the flag package has already printed,
// with the usage, so main does not print it twice.
var errReported = errors.New("reported")

// Limits on the demo's flags. Each keeps a run short: every phase waits
// for real, so the worst case (every call failing) must stay well under
// half a minute.
const (
	maxAttempts = 20
	maxCap      = 2 * time.Second
	maxRequests = 100
	maxDemoTime = 20 * time.Second
)

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
	svg      string // directory for the run's figures; empty means none

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
	if err == nil && opts.svg != "" {
		err = writeFigures(os.Stderr, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "01_retry:", err)
		os.Exit(1)
	}
}

// demoFlags are the flags only the demo reads, simFlags those only -sim
// reads; -seed is shared. Setting one the chosen mode ignores is an error,
// so nobody believes a flag changed a run it never reached.
var (
	demoFlags = []string{"attempts", "base", "cap", "requests", "fail-rate", "step"}
	simFlags  = []string{"json"}
)

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("01_retry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&o.seed, "seed", 1, "")
	fs.BoolVar(&o.step, "step", false, "")
	fs.IntVar(&o.attempts, "attempts", 4, "")
	fs.DurationVar(&o.base, "base", 20*time.Millisecond, "")
	fs.DurationVar(&o.cap, "cap", 200*time.Millisecond, "")
	fs.IntVar(&o.requests, "requests", 8, "")
	fs.Float64Var(&o.failRate, "fail-rate", 0.3, "")
	fs.BoolVar(&o.sim, "sim", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.StringVar(&o.svg, "svg", "", "")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: go run ./01_retry [flags]

Lesson 01, retry with backoff and jitter. Calls a flaky service without
retries, with exponential backoff, with full jitter, with a permanent
error and with github.com/cenkalti/backoff/v5, printing every attempt.
A run that could take more than %v is refused. With -sim, reproduces
the AWS "Exponential Backoff And Jitter" experiment instead.

Flags:
  -seed N      replays a run: the same seed gives the same outcomes,
               attempts, waits and summary (default 1); only the "at"
               column, read from the clock, varies by a few milliseconds
  -step        wait for Enter before each phase (for a class)
  -requests N  requests sent in each phase, 1 to %d (default 8)
  -attempts N  MaxAttempts, the first call included, 2 to %d (default 4)
  -base D      InitialDelay, the first backoff delay (default 20ms)
  -cap D       MaxDelay, the longest wait, -base to %v (default 200ms)
  -fail-rate P chance that a call fails after warm-up, 0 to 1
               (default 0.3)
  -sim         run the jitter simulation instead; it reads only -seed,
               -json and -svg
  -json        with -sim: print the rows as JSON
  -svg DIR     also draw this run's figures as SVG files in DIR: with
               -sim calls and completion time against clients, without
               it the retry spike of phase 4
`, maxDemoTime, maxRequests, maxAttempts, maxCap)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %w", errReported, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (every setting is a flag)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	ignored := simFlags
	if o.sim {
		ignored = demoFlags
	}
	for _, name := range ignored {
		if set[name] {
			if o.sim {
				return o, fmt.Errorf("-%s applies to the demo, not to -sim", name)
			}
			return o, fmt.Errorf("-%s only applies to -sim", name)
		}
	}
	if o.sim {
		return o, nil
	}
	switch {
	case o.attempts < 2 || o.attempts > maxAttempts:
		return o, fmt.Errorf("invalid -attempts %d: want 2..%d (2 is one retry)", o.attempts, maxAttempts)
	case o.base <= 0:
		return o, fmt.Errorf("invalid -base %v: must be positive", o.base)
	case o.cap < o.base:
		return o, fmt.Errorf("invalid -cap %v: must be at least -base (%v)", o.cap, o.base)
	case o.cap > maxCap:
		return o, fmt.Errorf("invalid -cap %v: at most %v keeps the demo short", o.cap, maxCap)
	case o.requests < 1 || o.requests > maxRequests:
		return o, fmt.Errorf("invalid -requests %d: want 1..%d", o.requests, maxRequests)
	case math.IsNaN(o.failRate) || o.failRate < 0 || o.failRate > 1:
		return o, fmt.Errorf("invalid -fail-rate %v: must be a probability in [0, 1]", o.failRate)
	}
	if worst := worstCase(o); worst > maxDemoTime {
		return o, fmt.Errorf("these flags could run the demo for %v if every call failed;\nthe limit is %v: lower -requests, -attempts, -base or -cap",
			worst.Round(time.Second), maxDemoTime)
	}
	return o, nil
}

// worstCase is how long the demo runs if every call fails: the waits of
// the three timeline phases and of the unmarked permanent error, and the
// service's latency on every call.
func worstCase(o options) time.Duration {
	p := retry.Policy{MaxAttempts: o.attempts, InitialDelay: o.base, MaxDelay: o.cap, Multiplier: 2, Jitter: retry.NoJitter}
	var waits time.Duration // one request, every attempt failing
	for k := 1; k < o.attempts; k++ {
		waits += p.Capped(k)
	}
	calls := o.requests * (1 + 3*o.attempts) // phase 1, then 2, 3 and 6
	return time.Duration(3*o.requests+1)*waits + time.Duration(calls)*maxLatency
}
