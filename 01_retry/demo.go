package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"reliability/01_retry/retry"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// doFunc is the shape shared by retry.Do and its library twin.
type doFunc func(context.Context, retry.Policy, func(context.Context) error) error

// phaseResult sums up one phase for the closing summary.
type phaseResult struct {
	ok, calls int
	waited    time.Duration
}

func runDemo(w io.Writer, o options) error {
	n := narrate.New(w, o.step)
	// No overall deadline: with -step the demo waits for Enter as long as
	// the instructor talks, and every retry loop is bounded by -attempts.
	ctx := context.Background()

	newService := func() *flaky.Service {
		// The same seed gives every phase the same sequence of outcomes,
		// so the phases differ only in how they retry.
		return flaky.MustNew(flaky.Config{
			Seed: o.seed, FailFirst: 2, FailureRate: o.failRate,
			Latency: 2 * time.Millisecond, LatencyJitter: 3 * time.Millisecond,
		})
	}
	policy := func(j retry.Jitter) retry.Policy {
		// A seeded jitter source makes the run replayable with -seed.
		rng := rand.New(rand.NewPCG(o.seed, 7))
		return retry.Policy{MaxAttempts: o.attempts, InitialDelay: o.base, MaxDelay: o.cap, Multiplier: 2, Jitter: j, Rand: rng.Int64N}
	}

	n.Phase("No retries", fmt.Sprintf(
		"The dependency is warming up: its first 2 calls fail, and after that %.0f%% of calls fail at random (seed %d). "+
			"We send %d requests and give up on the first error.", o.failRate*100, o.seed, o.requests))
	svc := newService()
	var rows [][]string
	failedPlain := 0
	for i := 1; i <= o.requests; i++ {
		err := svc.Call(ctx)
		if err != nil {
			failedPlain++
		}
		rows = append(rows, []string{fmt.Sprint(i), outcome(err)})
	}
	n.Table([]string{"request", "result"}, rows)
	n.Printf("\n→ %d of %d requests failed, though every failure was transient.", failedPlain, o.requests)

	n.Phase("Retry with exponential backoff, no jitter", fmt.Sprintf(
		"Each request may take %d attempts. The waits double from %v up to %v: %s. "+
			"Every client that failed at the same moment waits exactly as long as this one.",
		o.attempts, o.base, o.cap, waits(policy(retry.NoJitter))))
	noJitter := timeline(ctx, n, retry.Do, policy(retry.NoJitter), newService(), o.requests)

	n.Phase("Retry with full jitter",
		"Same service, same seed. Each wait is now random in [0, capped delay]: "+
			"on average half as long, and different for every client.")
	fullJitter := timeline(ctx, n, retry.Do, policy(retry.FullJitter), newService(), o.requests)

	n.Phase("Why jitter: twenty clients that failed at the same instant",
		"When a dependency hiccups, many clients fail together. Below: when 20 such clients send "+
			"their retries, in 10ms slots after the shared failure, under the two policies above. "+
			"Without jitter they all come back in lock-step, re-creating the spike that caused the failure.")
	herd(n, policy(retry.NoJitter), policy(retry.FullJitter), o.attempts)

	n.Phase("A permanent error is not retried", "A request the dependency can never accept (think: 400 Bad Request). "+
		"Retrying it only repeats the failure. The operation marks it with retry.Permanent, and Do stops at once.")
	permanentCalls := func(mark bool) int {
		svc := flaky.MustNew(flaky.Config{Seed: o.seed, FailFirst: 1 << 30, Permanent: true})
		_ = retry.Do(ctx, policy(retry.NoJitter), func(ctx context.Context) error {
			err := svc.Call(ctx)
			if mark && errors.Is(err, flaky.ErrPermanent) {
				return retry.Permanent(err)
			}
			return err
		})
		return svc.Stats().Calls
	}
	unmarked, marked := permanentCalls(false), permanentCalls(true)
	n.Table([]string{"operation", "calls to the dependency"}, [][]string{
		{"returns the error as is", fmt.Sprint(unmarked)},
		{"marks it retry.Permanent", fmt.Sprint(marked)},
	})

	n.Phase("The library twin: github.com/cenkalti/backoff/v5", "retry.DoBackoff runs the same Policy through backoff.Retry. "+
		"Without jitter the two follow the same schedule, call for call. (With jitter they differ: the library "+
		"spreads each wait ±50% around the exponential value instead of drawing from [0, capped].)")
	library := timeline(ctx, n, retry.DoBackoff, policy(retry.NoJitter), newService(), o.requests)
	same := "yes"
	if library != noJitter {
		same = "no"
	}

	n.Summary([][2]string{
		{"requests per phase", fmt.Sprint(o.requests)},
		{"succeeded without retries", fmt.Sprintf("%d of %d", o.requests-failedPlain, o.requests)},
		{"succeeded with retries", fmt.Sprintf("%d (no jitter), %d (full jitter), %d (library)", noJitter.ok, fullJitter.ok, library.ok)},
		{"calls to the dependency", fmt.Sprintf("%d (no jitter), %d (full jitter), %d (library)", noJitter.calls, fullJitter.calls, library.calls)},
		{"time spent waiting", fmt.Sprintf("%v (no jitter), %v (full jitter), %v (library)", noJitter.waited, fullJitter.waited, library.waited)},
		{"calls saved by retry.Permanent", fmt.Sprintf("%d (%s instead of %d)", unmarked-marked, plural(marked, "call"), unmarked)},
		{"library matched hand-rolled", same},
	})
	return nil
}

