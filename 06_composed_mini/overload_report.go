package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"reliability/flaky/narrate"
)

// runOverload is the -overload experiment: every run, then the narration
// or the JSON.
func runOverload(o options, stdin io.Reader, stdout, stderr io.Writer) int {
	results := make([]ovResult, len(ovRuns))
	for i, r := range ovRuns {
		results[i] = simulate(r, o.seed)
	}
	if o.json {
		if err := writeOverloadJSON(stdout, results); err != nil {
			fmt.Fprintln(stderr, "06_composed_mini:", err)
			return 1
		}
		return 0
	}
	n := narrate.New(stdout, o.step)
	n.SetInput(stdin)
	narrateOverload(n, results)
	return 0
}

// ovSummary is one run's JSON object.
type ovSummary struct {
	Run           string  `json:"run"`
	GoodputBefore float64 `json:"goodput_before"` // share answered in time before the slowdown
	GoodputAfter  float64 `json:"goodput_after"`  // the same over the last quarter of the run
	RecoverMS     int64   `json:"recover_ms"`     // after the slowdown ended; -1: did not
	Wasted        int     `json:"wasted"`         // answers served to callers who had left
	Requests      int     `json:"requests"`       // requests the clients made
	Sent          int     `json:"sent"`           // attempts that reached the server
	Held          int     `json:"held"`           // attempts the client held back
	Refused       int     `json:"refused"`        // turned away at the server's full queue
	Shed          int     `json:"shed"`           // dropped by the server, unserved
	Served        int     `json:"served"`         // served to the end
}

