package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// The retry policy of phase 6, at the demo's scale like every time the
// demo prints (read every millisecond as ten): 3 attempts of 200ms (2s in
// production) with waits of 10ms and 20ms, for a caller that promised an
// answer within 500ms (5s).
const (
	attempts   = 3
	perAttempt = 200 * time.Millisecond
	overall    = 500 * time.Millisecond // what the caller promised its own caller
)

var (
	backoffs = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}
	// minAttempts are the two minimums the budget is run with: attempts
	// shorter than this are not worth starting. The third attempt would
	// start with 70ms left: with a 30ms minimum it is trimmed to what is
	// left and cut off at the overall deadline; with 120ms it is not
	// started at all. Both are 40ms away from 70ms, so a busy machine
	// does not change the outcome.
	minAttempts = []time.Duration{30 * time.Millisecond, 120 * time.Millisecond}
)

// attempt is one line of a retry loop's timeline.
type attempt struct {
	n       int
	at      time.Duration // when it started (or was refused), since the loop began
	ran     time.Duration // how long it ran; 0 if it never started
	started bool          // false if the budget refused to start it
	err     error
}

// budgetResult is what the retry phase measured.
type budgetResult struct {
	worstCase time.Duration   // the arithmetic
	without   time.Duration   // measured without a budget
	with      []time.Duration // measured with the budget, one per minimum in minAttempts
}

// retryLoop makes up to attempts attempts against a dependency that never
// answers in time, waiting the backoff between them. With a budget,
// attempts go through budget.Do under an overall deadline, and the loop does
// what a retry loop must with a budget: it stops on ErrBudgetExhausted, and
// its backoff ends when the overall deadline does. Without one, each attempt
// gets the full per-attempt timeout. It returns how long the loop took and
// what each attempt did.
func retryLoop(budget *timeout.Budget) (took time.Duration, timeline []attempt) {
	svc := flaky.MustNew(flaky.Config{Latency: time.Hour}) // hangs, but honours its context
	ctx := context.Background()
	if budget != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, overall)
		defer cancel()
	}
	start := time.Now()
	for i := range attempts {
		began := time.Now()
		calls := svc.Stats().Calls
		var err error
		if budget != nil {
			err = budget.Do(ctx, svc.Call)
		} else {
			err = timeout.Do(ctx, perAttempt, svc.Call)
		}
		a := attempt{n: i + 1, at: began.Sub(start), started: svc.Stats().Calls > calls, err: err}
		if a.started {
			a.ran = time.Since(began)
		}
		timeline = append(timeline, a)
		if errors.Is(err, timeout.ErrBudgetExhausted) || i == attempts-1 {
			break
		}
		wait := time.NewTimer(backoffs[i])
		select {
		case <-wait.C:
		case <-ctx.Done():
			wait.Stop()
		}
	}
	return time.Since(start), timeline
}

// timelineTable prints a retry loop's attempts.
func timelineTable(n *narrate.Narrator, timeline []attempt) {
	var rows [][]string
	for _, a := range timeline {
		ran := "-"
		if a.started {
			ran = ms(a.ran)
		}
		rows = append(rows, []string{fmt.Sprint(a.n), ms(a.at), ran, errText(a.err)})
	}
	n.Table([]string{"attempt", "started at", "ran", "result"}, rows)
}

func budgetPhase(n *narrate.Narrator) budgetResult {
	r := budgetResult{worstCase: timeout.WorstCase(attempts, perAttempt, backoffs...)}
	n.Printf("  A retry policy of %d attempts, %v each, with %v + %v of backoff:",
		attempts, perAttempt, backoffs[0], backoffs[1])
	n.Printf("    worst case = %d × %v + %v + %v = %v   (timeout.WorstCase)",
		attempts, perAttempt, backoffs[0], backoffs[1], r.worstCase)
	n.Printf("  A caller that promised an answer within %v breaks its promise by %v.", overall, r.worstCase-overall)
	n.Printf("  The fix: one overall deadline of %v; each attempt gets min(%v, time", overall, perAttempt)
	n.Printf("  left), and none starts with less than a minimum left (timeout.Budget).")
	n.Printf("")
	n.Printf("  As everywhere in this demo, read every millisecond as ten: %v", perAttempt)
	n.Printf("  stands for %v, the worst case for %v. Run for real against a", production(perAttempt), production(r.worstCase))
	n.Printf("  dependency that never answers in time:")

	n.Printf("\n  without a budget: every attempt waits out its full timeout")
	var timeline []attempt
	r.without, timeline = retryLoop(nil)
	timelineTable(n, timeline)

	for _, minAttempt := range minAttempts {
		budget, err := timeout.NewBudget(perAttempt, minAttempt)
		if err != nil {
			panic(err) // the constants above are valid
		}
		n.Printf("\n  with a %v overall budget and a %v minimum per attempt:", overall, minAttempt)
		took, timeline := retryLoop(&budget)
		r.with = append(r.with, took)
		timelineTable(n, timeline)
	}

	n.Printf("")
	rows := [][]string{{"no budget", ms(r.without)}}
	for i, took := range r.with {
		rows = append(rows, []string{fmt.Sprintf("%v budget, %v minimum", overall, minAttempts[i]), ms(took)})
	}
	n.Table([]string{"policy", "took"}, rows)
	return r
}

// production converts a duration at the demo's scale to the one it stands
// for: every millisecond reads as ten.
func production(d time.Duration) time.Duration { return d * 10 }
