// Command benchratio reads go test -bench output on standard input, copies
// it to standard output, and then prints one line per hand-rolled/library
// pair: benchmarks whose names differ only in a last element of
// "handrolled" versus "library" (BenchmarkExecute/serial/handrolled and
// BenchmarkExecute/serial/library). A ratio below 1 means the hand-rolled
// code is faster.
//
//	go test -run '^$' -bench . ./... | go run ./tools/benchratio
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// measurement is the mean of one benchmark's result lines (several with
// -count).
type measurement struct {
	nsPerOp, allocsPerOp float64
	hasAllocs            bool
	n                    int
}

// add folds one more result line into the mean.
func (m *measurement) add(ns, allocs float64, hasAllocs bool) {
	m.n++
	m.nsPerOp += (ns - m.nsPerOp) / float64(m.n)
	m.allocsPerOp += (allocs - m.allocsPerOp) / float64(m.n)
	m.hasAllocs = hasAllocs
}

// benchLine matches "BenchmarkName-8   1000   123.4 ns/op   16 B/op   1 allocs/op".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)
var allocs = regexp.MustCompile(`([\d.]+) allocs/op`)

func main() {
	pairs, err := read(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	if len(pairs) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no handrolled/library benchmark pairs found in the input")
		os.Exit(1)
	}
	report(os.Stdout, pairs)
}

type pair struct{ hand, lib *measurement }

func read(in io.Reader, echo io.Writer) (map[string]*pair, error) {
	pairs := map[string]*pair{}
	pkg := ""
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(echo, line)
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			// Benchmarks of the same name in two packages are two pairs.
			pkg = p
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := m[1]
		cut := strings.LastIndex(name, "/")
		if cut < 0 {
			continue
		}
		base, impl := name[:cut], name[cut+1:]
		if impl != "handrolled" && impl != "library" {
			continue
		}
		if pkg != "" {
			base = path.Base(pkg) + "." + base
		}
		ns, _ := strconv.ParseFloat(m[2], 64)
		var allocsPerOp float64
		a := allocs.FindStringSubmatch(m[3])
		if a != nil {
			allocsPerOp, _ = strconv.ParseFloat(a[1], 64)
		}
		p := pairs[base]
		if p == nil {
			p = &pair{hand: &measurement{}, lib: &measurement{}}
			pairs[base] = p
		}
		meas := p.hand
		if impl == "library" {
			meas = p.lib
		}
		meas.add(ns, allocsPerOp, a != nil)
	}
	return pairs, sc.Err()
}

func report(w io.Writer, pairs map[string]*pair) {
	names := make([]string, 0, len(pairs))
	for n := range pairs {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "\nhand-rolled vs library (ratio = hand-rolled time / library time; below 1 is faster)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\thand-rolled ns/op\tlibrary ns/op\tratio\thand allocs\tlib allocs\t")
	for _, n := range names {
		p := pairs[n]
		if p.hand.n == 0 || p.lib.n == 0 {
			fmt.Fprintf(tw, "%s\t(unpaired)\t\t\t\t\t\n", n)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2fx\t%s\t%s\t\n", n, p.hand.nsPerOp, p.lib.nsPerOp,
			p.hand.nsPerOp/p.lib.nsPerOp, allocText(p.hand), allocText(p.lib))
	}
	_ = tw.Flush()
}

func allocText(m *measurement) string {
	if !m.hasAllocs {
		return "-"
	}
	return strconv.FormatFloat(m.allocsPerOp, 'f', -1, 64)
}
