package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// event is one line of go test -json output (see go doc test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // set instead of Package on build-output events
	Test       string
	Output     string
}

// testRun is what one go test -json invocation reported.
type testRun struct {
	// tests maps "package TestName" of every top-level test to its final
	// action: "pass", "fail" or "skip".
	tests map[string]string
	// order lists the top-level tests ("package TestName") in the order
	// they started, which is source order unless -shuffle is on.
	order []string
	// pkgs maps each package to its final action.
	pkgs map[string]string
	// output keeps each top-level test's output, and each package's under
	// its bare name, to explain failures.
	output map[string]*strings.Builder
	err    error
	raw    string // everything that was not JSON (build errors, for one)
}

func goTestJSON(args ...string) testRun { return goTestJSONEnv(nil, args...) }

// goTestJSONEnv is goTestJSON with extra environment variables ("K=V").
func goTestJSONEnv(env []string, args ...string) testRun {
	return goTestJSONIn(workdir, env, nil, args...)
}

// goTestJSONIn runs go test -json in dir and calls onPackage (if not nil)
// each time a package finishes, while the run goes on.
func goTestJSONIn(dir string, env []string, onPackage func(pkg, action string), args ...string) testRun {
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.WaitDelay = 5 * time.Second
	// stdout and stderr are copied by two goroutines: one lock for both.
	var buf bytes.Buffer
	all := &lockedWriter{w: &buf}
	cmd.Stderr = all
	pr, pw := io.Pipe()
	cmd.Stdout = io.MultiWriter(all, pw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var e event
			if onPackage != nil && json.Unmarshal(sc.Bytes(), &e) == nil && e.Test == "" && e.Package != "" &&
				(e.Action == "pass" || e.Action == "fail" || e.Action == "skip") {
				onPackage(e.Package, e.Action)
			}
		}
		io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	tr := parseTestJSON(buf.String())
	tr.err = err
	return tr
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// parseTestJSON reads go test -json output.
func parseTestJSON(out string) testRun {
	tr := testRun{tests: map[string]string{}, pkgs: map[string]string{}, output: map[string]*strings.Builder{}}
	var raw strings.Builder
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Action == "" {
			raw.WriteString(sc.Text() + "\n")
			continue
		}
		key := e.Package
		if key == "" {
			// Compiler errors arrive as build-output events keyed by
			// ImportPath, e.g. "reliability/flaky [reliability/flaky.test]".
			key, _, _ = strings.Cut(e.ImportPath, " ")
		}
		if e.Test != "" {
			top, _, _ := strings.Cut(e.Test, "/")
			key = e.Package + " " + top
		}
		switch e.Action {
		case "run":
			if e.Test != "" && !strings.Contains(e.Test, "/") {
				tr.order = append(tr.order, key)
			}
		case "output", "build-output":
			b := tr.output[key]
			if b == nil {
				b = &strings.Builder{}
				tr.output[key] = b
			}
			b.WriteString(e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				tr.pkgs[e.Package] = e.Action
			} else if !strings.Contains(e.Test, "/") {
				tr.tests[key] = e.Action
			}
		}
	}
	tr.raw = raw.String()
	return tr
}

func (tr testRun) outputOf(key string) string {
	if b := tr.output[key]; b != nil {
		return b.String()
	}
	return ""
}

// testVerdict is what the verdict cache keeps of a package that passed.
type testVerdict struct{ Passed int }

// runTests runs go test -race -shuffle=on over every package except the
// exercises. A package whose tests passed before on the same tree (the
// whole tree: a test may read any file) is not run again.
func runTests(ws *workspace, p *progress) result {
	out, err := run(0, "go", "list", "work")
	if err != nil {
		return result{failed: 1, line: "go list work failed", detail: out}
	}
	flags := append(raceFlags(), "-shuffle=on")
	var pkgs, toRun []string
	r := result{}
	tested := 0
	for _, pkg := range strings.Fields(out) {
		// Exercise tests fail on their stubs by design; the exercises step
		// runs them against the solutions instead.
		if strings.HasSuffix(pkg, "/exercises") {
			continue
		}
		pkgs = append(pkgs, pkg)
		var v testVerdict
		if ws.cache.get(ws.in.treeKey(append([]string{"test", pkg}, flags...)...), &v) {
			tested++
			r.passed += v.Passed
			continue
		}
		toRun = append(toRun, pkg)
	}
	if len(toRun) > 0 {
		var mu sync.Mutex
		finished := len(pkgs) - len(toRun)
		p.set("%d of %d packages tested", finished, len(pkgs))
		tr := goTestJSONIn(workdir, nil, func(string, string) {
			mu.Lock()
			finished++
			p.set("%d of %d packages tested", finished, len(pkgs))
			mu.Unlock()
		}, slices.Concat(flags, []string{"-ldflags=-w"}, toRun)...)
		passedIn := map[string]int{}
		var failedTests []string
		for key, action := range tr.tests {
			pkg, _, _ := strings.Cut(key, " ")
			switch action {
			case "pass":
				r.passed++
				passedIn[pkg]++
			case "fail":
				r.failed++
				failedTests = append(failedTests, key)
			}
		}
		for _, pkg := range toRun {
			switch tr.pkgs[pkg] {
			case "pass":
				tested++
				ws.cache.put(ws.in.treeKey(append([]string{"test", pkg}, flags...)...), testVerdict{passedIn[pkg]})
			case "fail":
				r.detail += fmt.Sprintf("package %s failed:\n%s\n", pkg, tail(tr.outputOf(pkg), 40))
			}
		}
		sort.Strings(failedTests)
		for _, key := range failedTests {
			r.detail += fmt.Sprintf("--- %s\n%s\n", key, tail(tr.outputOf(key), 40))
		}
		pkgFailures := 0
		for _, a := range tr.pkgs {
			if a == "fail" {
				pkgFailures++
			}
		}
		if pkgFailures > 0 && r.failed == 0 {
			r.failed = pkgFailures // a build failure or a crash outside any test
			r.detail += tr.raw
		}
		if tr.err != nil && r.failed == 0 {
			r.failed = 1
			r.detail += tail(tr.raw, 40)
		}
	}
	r.line = fmt.Sprintf("%d packages tested (%s), %d tests passed, %d failed", tested, strings.Join(flags, " "), r.passed, r.failed)
	if n := len(pkgs) - len(toRun); n > 0 {
		r.line += fmt.Sprintf("; %d packages as before (nothing changed)", n)
	}
	return r
}