// timeline sends requests through do and prints every attempt: when it
// started, what it returned, and how long the loop waits before the next.
func timeline(ctx context.Context, n *narrate.Narrator, do doFunc, p retry.Policy, svc *flaky.Service, requests int) phaseResult {
	var (
		res   phaseResult
		rows  [][]string
		start = time.Now()
	)
	for i := 1; i <= requests; i++ {
		attempt := 0
		// OnRetry always follows a failed attempt, so rows is not empty.
		p.OnRetry = func(_ int, _ error, d time.Duration) {
			rows[len(rows)-1][4] = d.Round(100 * time.Microsecond).String()
			res.waited += d
		}
		err := do(ctx, p, func(ctx context.Context) error {
			attempt++
			at := time.Since(start)
			err := svc.Call(ctx)
			rows = append(rows, []string{fmt.Sprint(i), fmt.Sprint(attempt), fmt.Sprintf("%6.1fms", ms(at)), outcome(err), ""})
			return err
		})
		switch {
		case err == nil:
			res.ok++
		case attempt > 0:
			rows[len(rows)-1][4] = "gave up"
		default:
			rows = append(rows, []string{fmt.Sprint(i), "-", "-", "not attempted: " + err.Error(), ""})
		}
	}
	res.calls = svc.Stats().Calls
	res.waited = res.waited.Round(100 * time.Microsecond)
	n.Table([]string{"request", "attempt", "at", "result", "then wait"}, rows)
	n.Printf("\n→ %d of %d requests succeeded, %d calls, %v spent waiting.", res.ok, requests, res.calls, res.waited)
	return res
}

// herd shows when the retries of many clients that failed at the same
// instant would start under each policy: one row per 10ms slot, one bar
// character per retry sent in that slot.
func herd(n *narrate.Narrator, plain, jittered retry.Policy, attempts int) {
	const clients, slot = 20, 10 * time.Millisecond
	// histogram counts retries per 10ms slot, for the chart, and reports
	// the most retries that land in the same millisecond: that is the
	// collision the dependency feels.
	histogram := func(p retry.Policy) (counts []int, peak int) {
		perMS := map[time.Duration]int{}
		for range clients {
			var at, prev time.Duration
			for k := 1; k < attempts; k++ {
				prev = p.Delay(k, prev, p.Rand)
				at += prev
				i := int(at / slot)
				for len(counts) <= i {
					counts = append(counts, 0)
				}
				counts[i]++
				perMS[at/time.Millisecond]++
				peak = max(peak, perMS[at/time.Millisecond])
			}
		}
		return counts, peak
	}
	a, peakPlain := histogram(plain)
	b, peakJitter := histogram(jittered)
	for len(a) < len(b) {
		a = append(a, 0)
	}
	for len(b) < len(a) {
		b = append(b, 0)
	}
	bar := func(c int) string {
		if c == 0 {
			return ""
		}
		return fmt.Sprintf("%s %d", strings.Repeat("█", c), c)
	}
	var rows [][]string
	for i := range a {
		rows = append(rows, []string{fmt.Sprintf("%3d–%dms", i*10, (i+1)*10), bar(a[i]), bar(b[i])})
	}
	n.Table([]string{"retries sent at", "no jitter", "full jitter"}, rows)
	n.Printf("\n→ most retries arriving in the same millisecond: %d without jitter, %d with full jitter.", peakPlain, peakJitter)
}

// waits lists the capped delays of p, e.g. "20ms, 40ms, 80ms".
func waits(p retry.Policy) string {
	var parts []string
	for k := 1; k < p.MaxAttempts; k++ {
		parts = append(parts, p.Capped(k).String())
	}
	if len(parts) == 0 {
		return "no waits (one attempt only)"
	}
	return strings.Join(parts, ", ")
}

func outcome(err error) string {
	var fe *flaky.Error
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &fe):
		kind := "transient"
		if errors.Is(err, flaky.ErrPermanent) {
			kind = "permanent"
		}
		return fmt.Sprintf("FAIL %s (%s)", kind, fe.Reason)
	default:
		return "FAIL " + err.Error()
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
