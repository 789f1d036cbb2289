package main

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"reliability/workshop/course"
)

// Verdict statuses.
const (
	statusPass  = "pass"
	statusFail  = "fail"
	statusBuild = "build" // the exercise package does not compile
	statusError = "error" // go test could not run at all; never cached
)

// Verdict is what one exercise's tests said, in plain words. It is what
// the cache stores, so it holds no paths outside the workshop.
type Verdict struct {
	Status   string    `json:"status"`
	Tests    int       `json:"tests,omitempty"`    // top-level tests that ran
	Failures []Failure `json:"failures,omitempty"` // failing tests, in run order
	Message  string    `json:"message,omitempty"`  // the first failure, in plain words
	Compile  []string  `json:"compile,omitempty"`  // compiler errors, for statusBuild
	// Elsewhere says that the compiler errors are in another exercise's
	// file: this one cannot run until that one compiles.
	Elsewhere bool `json:"elsewhere,omitempty"`
}

// Failure is one failing test and what it said.
type Failure struct {
	Test     string   `json:"test"`
	Messages []string `json:"messages"`
}

// Done reports whether every test of the exercise passed.
func (v Verdict) Done() bool { return v.Status == statusPass }

// short is a verdict in a few words, for a status line.
func (v Verdict) short() string {
	switch {
	case v.Status == statusPass:
		return "done"
	case v.Status == statusBuild && v.Elsewhere:
		return "not run: another file does not compile"
	case v.Status == statusBuild:
		return "does not compile"
	case v.Status == statusError:
		return "go test could not run"
	case v.Tests == 1:
		return "its test fails"
	case v.Tests > 0:
		return fmt.Sprintf("%d of %d tests fail", len(v.Failures), v.Tests)
	}
	return "fails"
}

// verdictState says how far a package's run decides an exercise.
type verdictState int

const (
	known         verdictState = iota
	notStarted                 // the test binary stopped before its tests ran
	packageFailed              // its tests passed, yet the package failed
)

// verdictFor reads exercise e's verdict out of its package's run.
func verdictFor(p *pkgRun, e course.Exercise) (Verdict, verdictState) {
	var tests []string
	anyFailed := false
	for _, t := range p.order {
		if n, ok := course.TestExercise(t); ok && n == e.Number {
			tests = append(tests, t)
		}
		if r := p.result[t]; r != "pass" && r != "skip" {
			anyFailed = true
		}
	}
	if len(tests) > 0 {
		v := Verdict{Status: statusPass, Tests: len(tests)}
		for _, t := range tests {
			if r := p.result[t]; r == "pass" || r == "skip" {
				continue
			}
			// A failure, or no result at all: the test crashed the
			// binary or ran out of time. The panic may be printed
			// outside the test's own output.
			msgs := messages(p.outputOf(t))
			if len(msgs) == 0 {
				msgs = messages(p.pkgOut.String())
			}
			if len(msgs) == 0 {
				msgs = []string{"it failed without saying why"}
			}
			v.Failures = append(v.Failures, Failure{Test: t, Messages: msgs})
		}
		if len(v.Failures) > 0 {
			v.Status = statusFail
			v.Message = v.Failures[0].Messages[0]
		} else if p.action == "fail" && !anyFailed {
			return v, packageFailed
		}
		return v, known
	}
	if p.failedBuild || p.action == "fail" && p.build.Len() > 0 {
		errs := compileErrors(p.build.String() + p.pkgOut.String())
		v := Verdict{Status: statusBuild, Compile: errs, Elsewhere: true}
		stub, test := path.Base(e.Stub), path.Base(e.Test)
		for _, line := range errs {
			if mentionsFile(line, stub) || mentionsFile(line, test) {
				v.Elsewhere = false
			}
		}
		v.Message = "the package does not compile"
		if len(errs) > 0 {
			v.Message = errs[0]
			if v.Elsewhere {
				v.Message = "the package does not compile: " + errs[0]
			}
		}
		return v, known
	}
	if p.action == "pass" || p.action == "skip" {
		return Verdict{Status: statusFail, Message: fmt.Sprintf(
			"no TestEx%d test ran: is %s missing, or were its tests renamed?", e.Number, path.Base(e.Test))}, known
	}
	return Verdict{}, notStarted
}

