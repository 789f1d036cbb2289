package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// pathStats sums up one dependency's requests in one run.
type pathStats struct {
	calls, ok int
	p50, p99  time.Duration
}

// successRate is ok/calls as a percentage.
func (p pathStats) successRate() float64 {
	if p.calls == 0 {
		return 0
	}
	return 100 * float64(p.ok) / float64(p.calls)
}

// path sums up the requests for dep that arrived in [from, until).
func (r runResult) path(dep dependency, from, until time.Duration) pathStats {
	var p pathStats
	var latencies []time.Duration
	for _, req := range r.requests {
		if req.dep != dep || req.at < from || req.at >= until {
			continue
		}
		p.calls++
		if req.outcome == succeeded {
			p.ok++
		}
		latencies = append(latencies, req.latency)
	}
	slices.Sort(latencies)
	p.p50, p.p99 = percentile(latencies, 50), percentile(latencies, 99)
	return p
}

// failedBetween returns how many requests for dep that arrived in
// [from, until) were let through to the dependency and failed there.
func (r runResult) failedBetween(dep dependency, from, until time.Duration) int {
	n := 0
	for _, req := range r.requests {
		if req.dep == dep && req.outcome == failed && req.at >= from && req.at < until {
			n++
		}
	}
	return n
}

// count returns how many requests for dep ended with o.
func (r runResult) count(dep dependency, o outcome) int {
	n := 0
	for _, req := range r.requests {
		if req.dep == dep && req.outcome == o {
			n++
		}
	}
	return n
}

// percentile returns the nearest-rank percentile of sorted durations: the
// smallest value that at least pct% of them do not exceed.
func percentile(sorted []time.Duration, pct int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (pct*len(sorted) + 99) / 100 // ceil(pct/100 * n)
	return sorted[max(rank, 1)-1]
}

// slotBar draws slots as one character each: A or B for a slot taken by a
// call to that dependency, '.' for a free one.
func slotBar(inA, inB, slots int) string {
	free := max(slots-inA-inB, 0)
	return "[" + strings.Repeat("A", inA) + strings.Repeat("B", inB) + strings.Repeat(".", free) + "]"
}

// ms formats d in milliseconds with one decimal: enough to tell a 2.5ms
// answer from a 3ms one, and short enough for the table.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// pct formats a percentage with one decimal.
func pct(v float64) string { return fmt.Sprintf("%.1f%%", v) }
