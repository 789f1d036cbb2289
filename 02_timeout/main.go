// Command 02_timeout shows what a timeout does and does not stop: the same
// slow dependency is called through wrappers that only give up waiting and
// through the plain idiom, against a dependency that ignores its context
// and one that honours it, with goroutine counts to show what is left
// running; then an HTTP call is cut off by a deadline, and the retries ×
// timeout arithmetic is run with and without an overall budget.
//
//	go run ./02_timeout [-seed N] [-step] [-calls N] [-latency D] [-timeout D]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the flags decide.
type config struct {
	seed    uint64
	calls   int           // concurrent calls in the leak phases
	latency time.Duration // how long the slow dependency takes, at least
	timeout time.Duration // how long a caller waits for it
}

// The flag limits. They keep every run short (the slowest accepted
// combination, 1000 calls to a 1s dependency, takes about 11 s) and the
// story true on a busy machine: a timeout of at most half the latency
// leaves every call still running when its caller gives up, with tens of
// milliseconds to spare, and a timeout of at least 20ms gives a loopback
// request time to reach the server before the deadline.
const (
	minCalls, maxCalls     = 1, 1000
	minLatency, maxLatency = 40 * time.Millisecond, time.Second
	minTimeout             = 20 * time.Millisecond
)

// usage is what -h prints, each line under 80 columns, in the layout
// every lesson's demo uses.
var usage = fmt.Sprintf(`Usage: go run ./02_timeout [flags]

Calls a slow dependency through timeouts that only stop waiting and
through timeouts that cancel the work, counts what keeps running, cuts
off an HTTP call with a deadline, and works out retries × timeout with
and without an overall budget. Times are scaled: read 1ms as 10ms.

Flags:
  -seed N      seed of the dependency's latency jitter; the same seed
               replays the same latencies (default 1)
  -step        wait for Enter before each phase (for a class)
  -calls N     concurrent calls in phases 2 and 3, %d to %d (default 10)
  -latency D   how long the dependency takes, plus up to 20%% jitter,
               %v to %v (default 300ms)
  -timeout D   how long a caller waits, %v to half of -latency
               (default 100ms)
  -svg DIR     also draw the run's figure as an SVG file in DIR: the
               calls still running after their callers gave up
`, minCalls, maxCalls, minLatency, maxLatency, minTimeout)

// run is main without the exit, so a test can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("02_timeout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "")
	step := fs.Bool("step", false, "")
	calls := fs.Int("calls", 10, "")
	latency := fs.Duration("latency", 300*time.Millisecond, "")
	timeoutFlag := fs.Duration("timeout", 100*time.Millisecond, "")
	svg := fs.String("svg", "", "")
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "02_timeout: unexpected argument %q (this demo takes only flags); see -h\n", fs.Arg(0))
		return 2
	}
	cfg := config{seed: *seed, calls: *calls, latency: *latency, timeout: *timeoutFlag}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "02_timeout: %v\n", err)
		return 2
	}
	demo(narrate.New(stdout, *step), cfg, realNet())
	if *svg != "" {
		if err := writeFigures(stderr, *svg, cfg); err != nil {
			fmt.Fprintf(stderr, "02_timeout: %v\n", err)
			return 1
		}
	}
	return 0
}

func (c config) validate() error {
	switch {
	case c.calls < minCalls || c.calls > maxCalls:
		return fmt.Errorf("-calls is %d, want %d to %d", c.calls, minCalls, maxCalls)
	case c.latency < minLatency || c.latency > maxLatency:
		return fmt.Errorf("-latency is %v, want %v to %v", c.latency, minLatency, maxLatency)
	case c.timeout < minTimeout:
		return fmt.Errorf("-timeout is %v, want at least %v", c.timeout, minTimeout)
	case c.timeout > c.latency/2:
		return fmt.Errorf("-timeout %v is more than half of -latency %v;\n"+
			"  every call must still be running when its caller gives up", c.timeout, c.latency)
	}
	return nil
}

// service returns the slow dependency the phases call. Jitter makes calls
// differ a little, as real ones do; the seed makes that replayable.
func (c config) service(ignoreContext bool) *flaky.Service {
	return flaky.MustNew(flaky.Config{
		Seed:          c.seed,
		Latency:       c.latency,
		LatencyJitter: c.latency / 5,
		IgnoreContext: ignoreContext,
	})
}

