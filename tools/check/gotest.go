package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
	// pkgs maps each package to its final action.
	pkgs map[string]string
	// output keeps each top-level test's output, and each package's under
	// its bare name, to explain failures.
	output map[string]*strings.Builder
	err    error
	raw    string // everything that was not JSON (build errors, for one)
}

func goTestJSON(args ...string) testRun {
	out, err := run(0, "go", append([]string{"test", "-json"}, args...)...)
	tr := parseTestJSON(out)
	tr.err = err
	return tr
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

func runTests(*workspace) result {
	if r, ok := checkRaceSupport(); !ok {
		return r
	}
	out, err := run(0, "go", "list", "work")
	if err != nil {
		return result{failed: 1, line: "go list work failed", detail: out}
	}
	var pkgs []string
	for _, p := range strings.Fields(out) {
		// Exercise tests fail on their stubs by design; the exercises step
		// runs them against the solutions instead.
		if strings.HasSuffix(p, "/exercises") {
			continue
		}
		pkgs = append(pkgs, p)
	}
	tr := goTestJSON(append([]string{"-race", "-shuffle=on"}, pkgs...)...)

	r := result{}
	tested := 0
	for _, p := range pkgs {
		switch tr.pkgs[p] {
		case "pass":
			tested++
		case "fail":
			r.detail += fmt.Sprintf("package %s failed:\n%s\n", p, tail(tr.outputOf(p), 40))
		}
	}
	var failedTests []string
	for key, action := range tr.tests {
		switch action {
		case "pass":
			r.passed++
		case "fail":
			r.failed++
			failedTests = append(failedTests, key)
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
	r.line = fmt.Sprintf("%d packages tested (-race -shuffle=on), %d tests passed, %d failed", tested, r.passed, r.failed)
	return r
}

// exerciseSet is one lesson's exercises: the stub files and the solution
// files that replace them.
type exerciseSet struct {
	lesson    string
	dir       string            // e.g. 01_retry/exercises
	solutions map[string]string // stub path -> solution path, both relative
}

func findExercises(ws *workspace) ([]exerciseSet, []string) {
	var sets []exerciseSet
	var problems []string
	for _, l := range ws.lessons {
		dir := filepath.Join(l, "exercises")
		stubs, _ := filepath.Glob(filepath.Join(dir, "ex[0-9]*_*.go"))
		set := exerciseSet{lesson: l, dir: dir, solutions: map[string]string{}}
		for _, s := range stubs {
			if strings.HasSuffix(s, "_test.go") {
				continue
			}
			sol := filepath.Join("solutions", s)
			if _, err := os.Stat(sol); err != nil {
				problems = append(problems, fmt.Sprintf("%s has no solution (want %s)", s, sol))
				continue
			}
			set.solutions[s] = sol
		}
		sols, _ := filepath.Glob(filepath.Join("solutions", dir, "*.go"))
		for _, sol := range sols {
			stub := strings.TrimPrefix(sol, "solutions"+string(filepath.Separator))
			if _, ok := set.solutions[stub]; !ok && !strings.HasSuffix(sol, "_test.go") {
				problems = append(problems, fmt.Sprintf("%s matches no stub in %s", sol, dir))
			}
		}
		if len(set.solutions) > 0 {
			sets = append(sets, set)
		}
	}
	return sets, problems
}

// writeOverlay writes a go build -overlay file that replaces each stub with
// the file replacement returns for it.
func writeOverlay(tmp string, name string, set exerciseSet, replacement func(stub string) (string, error)) (string, error) {
	root, _ := os.Getwd()
	ov := map[string]map[string]string{"Replace": {}}
	for stub := range set.solutions {
		repl, err := replacement(stub)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(repl) {
			repl = filepath.Join(root, repl)
		}
		ov["Replace"][filepath.Join(root, stub)] = repl
	}
	data, _ := json.Marshal(ov)
	path := filepath.Join(tmp, name)
	return path, os.WriteFile(path, data, 0o644)
}

func listTests(pkg, overlay string) ([]string, error) {
	out, err := run(0, "go", "test", "-overlay", overlay, "-list", ".", pkg)
	if err != nil {
		return nil, fmt.Errorf("listing tests of %s: %v\n%s", pkg, err, out)
	}
	var tests []string
	for _, l := range strings.Fields(out) {
		if strings.HasPrefix(l, "Test") {
			tests = append(tests, l)
		}
	}
	return tests, nil
}

// checkRaceSupport explains the one non-Go prerequisite: on Linux the race
// detector needs cgo, and cgo needs a C compiler. Without one the go
// command quietly sets CGO_ENABLED=0 and every -race run fails with a
// terse message; say what to install instead.
func checkRaceSupport() (result, bool) {
	out, err := run(0, "go", "env", "CGO_ENABLED")
	if err == nil && strings.TrimSpace(out) == "1" {
		return result{}, true
	}
	return result{failed: 1, line: "the race detector needs cgo (CGO_ENABLED=1) and a C compiler",
		detail: "go env CGO_ENABLED says " + strings.TrimSpace(out) + ". Install gcc or clang (e.g. apt-get install gcc) and run again."}, false
}
