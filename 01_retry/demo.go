package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"reliability/01_retry/retry"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// The flaky service's latency: every call takes serviceLatency plus a
// seeded random extra below serviceJitter, so at most maxLatency.
const (
	serviceLatency = 2 * time.Millisecond
	serviceJitter  = 3 * time.Millisecond
	maxLatency     = serviceLatency + serviceJitter
)

// doFunc is the shape shared by retry.Do and its library twin.
type doFunc func(context.Context, retry.Policy, func(context.Context) error) error

// phaseResult sums up one phase for the closing summary.
type phaseResult struct {
	ok, calls int
	waited    time.Duration
	schedule  []string // one line per attempt: request, attempt, result, wait
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
			Latency: serviceLatency, LatencyJitter: serviceJitter,
		})
	}
	policy := func(j retry.Jitter) retry.Policy { return demoPolicy(o, j) }

	n.Phase("No retries", fmt.Sprintf(
		"The dependency is warming up: its first 2 calls fail, and after that %.4g%% of calls fail at random (seed %d). "+
			"We send %s and give up on the first error.", o.failRate*100, o.seed, plural(o.requests, "request")))
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
	n.Printf("\n→ %d of %s failed, though every failure was transient.", failedPlain, plural(o.requests, "request"))

	n.Phase("Retry with exponential backoff, no jitter", fmt.Sprintf(
		"Each request may take %d attempts. The waits start at %v and double, up to %v: %s. "+
			"Every client that failed at the same moment waits exactly as long as this one.",
		o.attempts, o.base, o.cap, waits(policy(retry.NoJitter))))
	noJitter := timeline(ctx, n, retry.Do, policy(retry.NoJitter), newService(), o.requests)

	n.Phase("Retry with full jitter",
		"Same service, same seed. Each wait is now random in [0, capped delay]: "+
			"on average half as long, and different for every client.")
	fullJitter := timeline(ctx, n, retry.Do, policy(retry.FullJitter), newService(), o.requests)

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
		"Without jitter the two should follow the same schedule, call for call; the last line compares them with phase 2. "+
		"(With jitter they differ: the library spreads each wait ±50% around the exponential value instead of drawing from [0, capped].)")
	library := timeline(ctx, n, retry.DoBackoff, policy(retry.NoJitter), newService(), o.requests)
	same := slices.Equal(library.schedule, noJitter.schedule)
	if same {
		n.Printf("→ the same attempts, results and waits as phase 2, call for call.")
	} else {
		n.Printf("→ NOT the same schedule as phase 2: compare the two tables.")
	}

	phase := func(r phaseResult) string {
		return fmt.Sprintf("%d of %d ok, %s, %v waited", r.ok, o.requests, plural(r.calls, "call"), r.waited)
	}
	n.Summary([][2]string{
		{"no retries", fmt.Sprintf("%d of %d ok, %s", o.requests-failedPlain, o.requests, plural(o.requests, "call"))},
		{"backoff, no jitter", phase(noJitter)},
		{"backoff, full jitter", phase(fullJitter)},
		{"library, no jitter", phase(library)},
		{"calls saved by retry.Permanent", fmt.Sprintf("%d (%s instead of %d)", unmarked-marked, plural(marked, "call"), unmarked)},
		{"library matched hand-rolled", yesNo(same)},
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
			rows[len(rows)-1][4] = round(d).String()
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
	for _, r := range rows {
		// Everything but the clock reading: that is what a replay repeats.
		res.schedule = append(res.schedule, strings.Join([]string{r[0], r[1], r[3], r[4]}, " "))
	}
	res.calls = svc.Stats().Calls
	res.waited = round(res.waited)
	n.Table([]string{"request", "attempt", "at", "result", "then wait"}, rows)
	n.Printf("\n→ %d of %d requests succeeded, %d calls, %v spent waiting.", res.ok, requests, res.calls, res.waited)
	return res
}

// herdClients is how many clients fail together in phase 4.
const herdClients = 20

// herd is phase 4: when the retries of herdClients clients that failed at
// the same instant would start under each policy, in time slots after the
// failure, one bar character per retry in the slot.
func herd(n *narrate.Narrator, plain, jittered retry.Policy, attempts int) {
	a, b := herdRetries(plain, attempts), herdRetries(jittered, attempts)
	slot := slotFor(max(slices.Max(a), slices.Max(b)))

	n.Phase("Why jitter: twenty clients that failed at the same instant", fmt.Sprintf(
		"When a dependency hiccups, many clients fail together. Below: when %d such clients send "+
			"their retries, in %v slots after the shared failure, under the two policies above. "+
			"Without jitter they all come back in lock-step, re-creating the spike that caused the failure.",
		herdClients, slot))
	ca, cb := histogram(a, slot), histogram(b, slot)
	for len(ca) < len(cb) {
		ca = append(ca, 0)
	}
	for len(cb) < len(ca) {
		cb = append(cb, 0)
	}
	// One block per retry, or, when a slot holds more than herdClients,
	// blocks scaled so that the fullest slot is herdClients wide.
	fullest := max(herdClients, slices.Max(ca), slices.Max(cb))
	bar := func(c int) string {
		if c == 0 {
			return ""
		}
		return fmt.Sprintf("%s %d", strings.Repeat("█", (c*herdClients+fullest-1)/fullest), c)
	}
	var rows [][]string
	for i := range ca {
		rows = append(rows, []string{slotLabel(i, slot), bar(ca[i]), bar(cb[i])})
	}
	n.Table([]string{"retries sent at", "no jitter", "full jitter"}, rows)
	// The caption reads the bars first, in the chart's own unit, and only
	// then looks inside a slot, saying so: a slot can hold 20 retries spread
	// over 10ms or 20 sent in the same instant, and the chart cannot tell.
	n.Printf("\n→ busiest %v slot: %d retries without jitter, %d with full jitter.",
		slot, slices.Max(ca), slices.Max(cb))
	n.Printf("→ busiest single millisecond: %d without jitter, %d with full jitter.",
		busiest(a), busiest(b))
	if at := sameInstant(a); at > 1 && at == busiest(a) {
		n.Printf("  Without jitter those %d come at the very same instant.", at)
	}
}

// demoPolicy is the retry policy the demo's phases use, with jitter j.
// Each call gets a fresh jitter source seeded from -seed, so the run,
// and the figure drawn from it, replay exactly.
func demoPolicy(o options, j retry.Jitter) retry.Policy {
	rng := rand.New(rand.NewPCG(o.seed, 7))
	return retry.Policy{MaxAttempts: o.attempts, InitialDelay: o.base, MaxDelay: o.cap, Multiplier: 2, Jitter: j, Rand: rng.Int64N}
}

// herdRetries returns, for each of herdClients clients that failed at the
// same instant, when each of its retries under p starts, measured from
// the shared failure.
func herdRetries(p retry.Policy, attempts int) []time.Duration {
	var times []time.Duration
	for range herdClients {
		var at, prev time.Duration
		for k := 1; k < attempts; k++ {
			prev = p.Delay(k, prev, p.Rand)
			at += prev
			times = append(times, at)
		}
	}
	return times
}

// sameInstant returns the most times that are exactly equal.
func sameInstant(times []time.Duration) int {
	count := map[time.Duration]int{}
	peak := 0
	for _, at := range times {
		count[at]++
		peak = max(peak, count[at])
	}
	return peak
}

// slotFor picks the width of the histogram's time slots: the smallest of
// 1, 2, 5, 10, 20, 50… milliseconds that shows span in at most 16 rows,
// so the chart fits a screen whatever -base, -cap and -attempts are.
func slotFor(span time.Duration) time.Duration {
	for slot := time.Millisecond; ; slot *= 10 {
		for _, m := range []time.Duration{1, 2, 5} {
			if span/(m*slot) < 16 {
				return m * slot
			}
		}
	}
}

// histogram counts the times that fall in each slot.
func histogram(times []time.Duration, slot time.Duration) []int {
	var counts []int
	for _, at := range times {
		i := int(at / slot)
		for len(counts) <= i {
			counts = append(counts, 0)
		}
		counts[i]++
	}
	return counts
}

// busiest returns the most times that fall in the same millisecond: that
// is the collision the dependency feels.
func busiest(times []time.Duration) int {
	perMS := map[time.Duration]int{}
	peak := 0
	for _, at := range times {
		perMS[at/time.Millisecond]++
		peak = max(peak, perMS[at/time.Millisecond])
	}
	return peak
}

// slotLabel names slot i, e.g. "20–30ms" or "1.5–2s".
func slotLabel(i int, slot time.Duration) string {
	from, to := time.Duration(i)*slot, time.Duration(i+1)*slot
	if slot >= time.Second {
		return fmt.Sprintf("%g–%gs", from.Seconds(), to.Seconds())
	}
	return fmt.Sprintf("%d–%dms", from/time.Millisecond, to/time.Millisecond)
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

// round shortens a wait for display to a tenth of a millisecond, but
// never rounds a wait that short to zero: 1ns is shown as 1ns.
func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d
	}
	return d.Round(100 * time.Microsecond)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