func demo(n *narrate.Narrator, c config, nw network) {
	n.Phase("a slow dependency", fmt.Sprintf(
		"The dependency takes %v plus up to %v of jitter. Times in this demo are scaled "+
			"down: read every millisecond as ten, so %v stands for about %v in production.",
		c.latency, c.latency/5, c.latency, 10*c.latency))
	start := time.Now()
	err := c.service(false).Call(context.Background())
	n.Printf("  one call, no timeout: returned %v after %v", errText(err), ms(time.Since(start)))

	n.Phase("giving up waiting: the dependency ignores its context", fmt.Sprintf(
		"%s each wrap a call in a %v timeout. Do and DoStdlib return on time, but "+
			"this dependency never looks at its context, so every call keeps running in its "+
			"own goroutine after its caller has gone: the timeout leak. The plain idiom "+
			"(context.WithTimeout and a direct call) leaves nothing behind, but it waits for "+
			"the dependency: its callers are late.", plural(c.calls, "caller", "callers"), c.timeout))
	leaky := abandonTable(n, c, true, nw.goroutines)

	n.Phase("cancelling the work: the dependency honours its context", fmt.Sprintf(
		"The same %s and the same wrappers, but the dependency stops as soon as its "+
			"context ends. The counts are taken once they have settled: a cancelled call "+
			"still needs a moment to notice and return. Here that moment is microseconds; a "+
			"dependency that must roll back or close connections takes longer, and Do and "+
			"DoStdlib do not wait for that wind-down, while the plain idiom does (exercise 2).",
		plural(c.calls, "call", "calls")))
	cooperative := abandonTable(n, c, false, nw.goroutines)

	n.Phase("HTTP: a deadline that travels with the request", fmt.Sprintf(
		"The dependency (%v) behind a real HTTP server on loopback. A deadline of %v is "+
			"set three ways; the table shows when the client gave up and whether the server "+
			"saw the request go away and stopped working on it.", c.latency, c.timeout))
	httpRows := httpTable(n, c, nw)

	n.Phase("the server side: a client that never finishes its request", fmt.Sprintf(
		"Timeouts protect servers too. A client sends a request line and then one header "+
			"line every %v, never the blank line that ends the headers: the Slowloris "+
			"attack, which holds a connection and a goroutine on the server for as long as "+
			"the client likes. http.Server sets no deadline on the headers unless asked; "+
			"ReadHeaderTimeout is that deadline. This client gives up after %v.",
		drip, slowClientGivesUp))
	slow := slowlorisPhase(n, nw)

	n.Phase("retries × timeout, and the overall budget",
		"Every retry gets its own timeout, so the time a caller can wait multiplies. "+
			"An overall deadline set once by the caller, and split across the attempts, keeps "+
			"the total bounded: an attempt gets only the time left, and none starts when too "+
			"little is left to be useful.")
	budget := budgetPhase(n)

	hand, idiom, handCoop := leaky[0], leaky[len(leaky)-1], cooperative[0]
	rows := [][2]string{
		{"Do returned after (ignoring dep.)", ms(hand.returnedAfter)},
		{"goroutines left after Do", fmt.Sprintf("%+d ignoring, %+d honouring", hand.extraGoroutines, handCoop.extraGoroutines)},
		{"work finished for nobody", fmt.Sprintf("%d of %d calls", hand.finishedLater, c.calls)},
		{"the last of it finished at", ms(hand.drainedAfter)},
		{"plain idiom returned after", fmt.Sprintf("%v, %+d goroutines", ms(idiom.returnedAfter), idiom.extraGoroutines)},
		{"HTTP calls cut off, server stopped", fmt.Sprintf("%d of %d", httpRows.cutOff, httpRows.total)},
		{"slow client, no header deadline", slow[0].summary()},
		{"slow client, ReadHeaderTimeout", slow[1].summary()},
		{fmt.Sprintf("worst case, %d × %v + backoff", attempts, perAttempt), budget.worstCase.String()},
		{"retry loop, no budget", ms(budget.without)},
	}
	for i, took := range budget.with {
		rows = append(rows, [2]string{fmt.Sprintf("%v budget, %v minimum", overall, minAttempts[i]), ms(took)})
	}
	n.Summary(rows)
}

// plural returns "1 caller" or "10 callers".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ms formats a duration to the millisecond, which is all a demo can promise.
func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

// errText is a short description of an error for a table cell.
func errText(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, timeout.ErrBudgetExhausted) && errors.Is(err, timeout.ErrTimeout):
		// Budget.Do ran the attempt and the overall deadline ended it.
		return "cut off at the overall deadline"
	case errors.Is(err, timeout.ErrBudgetExhausted):
		// Budget.Do refused to start the attempt.
		return "not started: too little time left"
	case errors.Is(err, timeout.ErrTimeout):
		return "timeout"
	default:
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return msg
	}
}
