package main

import (
	"bufio"
	"encoding/json"
	"fmt"
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
	out, err := runEnv(0, env, "go", append([]string{"test", "-json"}, args...)...)
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

func runTests(*workspace) result {
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
	tr := goTestJSON(append(append(raceFlags(), "-shuffle=on"), pkgs...)...)

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
	r.line = fmt.Sprintf("%d packages tested (%s-shuffle=on), %d tests passed, %d failed", tested, strings.Join(append(raceFlags(), ""), " "), r.passed, r.failed)
	return r
}
