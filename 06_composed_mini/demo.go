package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky/narrate"
)

// demo runs the scenario and narrates it. It returns how late the run's
// latest timer fired, which says whether its counts can be trusted.
func (s scenario) demo(n *narrate.Narrator, callers []*caller) (late time.Duration) {
	end := healthyBefore + s.outage
	total := time.Duration(s.requests()) * beat

	n.Phase("six callers, one schedule", fmt.Sprintf(
		"Every %v for %v, six callers each send one request to their own copy of a "+
			"service. It answers in %v, but %.0f%% of calls land on a sick replica, which "+
			"hangs for %v and then fails; from %v to %v the service is down: every call "+
			"hangs and fails. The callers:",
		beat, total, latency, 100*sickRate, hang, healthyBefore, end))
	for _, c := range callers {
		n.Printf("  %-*s%s", labelWidth, c.name, c.about)
	}
	worst := timeout.WorstCase(attempts, attemptTimeout, initialDelay, 2*initialDelay)
	n.Printf("\nA request through the chain takes at most %d x %v + %v + %v = %v,\n"+
		"within its %v deadline. Running the %v schedule...",
		attempts, attemptTimeout, initialDelay, 2*initialDelay, worst, deadline, total)
	late = s.run(callers)
	n.Printf("")
	for _, line := range s.timeline(callers, outcomeCell) {
		n.Printf("  %s", line)
	}
	n.Printf("  . success   x failed   - failed fast: refused without a call")

	// Every phase below only reports on the run above. Each one announces
	// itself before it reads a result, so that in step mode the class sees
	// the question before the answer.
	n.Phase("the load on the service", "Calls that reached the service, per request. "+
		"During the outage, retry and retry+timeout send every request three times: "+
		"retries multiply the load on a service that is already down. The breaker "+
		"stops that after three failures and lets a trial call through now and then.")
	sums := make(map[string]summary, len(callers))
	rows := make([][]string, len(callers))
	for i, c := range callers {
		sums[c.name] = s.summarize(c)
		rows[i] = sums[c.name].row()
	}
	retrying, chain, lib, bh := sums["retry"], sums["chain"], sums["failsafe-go"], sums["bulkhead"]
	outageRequests := s.outageRequests()
	for _, line := range s.timeline(callers, callsCell) {
		n.Printf("  %s", line)
	}
	n.Printf("\n  %d requests in the outage: retry sent %d calls (%.1f per request),\n"+
		"  the chain %d and failsafe-go %d: %s and %s fewer.",
		outageRequests, retrying.Outage, float64(retrying.Outage)/float64(outageRequests),
		chain.Outage, lib.Outage, cut(retrying.Outage, chain.Outage), cut(retrying.Outage, lib.Outage))

	n.Phase("the breaker's timeline", fmt.Sprintf(
		"Each transition of the two breakers, logged with slog as it happened: the time "+
			"since the start and the request that caused it. Both open after %d failed "+
			"attempts in a row, stay open %v, then admit %d trial calls; a failed trial "+
			"opens them again, %d good ones close them.", tripAfter, openFor, trials, trials))
	hand, twin := callers[3], callers[4]
	for _, c := range []*caller{hand, twin} {
		n.Printf("%s", strings.TrimRight(c.log.String(), "\n"))
	}
	same := slices.Equal(hand.changes, twin.changes)
	if !same {
		n.Printf("\nThe two breakers' transitions differ:\n  chain:       %s\n  failsafe-go: %s",
			strings.Join(hand.changes, "; "), strings.Join(twin.changes, "; "))
	}

	n.Phase("a bulkhead", fmt.Sprintf("Without a timeout, a request to the down "+
		"service waits out %d hangs in a row, and the requests pile up: every call "+
		"hanging on the service is a goroutine, a connection, some memory. The bulkhead "+
		"caller lets at most %d requests in flight (lesson 04's bulkhead, outside the "+
		"retries) and refuses the rest at once. A bulkhead caps what a slow dependency "+
		"can hold; it does not notice that the dependency is down, which is the "+
		"breaker's job.", attempts, bulkheadSlots))
	n.Printf("  The retry caller had %d calls hanging on the service at the peak.\n"+
		"  Behind the bulkhead the peak was %d; %d requests were refused at once,\n"+
		"  and the down service got %d calls instead of %d.",
		retrying.Peak, bh.Peak, bh.FailFast, bh.Outage, retrying.Outage)

	n.Phase("side by side", "success: requests that succeeded. calls: calls that reached the "+
		"service; outage: those made during the outage. p50_ms, p99_ms: request latency. "+
		"fast: requests refused at once, without a call. recover_ms: from the end of the "+
		"outage to the first success. peak: most calls at the service at once.")
	n.Table(columns, rows)
	if late > lateWarning {
		n.Printf("\n%s", busy(late, s.seed))
	}

	n.Summary([][2]string{
		{"requests per caller", fmt.Sprintf("%d, outage %v to %v", s.requests(), healthyBefore, end)},
		{"outage calls, retry -> chain", fmt.Sprintf("%d -> %d (%s fewer)", retrying.Outage, chain.Outage,
			cut(retrying.Outage, chain.Outage))},
		{"p99 latency, retry -> chain", fmt.Sprintf("%vms -> %vms", retrying.P99, chain.P99)},
		{"chain: failed fast", fmt.Sprintf("%d requests", chain.FailFast)},
		{"chain: time to recover", recovery(chain)},
		{"peak calls, retry -> bulkhead", fmt.Sprintf("%d -> %d at once", retrying.Peak, bh.Peak)},
		{"chain = failsafe-go", yesNo(same && chain.Calls == lib.Calls && chain.Outage == lib.Outage &&
			chain.FailFast == lib.FailFast)},
		{"success, bare -> chain", fmt.Sprintf("%.1f%% -> %.1f%%", sums["bare"].Success, chain.Success)},
	})
	// The success row needs its reason beside it: during the outage nobody
	// succeeds, so the two rates differ only by what the chain adds and
	// what it takes away, which may cancel out.
	won, lost := successDiff(callers[0], hand)
	n.Printf("  (the chain's retries won back %d requests; its open breaker refused %d)", won, lost)
	return late
}

// successDiff compares the chain with the bare caller request by request:
// won is how many the chain's retries turned into successes, lost how many
// that succeeded when called directly the chain's breaker refused. The
// same request meets the same replica on its first attempt in both, so a
// request the chain lost was refused, never called.
func successDiff(bare, chain *caller) (won, lost int) {
	for i, b := range bare.results {
		switch c := chain.results[i]; {
		case c.outcome == succeeded && b.outcome != succeeded:
			won++
		case c.outcome != succeeded && b.outcome == succeeded:
			lost++
		}
	}
	return won, lost
}

// cut says how much smaller now is than before, in percent.
func cut(before, now int) string {
	if before == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(before-now)/float64(before))
}

func recovery(s summary) string {
	if s.Recover < 0 {
		return "not within the run"
	}
	return fmt.Sprintf("%vms after the outage ended", s.Recover)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// busy is the warning for a run in which a timer fired late by more than
// the demo's margins allow.
func busy(late time.Duration, seed uint64) string {
	return fmt.Sprintf("This machine is busy: a timer fired %v late, more than\n"+
		"the %v the demo's margins allow, so counts can differ from a\n"+
		"quieter run with -seed %d.", late.Round(time.Millisecond), lateWarning, seed)
}
