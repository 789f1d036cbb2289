package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable writes rs to w as two aligned tables, total calls and then
// completion time, with one row per client count and one column per
// strategy, in the order they first appear in rs, each named on two lines
// ("full-" over "jitter"). A pair missing from rs
// shows as "-". It writes nothing for an empty rs and returns the first
// error from w.
func WriteTable(w io.Writer, rs []Result) error {
	if len(rs) == 0 {
		return nil
	}
	clients, strategies := axes(rs)
	cell := make(map[[2]string]Result, len(rs))
	for _, r := range rs {
		cell[[2]string{strconv.Itoa(r.Clients), r.Strategy}] = r
	}

	sections := []struct {
		title  string
		format func(Result) string
	}{
		{"Total calls (writes the server received, all clients together)", func(r Result) string { return thousands(r.Calls) }},
		{"Completion time (until the last client's write succeeded)", func(r Result) string { return formatDuration(r.Completion()) }},
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for i, sec := range sections {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		// A line without tabs is not part of any column, so the title does
		// not widen the first column.
		fmt.Fprintln(tw, sec.title)
		// Each strategy's name on two lines, split at its last hyphen,
		// keeps the table inside 80 columns.
		fmt.Fprint(tw, "\t")
		for _, s := range strategies {
			fmt.Fprint(tw, headerLines(s)[0], "\t")
		}
		fmt.Fprint(tw, "\nclients\t")
		for _, s := range strategies {
			fmt.Fprint(tw, headerLines(s)[1], "\t")
		}
		fmt.Fprintln(tw)
		for _, n := range clients {
			fmt.Fprint(tw, n, "\t")
			for _, s := range strategies {
				v := "-"
				if r, ok := cell[[2]string{strconv.Itoa(n), s}]; ok {
					v = sec.format(r)
				}
				fmt.Fprint(tw, v, "\t")
			}
			fmt.Fprintln(tw)
		}
	}
	// tabwriter buffers everything until Flush and reports the first write
	// error there, so the Fprint calls above need no checks of their own.
	return tw.Flush()
}

// headerLines splits a strategy name at its last hyphen into the two lines
// of a column header: "full-jitter" is "full" over "jitter"; a name without
// a hyphen goes on the second line.
func headerLines(name string) [2]string {
	if i := strings.LastIndex(name, "-"); i >= 0 {
		return [2]string{name[:i+1], name[i+1:]}
	}
	return [2]string{"", name}
}

// WriteJSON writes rs to w as one indented JSON array of objects with the
// keys strategy, clients, calls and completion_ms, followed by a newline.
// An empty rs is written as []. It returns the first error from w.
func WriteJSON(w io.Writer, rs []Result) error {
	if rs == nil {
		rs = []Result{} // so that no results encode as [] rather than null
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}

// axes returns the distinct client counts in increasing order and the
// distinct strategy names in the order they first appear in rs.
func axes(rs []Result) (clients []int, strategies []string) {
	for _, r := range rs {
		if !slices.Contains(clients, r.Clients) {
			clients = append(clients, r.Clients)
		}
		if !slices.Contains(strategies, r.Strategy) {
			strategies = append(strategies, r.Strategy)
		}
	}
	slices.Sort(clients)
	return clients, strategies
}

// thousands formats n with commas between groups of three digits, because
// 1855 and 18550 look alike at a glance in a column and 1,855 and 18,550
// do not.
func thousands(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, digit := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(digit)
	}
	return sign + b.String()
}

// formatDuration prints d in seconds from one second up and in
// milliseconds below, with one decimal: enough to compare strategies, and
// short enough for a table column.
func formatDuration(d time.Duration) string {
	if d >= time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}
