package sim

import (
	"fmt"
	"io"
	"strings"
)

// ChartWidth is the length, in terminal cells, of the longest bar that
// WriteChart draws.
const ChartWidth = 40

// WriteChart writes two horizontal bar charts to w for the largest client
// count in rs, where the strategies differ most: total calls and
// completion time, one bar per strategy in the order they appear in rs.
// Bars are scaled to the largest value in their chart, which is what makes
// the cost of exponential backoff without jitter visible at a glance. It
// writes nothing for an empty rs and returns the first error from w.
func WriteChart(w io.Writer, rs []Result) error {
	if len(rs) == 0 {
		return nil
	}
	clients, _ := axes(rs)
	n := clients[len(clients)-1]
	var at []Result
	for _, r := range rs {
		if r.Clients == n {
			at = append(at, r)
		}
	}

	label := 0
	for _, r := range at {
		label = max(label, len(r.Strategy))
	}
	charts := []struct {
		title string
		value func(Result) float64
		text  func(Result) string
	}{
		{
			fmt.Sprintf("Total calls at %d clients (fewer is better)", n),
			func(r Result) float64 { return float64(r.Calls) },
			func(r Result) string { return thousands(r.Calls) },
		},
		{
			fmt.Sprintf("Completion time at %d clients (sooner is better)", n),
			func(r Result) float64 { return r.CompletionMS },
			func(r Result) string { return formatDuration(r.Completion()) },
		},
	}
	var b strings.Builder
	for i, c := range charts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(c.title + "\n")
		largest := 0.0
		for _, r := range at {
			largest = max(largest, c.value(r))
		}
		for _, r := range at {
			fmt.Fprintf(&b, "  %-*s  %s %s\n", label, r.Strategy, bar(c.value(r), largest, ChartWidth), c.text(r))
		}
	}
	// Building the text first means one write, so one error check.
	_, err := io.WriteString(w, b.String())
	return err
}

// eighths are the Unicode blocks one to eight eighths of a cell wide. They
// give a bar eight times the resolution of whole characters, so two close
// values still get visibly different bars.
var eighths = []rune("▏▎▍▌▋▊▉█")

// bar returns a bar of length width·v/largest cells, padded with spaces to
// width so the labels after it line up. A positive value too small to see
// still gets the thinnest block, so no strategy looks like it cost nothing.
func bar(v, largest float64, width int) string {
	units := 0
	if largest > 0 && v > 0 {
		units = max(1, int(v/largest*float64(width*8)+0.5))
	}
	full, part := units/8, units%8
	var b strings.Builder
	b.WriteString(strings.Repeat("█", full))
	cells := full
	if part > 0 {
		b.WriteRune(eighths[part-1])
		cells++
	}
	b.WriteString(strings.Repeat(" ", width-cells))
	return b.String()
}
