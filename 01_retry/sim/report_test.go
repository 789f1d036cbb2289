package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// articleAt100 holds the article's own numbers at 100 clients, so the
// report tests do not depend on the simulation.
var articleAt100 = []Result{
	{Strategy: "no-backoff", Clients: 100, Calls: 2421, CompletionMS: 2000},
	{Strategy: "exponential", Clients: 100, Calls: 1855, CompletionMS: 63000},
	{Strategy: "full-jitter", Clients: 100, Calls: 795, CompletionMS: 4900},
	{Strategy: "equal-jitter", Clients: 100, Calls: 813, CompletionMS: 6500},
	{Strategy: "decorrelated-jitter", Clients: 100, Calls: 1001, CompletionMS: 4600},
}

func TestWriteJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, articleAt100[:2]); err != nil {
		t.Fatalf("WriteJSON failed: %v", err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
		t.Fatalf("WriteJSON wrote something that is not a JSON array of objects: %v\n%s", err, buf.String())
	}
	want := []map[string]any{
		{"strategy": "no-backoff", "clients": 100.0, "calls": 2421.0, "completion_ms": 2000.0},
		{"strategy": "exponential", "clients": 100.0, "calls": 1855.0, "completion_ms": 63000.0},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("WriteJSON wrote rows %v, want exactly the keys strategy, clients, calls, completion_ms: %v", rows, want)
	}
	if !strings.HasSuffix(buf.String(), "]\n") {
		t.Errorf("WriteJSON output does not end with a newline after the array:\n%q", buf.String())
	}
}

func TestWriteJSONOfNoResultsIsAnEmptyArray(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil); err != nil {
		t.Fatalf("WriteJSON failed: %v", err)
	}
	if got := buf.String(); got != "[]\n" {
		t.Errorf("WriteJSON(nil) wrote %q, want %q so a consumer always gets an array", got, "[]\n")
	}
}

func TestWriteTable(t *testing.T) {
	rs := append([]Result{
		{Strategy: "no-backoff", Clients: 10, Calls: 49, CompletionMS: 369.6},
	}, articleAt100...)
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs); err != nil {
		t.Fatalf("WriteTable failed: %v", err)
	}
	got := buf.String()
	t.Log("\n" + got)

	lines := strings.Split(got, "\n")
	var tops, headers, rows10, rows100 []string
	for i, l := range lines {
		fields := strings.Fields(l)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "clients":
			tops = append(tops, lines[i-1])
			headers = append(headers, l)
		case "10":
			rows10 = append(rows10, l)
		case "100":
			rows100 = append(rows100, l)
		}
	}
	if len(headers) != 2 || len(rows10) != 2 || len(rows100) != 2 {
		t.Fatalf("want two tables (calls, completion time), each with a header and rows for 10 and 100 clients; got:\n%s", got)
	}
	wantTop := []string{"no-", "full-", "equal-", "decorrelated-"}
	wantHeader := []string{"clients", "backoff", "exponential", "jitter", "jitter", "jitter"}
	if h, top := strings.Fields(headers[0]), strings.Fields(tops[0]); !reflect.DeepEqual(h, wantHeader) || !reflect.DeepEqual(top, wantTop) {
		t.Errorf("header lines %q over %q, want the strategies in the order of the results, split at the last hyphen: %q over %q", top, h, wantTop, wantHeader)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("a line of %d columns does not fit 80:\n%s", n, l)
		}
	}
	if r := strings.Fields(rows100[0]); !reflect.DeepEqual(r, []string{"100", "2,421", "1,855", "795", "813", "1,001"}) {
		t.Errorf("calls row for 100 clients is %q, want the calls with thousands separators", r)
	}
	if r := rows100[1]; !strings.Contains(r, "63.0 s") || !strings.Contains(r, "4.9 s") {
		t.Errorf("time row for 100 clients is %q, want times in seconds such as 63.0 s and 4.9 s", r)
	}
	if r := strings.Fields(rows10[0]); !reflect.DeepEqual(r, []string{"10", "49", "-", "-", "-", "-"}) {
		t.Errorf("calls row for 10 clients is %q, want \"-\" for the strategies with no result", r)
	}
	if r := rows10[1]; !strings.Contains(r, "369.6 ms") {
		t.Errorf("time row for 10 clients is %q, want 369.6 ms", r)
	}
	// Right-aligned columns: every line of a table has the same width.
	if utf8.RuneCountInString(headers[0]) != utf8.RuneCountInString(rows100[0]) {
		t.Errorf("header and row widths differ, columns are not aligned:\n%s\n%s", headers[0], rows100[0])
	}
}