func (r ovResult) summary() ovSummary {
	s := ovSummary{
		Run:           r.run.name,
		GoodputBefore: round3(r.before),
		GoodputAfter:  round3(r.after),
		RecoverMS:     -1,
		Wasted:        r.server.Wasted,
		Requests:      r.requests,
		Sent:          r.sent,
		Held:          r.local,
		Refused:       r.server.Refused,
		Shed:          r.server.Shed,
		Served:        r.server.Served,
	}
	if r.recovered() {
		s.RecoverMS = r.recover.Milliseconds()
	}
	return s
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func writeOverloadJSON(w io.Writer, results []ovResult) error {
	sums := make([]ovSummary, len(results))
	for i, r := range results {
		sums[i] = r.summary()
	}
	b, err := json.MarshalIndent(sums, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// ovLabel is the width of a timeline row's label.
const ovLabel = 14

func narrateOverload(n *narrate.Narrator, results []ovResult) {
	capacity := float64(ovWorkers) / ovServiceTime.Seconds()
	end := ovSlowStart + ovSlowFor
	n.Phase("a server with finite capacity", fmt.Sprintf(
		"%d workers, %v per request: the server answers at most %.0f requests a "+
			"second, and a request that finds every worker busy waits in a queue. "+
			"Clients send %d a second at random moments (%.0f%% of capacity); each "+
			"attempt waits %v for its answer, a request %v in all. From %v to %v the "+
			"server runs at a quarter of its speed. Goodput is the share of requests "+
			"answered in time. The question is what happens after %v. Six runs, "+
			"the same requests:",
		ovWorkers, ovServiceTime, capacity, ovRate, 100*ovRate/capacity,
		ovAttemptTimeout, ovDeadline, ovSlowStart, end, end))
	for _, r := range ovRuns {
		n.Printf("  %-*s%s", ovLabel, r.name, r.about)
	}
	n.Printf("  %-*s%s", ovLabel, "", fmt.Sprintf("queue bounded at %d", ovQueueLimit))

	n.Phase("goodput, every 500ms", fmt.Sprintf(
		"One column per %v of arrivals: the share of those requests that got an "+
			"answer in time. Recovered means back to %.0f%% of the goodput before the "+
			"slowdown, and staying there to the end.", ovStep, 100*ovRecovered))
	for _, line := range ovTimeline(results) {
		n.Printf("  %s", line)
	}
	n.Printf("  █ %.0f%%+  ▆ 60%%+  ▃ 30%%+  ▁ some  · none", 100*ovRecovered)

	n.Phase("what it cost", "Goodput before the slowdown and over the last "+
		"quarter of the run; when it came back; attempts sent to the server; "+
		"attempts the client held back (breaker, throttle); requests the server "+
		"turned away unserved (full queue, expired); and wasted work: answers "+
		"served to callers who had already left.")
	rows := make([][]string, len(results))
	for i, r := range results {
		rows[i] = r.row()
	}
	n.Table([]string{"run", "before", "after", "recovered", "sent", "held", "dropped", "wasted"}, rows)
	n.Printf("")
	for _, line := range wrapText(ovVerdict(results), 76) {
		n.Printf("  %s", line)
	}
	n.Summary(ovCosts(results))
}

// ovCosts says what each run paid, in its own numbers.
func ovCosts(results []ovResult) [][2]string {
	var rows [][2]string
	for _, r := range results {
		var cost string
		switch {
		case r.run.defence == noDefence && r.run.attempts == 1:
			cost = fmt.Sprintf("%d requests lost, no retry to save any", r.failed)
		case r.run.defence == noDefence:
			cost = fmt.Sprintf("%d attempts for %d requests, %d lost",
				r.sent, r.requests, r.failed)
		case r.run.defence == budgetDefence:
			cost = fmt.Sprintf("only %d retries: none while most attempts fail", r.retries)
		case r.run.defence == breakerDefence:
			cost = fmt.Sprintf("%d requests failed fast while it was open", r.local)
		case r.run.defence == adaptiveDefence:
			cost = fmt.Sprintf("%d attempts refused locally, by a weighted coin", r.local)
		case r.run.defence == sheddingDefence:
			cost = fmt.Sprintf("%d refused at the full queue, %d shed expired",
				r.server.Refused, r.server.Shed)
		}
		rows = append(rows, [2]string{r.run.name, cost})
	}
	return rows
}

func (r ovResult) row() []string {
	recovered := fmt.Sprintf("not in %v", ovRunFor-(ovSlowStart+ovSlowFor))
	if r.recovered() {
		recovered = "after " + r.recover.String()
	}
	pct := func(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) }
	return []string{r.run.name, pct(r.before), pct(r.after), recovered,
		fmt.Sprint(r.sent), fmt.Sprint(r.local),
		fmt.Sprint(r.server.Refused + r.server.Shed), fmt.Sprint(r.server.Wasted)}
}

// ovTimeline draws the goodput of every run, with a time axis and the
// slowdown marked above.
func ovTimeline(results []ovResult) []string {
	cols := int(ovRunFor / ovStep)
	perSecond := int(time.Second / ovStep)
	axis := []byte(strings.Repeat(" ", ovLabel+cols+2))
	copy(axis, "seconds")
	for s := 0; s <= int(ovRunFor/time.Second); s += 5 {
		copy(axis[ovLabel+s*perSecond:], fmt.Sprint(s))
	}
	slow := []rune(fmt.Sprintf("%-*s", ovLabel, "slow"))
	for c := range cols {
		at := time.Duration(c) * ovStep
		if at >= ovSlowStart && at < ovSlowStart+ovSlowFor {
			slow = append(slow, '^')
		} else {
			slow = append(slow, ' ')
		}
	}
	out := []string{strings.TrimRight(string(axis), " "), strings.TrimRight(string(slow), " ")}
	for _, r := range results {
		var b strings.Builder
		fmt.Fprintf(&b, "%-*s", ovLabel, r.run.name)
		for _, g := range r.goodput {
			b.WriteString(ovCell(g))
		}
		out = append(out, b.String())
	}
	return out
}

// ovVerdict says, with the run's own numbers, what kept the server down.
func ovVerdict(results []ovResult) string {
	var retries ovResult
	for _, r := range results {
		if r.run.name == "retries x3" {
			retries = r
		}
	}
	served, wasted := retries.afterSlowdown()
	end := int((ovSlowStart + ovSlowFor) / ovStep)
	verdict := fmt.Sprintf("What keeps the retries x3 run down is work done for "+
		"callers who already left: after the slowdown ended, %d of the %d "+
		"answers its server produced (%.0f%%) went to callers who had given up, "+
		"and each of those timeouts had already sent another attempt into the "+
		"queue, which held %d requests just after %v and %d at %v.",
		wasted, served, 100*ratio(wasted, served),
		retries.queue[end], ovSlowStart+ovSlowFor, retries.queue[len(retries.queue)-1], ovRunFor)
	if retries.recovered() {
		return fmt.Sprintf("With this seed the retries x3 run recovered after %v; "+
			"%d of its server's %d answers after the slowdown went to callers who had left.",
			retries.recover, wasted, served)
	}
	return verdict + " The slowdown started it; the retries kept it going."
}

// afterSlowdown counts the answers served from the end of the slowdown
// to the end of the run, and how many of them were wasted.
func (r ovResult) afterSlowdown() (served, wasted int) {
	from := ovSlowStart + ovSlowFor
	for _, h := range r.history {
		if h.Start >= from && h.Start < ovRunFor {
			served += h.Stats.Served
			wasted += h.Stats.Wasted
		}
	}
	return served, wasted
}

// wrapText breaks s into lines of at most width runes, between words.
func wrapText(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
