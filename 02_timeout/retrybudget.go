package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// The numbers a production retry policy might use, and the scale the demo
// runs them at.
const (
	attempts   = 3
	perAttempt = 2 * time.Second
	overall    = 5 * time.Second        // what the caller promised its own caller
	minAttempt = 500 * time.Millisecond // shorter attempts are not worth starting
	scale      = 10                     // the demo runs 10× faster
)

var backoffs = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}

// budgetResult is what the retry phase measured.
type budgetResult struct {
	worstCase time.Duration // the arithmetic, at production scale
	without   time.Duration // measured without a budget, at demo scale
	with      time.Duration // measured with the overall budget, at demo scale
}

// retryLoop makes up to attempts attempts against a dependency that never
// answers in time, sleeping the scaled backoff between them, and logs each
// attempt. With a budget, attempts go through budget.Do under an overall
// deadline; without, each gets the full per-attempt timeout. It returns how
// long the loop took and how many attempts actually started.
func retryLoop(log *slog.Logger, budget *timeout.Budget) (took time.Duration, started int) {
	svc := flaky.MustNew(flaky.Config{Latency: time.Hour}) // hangs, but honours its context
	ctx := context.Background()
	if budget != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, overall/scale)
		defer cancel()
	}
	start := time.Now()
	for i := range attempts {
		began := time.Since(start)
		var err error
		if budget != nil {
			err = budget.Do(ctx, svc.Call)
		} else {
			err = timeout.Do(ctx, perAttempt/scale, svc.Call)
		}
		log.Info("attempt", "n", i+1, "started", ms(began), "ran", ms(time.Since(start)-began), "result", errText(err))
		if errors.Is(err, timeout.ErrBudgetExhausted) {
			break
		}
		started++
		if i < len(backoffs) {
			time.Sleep(backoffs[i] / scale)
		}
	}
	return time.Since(start), started
}

func budgetPhase(n *narrate.Narrator) budgetResult {
	r := budgetResult{worstCase: timeout.WorstCase(attempts, perAttempt, backoffs...)}
	n.Printf("  A retry policy of %d attempts with a %v timeout each and %v + %v of backoff:",
		attempts, perAttempt, backoffs[0], backoffs[1])
	n.Printf("    worst case = %d × %v + %v + %v = %v   (timeout.WorstCase)",
		attempts, perAttempt, backoffs[0], backoffs[1], r.worstCase)
	n.Printf("  A caller that promised an answer within %v breaks its promise by %v.", overall, r.worstCase-overall)
	n.Printf("  The fix: one overall deadline of %v; each attempt gets min(%v, time left) and", overall, perAttempt)
	n.Printf("  none starts with less than %v left (timeout.Budget).", minAttempt)
	n.Printf("")
	n.Printf("  Both, run for real at 1:%d scale against a dependency that never answers in time:", scale)

	log := n.Logger()
	n.Printf("\n  without a budget:")
	r.without, _ = retryLoop(log, nil)

	budget, err := timeout.NewBudget(perAttempt/scale, minAttempt/scale)
	if err != nil {
		panic(err) // the constants above are valid
	}
	n.Printf("\n  with a %v overall budget (scaled: %v):", overall, overall/scale)
	r.with, _ = retryLoop(log, &budget)

	n.Printf("")
	n.Table([]string{"policy", "took (scaled)", "stands for"},
		[][]string{
			{"no budget", ms(r.without), fmt.Sprint((r.without * scale).Round(100 * time.Millisecond))},
			{fmt.Sprintf("%v budget", overall), ms(r.with), fmt.Sprint((r.with * scale).Round(100 * time.Millisecond))},
		})
	return r
}