func TestWriteChartScalesBarsToTheLargestValue(t *testing.T) {
	rs := append([]Result{
		// A smaller client count must not appear: the chart shows the largest.
		{Strategy: "no-backoff", Clients: 10, Calls: 99999, CompletionMS: 99999},
	}, articleAt100...)
	var buf bytes.Buffer
	if err := WriteChart(&buf, rs); err != nil {
		t.Fatalf("WriteChart failed: %v", err)
	}
	got := buf.String()
	t.Log("\n" + got)
	if !strings.Contains(got, "Total calls at 100 clients") || !strings.Contains(got, "Completion time at 100 clients") {
		t.Fatalf("want a calls chart and a completion-time chart for 100 clients, got:\n%s", got)
	}
	if strings.Contains(got, "99,999") {
		t.Errorf("the chart shows the 10-client result; want only the largest client count:\n%s", got)
	}

	// barLength is the bar's length in eighths of a cell on the line for
	// strategy in the chart whose title starts with title.
	barLength := func(title, strategy string) int {
		t.Helper()
		chart := got[strings.Index(got, title):]
		for _, l := range strings.Split(chart, "\n") {
			fields := strings.Fields(l)
			if len(fields) > 0 && fields[0] == strategy {
				n := 0
				for _, r := range l {
					if r == '█' {
						n += 8
					} else if i := strings.IndexRune(string(eighths), r); i >= 0 {
						n += utf8.RuneCountInString(string(eighths)[:i]) + 1
					}
				}
				return n
			}
		}
		t.Fatalf("no bar for %s under %q in:\n%s", strategy, title, got)
		return 0
	}
	if n := barLength("Total calls", "no-backoff"); n != ChartWidth*8 {
		t.Errorf("the most calls (no-backoff) drew a bar of %d eighths, want the full width %d", n, ChartWidth*8)
	}
	// 795/2421 of 320 eighths is 105.08, which rounds to 105.
	if n := barLength("Total calls", "full-jitter"); n != 105 {
		t.Errorf("full jitter's calls bar is %d eighths long, want 105 (795/2421 of the full width)", n)
	}
	if n := barLength("Completion time", "exponential"); n != ChartWidth*8 {
		t.Errorf("the slowest (exponential) drew a bar of %d eighths, want the full width %d", n, ChartWidth*8)
	}
}

func TestBarNeverHidesAPositiveValue(t *testing.T) {
	if b := bar(1, 1e9, 10); !strings.HasPrefix(b, "▏") || utf8.RuneCountInString(b) != 10 {
		t.Errorf("bar(1, 1e9, 10) = %q, want the thinnest block padded to 10 cells", b)
	}
	if b := bar(0, 10, 10); b != strings.Repeat(" ", 10) {
		t.Errorf("bar(0, 10, 10) = %q, want 10 spaces", b)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 63000: "63,000", 1234567: "1,234,567", -1855: "-1,855"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWritersWriteNothingForNoResults(t *testing.T) {
	for name, write := range map[string]func(*bytes.Buffer) error{
		"WriteTable": func(b *bytes.Buffer) error { return WriteTable(b, nil) },
		"WriteChart": func(b *bytes.Buffer) error { return WriteChart(b, nil) },
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil || buf.Len() != 0 {
			t.Errorf("%s(nil) wrote %q and returned %v, want nothing and nil", name, buf.String(), err)
		}
	}
}

// failingWriter fails every write, like a closed pipe.
type failingWriter struct{}

var errClosed = errors.New("write to a closed pipe")

func (failingWriter) Write([]byte) (int, error) { return 0, errClosed }

func TestWritersReportWriteErrors(t *testing.T) {
	for name, write := range map[string]func() error{
		"WriteTable": func() error { return WriteTable(failingWriter{}, articleAt100) },
		"WriteChart": func() error { return WriteChart(failingWriter{}, articleAt100) },
		"WriteJSON":  func() error { return WriteJSON(failingWriter{}, articleAt100) },
	} {
		if err := write(); !errors.Is(err, errClosed) {
			t.Errorf("%s to a failing writer returned %v, want the writer's error", name, err)
		}
	}
}
