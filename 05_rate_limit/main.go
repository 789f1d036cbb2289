// Command 05_rate_limit shows per-client rate limiting in front of a real
// HTTP server: three clients (steady, bursty, noisy) send requests through
// the hand-rolled middleware, through the same middleware on x/time/rate,
// and through the one-bucket-for-all version found online; a timeline
// shows, second by second, what each client got. A last phase floods the
// middleware with made-up client addresses.
//
//	go run ./05_rate_limit [-seed N] [-step] [-seconds N] [-rate R] [-burst N]
//
// With -replicas N it shows instead one rate limit shared by N replicas
// in Redis (replicas.go):
//
//	go run ./05_rate_limit -replicas N [-seed N] [-step | -json]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"reliability/flaky/chart"
	"reliability/flaky/narrate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the demo's flags, validated.
type options struct {
	seed    uint64
	step    bool
	seconds int
	rate    float64
	burst   int
	svg     string // the directory to draw the figures in; empty for none

	replicas int  // the -replicas demo (replicas.go) when > 0
	json     bool // its runs as JSON
}

const usage = `Usage: go run ./05_rate_limit [flags]

Three clients send requests to a real HTTP server through a per-client
rate limiter: the hand-rolled one, then x/time/rate, then the one bucket
for all found online. A timeline shows what each client got, second by
second. Time is simulated, so the run takes a moment and a seed replays it.

Flags:
  -seed N      seed for the clients' timing (default 1)
  -step        wait for Enter before each phase (for a class)
  -seconds N   how long the clients send, 4 to 60 (default 10)
  -rate R      each client's limit in requests per second, 0.1 to 5
               (default 0.5); noisy sends 10 times that
  -burst N     each client's burst, 1 to 20 (default 4)
  -svg DIR     also draw the figures in DIR as SVG files: a flood against
               the token bucket, the sliding and the fixed window; with
               -replicas, a limit per process against one shared limit
`

// errUsage marks an error the flag package has already reported.
var errUsage = errors.New("bad usage")

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("05_rate_limit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage+replicasUsage) }
	fs.Uint64Var(&o.seed, "seed", 1, "")
	fs.BoolVar(&o.step, "step", false, "")
	fs.IntVar(&o.seconds, "seconds", 10, "")
	fs.Float64Var(&o.rate, "rate", 0.5, "")
	fs.IntVar(&o.burst, "burst", 4, "")
	fs.StringVar(&o.svg, "svg", "", "")
	replicaFlags(fs, &o.replicas, &o.json)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage
	}
	if err := checkReplicaFlags(fs, o.replicas, o.json, o.step); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.seconds < 4 || o.seconds > 60:
		return o, fmt.Errorf("-seconds is %d, want 4 to 60", o.seconds)
	case math.IsNaN(o.rate) || o.rate < 0.1 || o.rate > 5:
		return o, fmt.Errorf("-rate is %v, want 0.1 to 5 requests per second", o.rate)
	case o.burst < 1 || o.burst > 20:
		return o, fmt.Errorf("-burst is %d, want 1 to 20", o.burst)
	}
	return o, nil
}

// run is main without the exit, so a test can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "05_rate_limit: %v\nRun 'go run ./05_rate_limit -h' for the flags.\n", err)
		return 2
	}
	if o.replicas > 0 {
		if err := runReplicas(o.seed, o.replicas, o.step, o.json, o.svg, stdout); err != nil {
			fmt.Fprintln(stderr, "05_rate_limit:", err)
			return 1
		}
		return 0
	}
	s := scenario{seed: o.seed, length: time.Duration(o.seconds) * time.Second, rate: o.rate, burst: o.burst}
	if err := demo(narrate.New(stdout, o.step), s); err != nil {
		fmt.Fprintln(stderr, "05_rate_limit:", err)
		return 1
	}
	if o.svg != "" {
		if err := writeFigures(stderr, o.svg, []chart.Named{burstFigure()}); err != nil {
			fmt.Fprintln(stderr, "05_rate_limit:", err)
			return 1
		}
	}
	return 0
}