// mentionsFile reports whether a compiler error is about the file base.
func mentionsFile(line, base string) bool {
	i := strings.Index(line, base+":")
	return i == 0 || i > 0 && strings.ContainsRune(`/\`, rune(line[i-1]))
}

var (
	// fileLineRE matches what t.Error and friends print: file.go:12: text.
	fileLineRE = regexp.MustCompile(`^(\s*)[\w.\-]+\.go:\d+: ?(.*)$`)
	// stubFrameRE finds a learner's file in a panic's stack trace.
	stubFrameRE = regexp.MustCompile(`(ex\d+_\w+\.go:\d+)`)
	// recoveredRE matches what the testing package appends to a panic.
	recoveredRE = regexp.MustCompile(`\s*\[recovered[^\]]*\]$`)
	// compileErrRE matches a compiler or vet error: file.go:12:3: text.
	compileErrRE = regexp.MustCompile(`^\S+\.go:\d+(:\d+)?: `)
)

// maxMessages bounds the messages kept per failing test: the first ones
// say what is wrong, the rest repeat it.
const maxMessages = 3

// messages returns what a test's output says is wrong, in plain words:
// each t.Error message without its file:line prefix, or the panic.
func messages(out string) []string {
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	var msgs []string
	for i := 0; i < len(lines) && len(msgs) < maxMessages; i++ {
		m := fileLineRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent := len(m[1])
		var cont []string
		for _, next := range lines[i+1:] {
			if strings.TrimSpace(next) == "" || fileLineRE.MatchString(next) || isFrameworkLine(next) || leadingSpace(next) <= indent {
				break
			}
			cont = append(cont, next)
		}
		i += len(cont)
		text := strings.TrimSpace(m[2])
		if text == "" || strings.Contains(strings.Join(cont, "\n"), "Error Trace:") {
			text = strings.TrimSpace(text + " " + testifyMessage(cont))
		} else {
			for _, c := range cont {
				text += "\n" + strings.TrimSpace(c)
			}
		}
		if text != "" {
			msgs = append(msgs, text)
		}
	}
	if len(msgs) > 0 {
		return msgs
	}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(t, "panic: "); ok {
			if strings.HasPrefix(rest, "test timed out after ") {
				return []string{fmt.Sprintf("it did not finish within %s: an endless loop, or a wait that nothing ends?", strings.TrimPrefix(rest, "test timed out after "))}
			}
			msg := "panic: " + recoveredRE.ReplaceAllString(rest, "")
			if at := learnerFrame(out); at != "" {
				msg += " (" + at + ")"
			}
			return []string{msg}
		}
	}
	for _, line := range lines {
		if t := strings.TrimSpace(line); t != "" && !isFrameworkLine(line) {
			return []string{t}
		}
	}
	return nil
}

// testifyMessage condenses testify's block (a column of labels such as
// "Error:" and "Messages:", values after a tab) to the message and error.
func testifyMessage(block []string) string {
	fields := map[string][]string{}
	var current string
	for _, line := range block {
		cols := strings.Split(strings.TrimLeft(line, " "), "\t")
		if len(cols) < 3 {
			continue
		}
		if label := strings.TrimSpace(cols[1]); label != "" {
			current = strings.TrimSuffix(label, ":")
		}
		if value := strings.TrimSpace(strings.Join(cols[2:], " ")); value != "" {
			fields[current] = append(fields[current], value)
		}
	}
	var parts []string
	if m := fields["Messages"]; len(m) > 0 {
		parts = append(parts, strings.Join(m, " "))
	}
	if e := fields["Error"]; len(e) > 0 {
		parts = append(parts, strings.Join(e, "\n"))
	}
	return strings.Join(parts, "\n")
}

func isFrameworkLine(line string) bool {
	t := strings.TrimSpace(line)
	for _, p := range []string{"=== ", "--- FAIL", "--- PASS", "--- SKIP", "FAIL", "PASS", "ok ", "exit status"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

func leadingSpace(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

// maxCompileErrors bounds the compiler errors shown: the first is the
// one to fix, later ones often follow from it.
const maxCompileErrors = 5

// compileErrors picks the compiler's (or vet's) error lines out of go
// test's build output.
func compileErrors(out string) []string {
	var errs []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if compileErrRE.MatchString(line) && len(errs) < maxCompileErrors {
			errs = append(errs, line)
		}
	}
	if len(errs) == 0 {
		for _, line := range strings.Split(out, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") && !isFrameworkLine(t) {
				errs = append(errs, t)
				break
			}
		}
	}
	return errs
}

// learnerFrame finds the first line of a learner's file in a stack trace
// (a panic's, or goleak's list of leaked goroutines): "at ex2_x.go:14".
func learnerFrame(out string) string {
	for _, frame := range stubFrameRE.FindAllString(out, -1) {
		if !strings.Contains(frame, "_test.go") {
			return "at " + frame
		}
	}
	return ""
}
