// Command 02_timeout shows what a timeout does and does not stop: the same
// slow dependency is called through a wrapper that only gives up waiting
// and through one whose dependency honours cancellation, with goroutine
// counts to show what is left running; then an HTTP call is cut off by a
// deadline, and the retries × timeout arithmetic is run with and without an
// overall budget.
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
	latency time.Duration // how long the slow dependency takes
	timeout time.Duration // how long a caller waits for it
}

// run is main without the exit, so a test can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("02_timeout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "seed for the flaky service's latency jitter; the same seed replays the same run")
	step := fs.Bool("step", false, "wait for Enter before each phase (for talking through it in class)")
	calls := fs.Int("calls", 10, "concurrent calls in the leak phases (1 to 1000)")
	latency := fs.Duration("latency", 300*time.Millisecond, "how long the slow dependency takes, plus up to 20% jitter (10ms to 1s)")
	timeoutFlag := fs.Duration("timeout", 100*time.Millisecond, "how long a caller waits; must be shorter than -latency (1ms to 1s)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./02_timeout [flags]\n\n"+
			"Calls a slow dependency through timeouts that only stop waiting and through\n"+
			"timeouts that cancel the work, counts what keeps running, cuts off an HTTP\n"+
			"call with a deadline, and works out retries × timeout with and without an\n"+
			"overall budget. Times are scaled down to milliseconds.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "02_timeout: unexpected argument %q; see -h\n", fs.Arg(0))
		return 2
	}
	cfg := config{seed: *seed, calls: *calls, latency: *latency, timeout: *timeoutFlag}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "02_timeout: %v\n", err)
		return 2
	}
	demo(narrate.New(stdout, *step), cfg)
	return 0
}

func (c config) validate() error {
	switch {
	case c.calls < 1 || c.calls > 1000:
		return fmt.Errorf("-calls is %d, want 1 to 1000", c.calls)
	case c.latency < 10*time.Millisecond || c.latency > time.Second:
		return fmt.Errorf("-latency is %v, want 10ms to 1s", c.latency)
	case c.timeout < time.Millisecond || c.timeout > time.Second:
		return fmt.Errorf("-timeout is %v, want 1ms to 1s", c.timeout)
	case c.timeout >= c.latency:
		return fmt.Errorf("-timeout %v is not shorter than -latency %v: nothing would time out", c.timeout, c.latency)
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

func demo(n *narrate.Narrator, c config) {
	n.Phase("a slow dependency", fmt.Sprintf(
		"The dependency takes %v plus up to %v of jitter. Times in this demo are scaled "+
			"down: read every millisecond as ten, so %v stands for about %v in production.",
		c.latency, c.latency/5, c.latency, 10*c.latency))
	start := time.Now()
	err := c.service(false).Call(context.Background())
	n.Printf("  one call, no timeout: returned %v after %v", errText(err), ms(time.Since(start)))

	n.Phase("giving up waiting: the dependency ignores its context", fmt.Sprintf(
		"%d callers each wrap a call in a %v timeout. Do and DoStdlib return on time, but "+
			"this dependency never looks at its context, so every call keeps running in its "+
			"own goroutine after its caller has gone: the timeout leak. The plain idiom "+
			"(context.WithTimeout and a direct call) leaves nothing behind, but it waits for "+
			"the dependency: its callers are late.", c.calls, c.timeout))
	leaky := abandonTable(n, c, true)

	n.Phase("cancelling the work: the dependency honours its context", fmt.Sprintf(
		"The same %d calls and the same wrappers, but the dependency stops as soon as its "+
			"context ends. Every wrapper returns on time and nothing is left running. The "+
			"counts are taken once they have settled: a cancelled call still needs a moment to "+
			"notice and return. Here that moment is microseconds; a dependency that must roll "+
			"back or close connections takes longer, and Do and DoStdlib do not wait for that "+
			"wind-down, while the plain idiom does (exercise 2).", c.calls))
	cooperative := abandonTable(n, c, false)

	n.Phase("HTTP: a deadline that travels with the request", fmt.Sprintf(
		"The dependency (%v) behind a real loopback HTTP server. A deadline of %v is set "+
			"three ways; each time the client gives up on time and the server sees the request "+
			"go away and stops working on it.", c.latency, c.timeout))
	httpRows := httpTable(n, c)

	n.Phase("retries × timeout, and the overall budget",
		"Every retry gets its own timeout, so the time a caller can wait multiplies. "+
			"An overall deadline set once by the caller, and split across the attempts, keeps "+
			"the total bounded: an attempt gets only the time left, and none starts when too "+
			"little is left to be useful.")
	budget := budgetPhase(n)

	handLeaky, idiomLeaky, handCoop := leaky[0], leaky[len(leaky)-1], cooperative[0]
	rows := [][2]string{
		{"Do returned after (ignoring dependency)", ms(handLeaky.returnedAfter)},
		{"goroutines left running after Do returned", fmt.Sprintf("%d ignoring vs %d cancelling (of %d calls)", handLeaky.extraGoroutines, handCoop.extraGoroutines, c.calls)},
		{"dependency calls still working after Do", fmt.Sprintf("%d ignoring vs %d cancelling", handLeaky.stillWorking, handCoop.stillWorking)},
		{"work finished for nobody (ignoring dependency)", fmt.Sprintf("%d calls, the last %v after the timeout", handLeaky.finishedLater, ms(handLeaky.drainedAfter-handLeaky.returnedAfter))},
		{"plain idiom returned after (ignoring dependency)", fmt.Sprintf("%v, with %+d goroutines left", ms(idiomLeaky.returnedAfter), idiomLeaky.extraGoroutines)},
		{"HTTP calls cut off on time, server stopped", fmt.Sprintf("%d of %d", httpRows.cutOff, httpRows.total)},
		{"3 attempts × 2s + backoff, worst case", budget.worstCase.String()},
	}
	rows = append(rows, [2]string{"retry loop without a budget (scaled 1:10)", fmt.Sprintf("%v, stands for %v", ms(budget.without), standsFor(budget.without))})
	for i, took := range budget.with {
		rows = append(rows, [2]string{fmt.Sprintf("with the %v budget, %v minimum", overall, minAttempts[i]), fmt.Sprintf("%v, stands for %v", ms(took), standsFor(took))})
	}
	n.Summary(rows)
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
		return err.Error()
	}
}
