package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"reliability/01_retry/sim"
)

// runSimulation prints the jitter experiment: a table of calls and
// completion times for 10…100 clients, then a bar chart, or JSON rows.
func runSimulation(w io.Writer, o options) error {
	seed := o.seed
	if seed == 0 {
		seed = sim.DefaultSeed // what sim.Run does with a zero seed; say so
	}
	results, err := sim.Run(sim.Config{Seed: seed, Clients: o.simClients})
	if err != nil {
		return err
	}
	if o.json {
		return sim.WriteJSON(w, results)
	}
	fmt.Fprintf(w, `Jitter simulation (seed %d)

N clients each write once to a shared resource with optimistic concurrency:
a write succeeds only if no other client's write overlaps it; a loser backs
off and tries again. Base 5ms, cap 2s, network delay about 10ms each way.
"calls" is the total number of writes sent; "completion" is when the last
client succeeded. Averaged over %d runs per point, in virtual time.

`, seed, sim.DefaultRuns)
	if err := sim.WriteTable(w, results); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := sim.WriteChart(w, results); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, line := range conclusion(results) {
		fmt.Fprintln(w, line)
	}
	return nil
}

// conclusion reads the results at the largest number of clients and says
// what they show, in lines of at most 80 columns. The numbers come from
// the results, so the text holds for any seed; so do the claims, each of
// which is checked before it is made.
func conclusion(rs []sim.Result) []string {
	var most, fewest int // client counts
	for _, r := range rs {
		most = max(most, r.Clients)
		if fewest == 0 || r.Clients < fewest {
			fewest = r.Clients
		}
	}
	at := map[string]sim.Result{}    // strategy -> its result at most clients
	small := map[string]sim.Result{} // and at the fewest
	var order []string
	for _, r := range rs {
		if r.Clients == most {
			at[r.Strategy] = r
			order = append(order, r.Strategy)
		}
		if r.Clients == fewest {
			small[r.Strategy] = r
		}
	}
	nb, ok := at["no-backoff"]
	if !ok || len(order) < 2 {
		return nil
	}
	// The best of the strategies that wait, by each measure.
	var thrifty, quick, slow sim.Result
	for _, name := range order {
		r := at[name]
		if name == "no-backoff" {
			continue
		}
		if thrifty.Strategy == "" || r.Calls < thrifty.Calls {
			thrifty = r
		}
		if quick.Strategy == "" || r.CompletionMS < quick.CompletionMS {
			quick = r
		}
		if slow.Strategy == "" || r.CompletionMS > slow.CompletionMS {
			slow = r
		}
	}
	fastest := nb
	for _, name := range order {
		if at[name].CompletionMS < fastest.CompletionMS {
			fastest = at[name]
		}
	}
	dur := func(r sim.Result) string {
		return strconv.FormatFloat(r.Completion().Seconds(), 'f', 1, 64) + " s"
	}

	var text []string
	if fastest.Strategy == "no-backoff" {
		text = append(text, fmt.Sprintf(
			"no-backoff finishes first, in %s, but it is not the winner: it "+
				"finishes first only because its clients never wait, and it "+
				"pays in writes: %s, %.1f times %s's %s%s. Here the resource "+
				"never slows down under load, so the extra writes cost no "+
				"time. A real dependency that is already failing answers them "+
				"with more failures: retrying at once is the very load that "+
				"keeps it down.",
			dur(nb), thousandsOf(nb.Calls), float64(nb.Calls)/float64(thrifty.Calls),
			thrifty.Strategy, thousandsOf(thrifty.Calls), growth(small, nb, thrifty, fewest)))
	} else {
		text = append(text, fmt.Sprintf(
			"no-backoff sends the most writes, %s, and does not even finish "+
				"first: %s does, in %s.", thousandsOf(nb.Calls), fastest.Strategy, dur(fastest)))
	}
	waiting := fmt.Sprintf("Of the strategies that wait, %s makes the fewest calls (%s) "+
		"and %s finishes first (%s)", thrifty.Strategy, thousandsOf(thrifty.Calls),
		quick.Strategy, dur(quick))
	if slow.Strategy == "exponential" {
		waiting += fmt.Sprintf("; exponential, without jitter, is the slowest "+
			"(%s): clients that collided wait the same time and collide "+
			"again, retry after retry", dur(slow))
	}
	waiting += "."
	if fj, ok := at["full-jitter"]; ok && thrifty.Strategy == fj.Strategy && fj.CompletionMS <= 1.5*quick.CompletionMS {
		waiting += " That is why full jitter is the usual default: the fewest " +
			"calls, and a finish near the quickest."
	}
	text = append(text, waiting)

	lines := []string{fmt.Sprintf("What it shows, at %d clients", most)}
	for _, para := range text {
		lines = append(lines, wrap("- ", "  ", para, 80)...)
	}
	return lines
}

// growth says, if it is so, that a's count of calls grows faster with
// the clients than b's, from the fewest clients simulated to the most.
func growth(small map[string]sim.Result, a, b sim.Result, fewest int) string {
	sa, sb := small[a.Strategy], small[b.Strategy]
	if sa.Calls == 0 || sb.Calls == 0 || a.Clients == fewest ||
		float64(a.Calls)/float64(sa.Calls) <= float64(b.Calls)/float64(sb.Calls) {
		return ""
	}
	return fmt.Sprintf(", and the gap widens with the clients (at %d: %s and %s)",
		fewest, thousandsOf(sa.Calls), thousandsOf(sb.Calls))
}

// wrap breaks text into lines of at most width columns, the first line
// starting with first and the others with rest.
func wrap(first, rest, text string, width int) []string {
	var lines []string
	line := first
	for _, word := range strings.Fields(text) {
		if len(line) > len(rest) && line != first && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = rest
		}
		if line == first || line == rest {
			line += word
		} else {
			line += " " + word
		}
	}
	return append(lines, line)
}

// thousandsOf formats n with commas between groups of three digits, as
// the simulation's table does.
func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
