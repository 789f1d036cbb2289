package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// summary is one caller's row of the table, and its JSON object: the JSON
// field names are the table's column names.
type summary struct {
	Run      string  `json:"run"`
	Success  float64 `json:"success"`    // percent of requests that succeeded
	Calls    int     `json:"calls"`      // calls that reached the service
	Outage   int     `json:"outage"`     // of those, calls during the outage
	P50      float64 `json:"p50_ms"`     // median latency of a request
	P99      float64 `json:"p99_ms"`     // 99th percentile latency
	FailFast int     `json:"fast"`       // requests failed fast, without a call
	Recover  float64 `json:"recover_ms"` // first success after the outage; -1: none
	Peak     int     `json:"peak"`       // most calls at the service at once
}

// columns are the table's headers, the JSON field names.
var columns = []string{"run", "success", "calls", "outage", "p50_ms", "p99_ms", "fast", "recover_ms", "peak"}

func (s scenario) summarize(c *caller) summary {
	sum := summary{Run: c.name, Peak: c.peak, Recover: -1}
	var latencies []time.Duration
	ok := 0
	for i, r := range c.results {
		sum.Calls += r.calls
		if s.inOutage(i) {
			sum.Outage += r.calls
		}
		switch r.outcome {
		case succeeded:
			ok++
			if i >= s.firstAfter() && sum.Recover < 0 {
				sum.Recover = float64(time.Duration(i-s.firstAfter())*beat) / float64(time.Millisecond)
			}
		case fastFail:
			sum.FailFast++
		}
		latencies = append(latencies, r.latency)
	}
	sum.Success = round1(100 * float64(ok) / float64(len(c.results)))
	slices.Sort(latencies)
	sum.P50 = ms(percentile(latencies, 50))
	sum.P99 = ms(percentile(latencies, 99))
	return sum
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(float64(p) / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// ms converts d to milliseconds, rounded to one decimal: finer digits are
// the machine's noise, not the run's.
func ms(d time.Duration) float64 { return round1(float64(d) / float64(time.Millisecond)) }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func (s summary) row() []string {
	recover := "never"
	if s.Recover >= 0 {
		recover = fmt.Sprint(s.Recover)
	}
	return []string{s.Run, fmt.Sprintf("%.1f%%", s.Success), fmt.Sprint(s.Calls), fmt.Sprint(s.Outage),
		fmt.Sprint(s.P50), fmt.Sprint(s.P99), fmt.Sprint(s.FailFast), recover, fmt.Sprint(s.Peak)}
}

// writeJSON prints the summaries as one JSON array, indented so that every
// line fits the terminal like the rest of the demo.
func writeJSON(w io.Writer, sums []summary) error {
	b, err := json.MarshalIndent(sums, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// labelWidth is the width of a timeline row's label.
const labelWidth = 15

// timeline draws one row per caller, one column per request, with cell
// choosing the character; above them a time axis and the outage.
func (s scenario) timeline(callers []*caller, cell func(r result) byte) []string {
	n := s.requests()
	perSecond := int(time.Second / beat)
	axis := fmt.Sprintf("%-*s", labelWidth, "time")
	ticks := strings.Repeat(" ", labelWidth)
	for i := 0; i < n; i += perSecond {
		axis += fmt.Sprintf("%-*s", perSecond, fmt.Sprint(time.Duration(i)*beat))
		ticks += "|" + strings.Repeat(" ", min(perSecond, n-i)-1)
	}
	out := []string{strings.TrimRight(axis, " "), strings.TrimRight(ticks, " ")}
	outage := fmt.Sprintf("%-*s", labelWidth, "outage")
	for i := range n {
		if s.inOutage(i) {
			outage += "#"
		} else {
			outage += " "
		}
	}
	out = append(out, strings.TrimRight(outage, " "))
	for _, c := range callers {
		row := []byte(fmt.Sprintf("%-*s", labelWidth, c.name))
		for _, r := range c.results {
			row = append(row, cell(r))
		}
		out = append(out, string(row))
	}
	return out
}

func outcomeCell(r result) byte { return byte(r.outcome) }

// callsCell shows how many calls a request made, 0 to 9 (more shows as +).
func callsCell(r result) byte {
	if r.calls > 9 {
		return '+'
	}
	return byte('0' + r.calls)
}
