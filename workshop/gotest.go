package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"reliability/workshop/course"
)

// testTimeout bounds one go test run. Exercise tests run in virtual time
// and finish in milliseconds; their watchdogs turn a deadlock into a
// failure within seconds. A minute therefore means an endless loop.
const testTimeout = time.Minute

// testEvent is one line of go test -json (see go doc test2json).
type testEvent struct {
	Action      string
	Package     string
	ImportPath  string // build output names the package this way
	Test        string
	Output      string
	FailedBuild string
}

// pkgRun is what one go test run reported about one package.
type pkgRun struct {
	action      string   // pass, fail or skip; "" when it never finished
	failedBuild bool     // the package or its tests did not compile
	order       []string // top-level tests, in the order they started
	result      map[string]string
	output      map[string]*strings.Builder // per top-level test
	pkgOut      strings.Builder             // output outside any test
	build       strings.Builder             // compiler and vet output
}

func (p *pkgRun) outputOf(test string) string {
	if b := p.output[test]; b != nil {
		return b.String()
	}
	return ""
}

// testRun is one go test invocation.
type testRun struct {
	pkgs   map[string]*pkgRun // by import path
	stderr string             // anything that was not a JSON event
}

func (r *testRun) pkg(path string) *pkgRun {
	p := r.pkgs[path]
	if p == nil {
		p = &pkgRun{result: map[string]string{}, output: map[string]*strings.Builder{}}
		r.pkgs[path] = p
	}
	return p
}

// parseTestJSON reads go test -json output; lines that are not events
// (the go command's own errors, when it writes them to stdout) are kept.
func parseTestJSON(stdout []byte) *testRun {
	r := &testRun{pkgs: map[string]*pkgRun{}}
	var raw strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e testEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Action == "" {
			raw.WriteString(sc.Text() + "\n")
			continue
		}
		if e.Package == "" {
			// "reliability/01_retry/exercises [reliability/01_retry/exercises.test]"
			path, _, _ := strings.Cut(e.ImportPath, " ")
			p := r.pkg(path)
			switch e.Action {
			case "build-output":
				p.build.WriteString(e.Output)
			case "build-fail":
				p.failedBuild = true
			}
			continue
		}
		p := r.pkg(e.Package)
		if e.Test == "" {
			switch e.Action {
			case "output":
				p.pkgOut.WriteString(e.Output)
			case "pass", "fail", "skip":
				p.action = e.Action
				if e.FailedBuild != "" {
					p.failedBuild = true
				}
			}
			continue
		}
		top, _, sub := strings.Cut(e.Test, "/")
		switch e.Action {
		case "run":
			if !sub && p.output[top] == nil {
				p.order = append(p.order, top)
				p.output[top] = &strings.Builder{}
			}
		case "output":
			if b := p.output[top]; b != nil {
				b.WriteString(e.Output)
			}
		case "pass", "fail", "skip":
			if !sub {
				p.result[top] = e.Action
			}
		}
	}
	r.stderr = raw.String()
	return r
}

// errNothingRan is returned when go test reported on no package at all:
// the workspace does not load, a flag is not supported, and so on.
type errNothingRan struct{ output string }

func (e errNothingRan) Error() string {
	return "go test could not run:\n" + indentLines(tailLines(strings.TrimSpace(e.output), 12), "  ")
}

// goTest runs the tests of the given exercises, all lessons in one go
// test invocation (the go command builds and runs packages in
// parallel), and returns what it reported.
func (a *app) goTest(ctx context.Context, c *course.Course, tc *toolchain, list []course.Exercise, overlay string) (*testRun, error) {
	args := []string{"test", "-json", "-count=1", "-timeout", testTimeout.String()}
	if tc.race.Load() {
		args = append(args, "-race")
	}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	var numbers []int
	var pkgs []string
	seen := map[string]bool{}
	for _, e := range list {
		numbers = append(numbers, e.Number)
		if !seen[e.Lesson] {
			seen[e.Lesson] = true
			pkgs = append(pkgs, "./"+path2pkg(e.Lesson))
		}
	}
	args = append(args, "-run", runPattern(numbers))
	args = append(args, pkgs...)

	cmd := exec.CommandContext(ctx, a.goCmd, args...)
	cmd.Dir = c.Root
	if tc.race.Load() {
		cmd.Env = append(os.Environ(), "GORACE="+quickRaceExit(os.Getenv("GORACE")))
	}
	if overlay != "" {
		if cmd.Env == nil {
			cmd.Env = os.Environ()
		}
		cmd.Env = append(cmd.Env, "GODEBUG="+course.OverlayGODEBUG())
	}
	killTree(cmd)
	// A test binary left behind by a killed go command may hold the
	// pipes open; do not wait for it for long.
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	a.testRuns.Add(1)
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("running go test: %w", err)
	}
	r := parseTestJSON(stdout.Bytes())
	r.stderr += stderr.String()
	if len(r.pkgs) == 0 {
		return nil, errNothingRan{r.stderr}
	}
	return r, nil
}

func path2pkg(lesson string) string { return lesson + "/exercises/" }

// quickRaceExit adds atexit_sleep_ms=0 to the learner's GORACE options.
// A -race binary otherwise sleeps a second before it exits, so that
// goroutines still running can report their races; that second would be
// most of the wait for a verdict. The exercise packages check with goleak
// that no goroutine outlives the tests, so there is nothing to wait for.
func quickRaceExit(gorace string) string {
	if strings.Contains(gorace, "atexit_sleep_ms") {
		return gorace
	}
	return strings.TrimSpace(gorace + " atexit_sleep_ms=0")
}

// runPattern selects the tests of the given exercise numbers and no
// other: every test of exercise k is named TestEx<k><Name>.
func runPattern(numbers []int) string {
	sort.Ints(numbers)
	var uniq []string
	for i, n := range numbers {
		if i == 0 || n != numbers[i-1] {
			uniq = append(uniq, strconv.Itoa(n))
		}
	}
	if len(uniq) == 1 {
		return course.Exercise{Number: numbers[0]}.TestPattern()
	}
	return "^TestEx(" + strings.Join(uniq, "|") + ")[^0-9]"
}

// importPath returns the import path of a lesson's exercise package: the
// module path from its go.mod, plus /exercises.
func importPath(c *course.Course, lesson string) string {
	data, err := os.ReadFile(filepath.Join(c.Root, lesson, "go.mod"))
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
				return strings.Trim(strings.TrimSpace(rest), `"`) + "/exercises"
			}
		}
	}
	return "reliability/" + lesson + "/exercises"
}

// runExercises runs the tests of every exercise in list and returns a
// verdict for each. Usually that is one go test run. A test binary that
// crashes stops the tests after the crash from running; those exercises
// run again without the crashed one. A package that fails after all its
// tests passed (goleak in TestMain finding a leaked goroutine) is run
// again one exercise at a time, to tell whose leak it is.
func (a *app) runExercises(ctx context.Context, c *course.Course, tc *toolchain, list []course.Exercise) (map[string]Verdict, error) {
	overlay, cleanup, err := a.courseOverlay(c, list)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	out := map[string]Verdict{}
	batches := [][]course.Exercise{list}
	for len(batches) > 0 {
		batch := batches[0]
		batches = batches[1:]
		r, err := a.goTest(ctx, c, tc, batch, overlay)
		var none errNothingRan
		if errors.As(err, &none) && tc.race.Load() && strings.Contains(none.output, "-race") {
			a.noRace(tc, "go test says: "+firstLine(tailLines(strings.TrimSpace(none.output), 3)))
			batches = append([][]course.Exercise{batch}, batches...)
			continue
		}
		if errors.As(err, &none) {
			// One lesson that does not load (a module missing from
			// go.work, say) stops go test for all: try each lesson alone,
			// and report the one that cannot run on its exercises.
			if split := byLesson(batch); len(split) > 1 {
				batches = append(batches, split...)
				continue
			}
			for _, e := range batch {
				out[e.ID] = Verdict{Status: statusError, Message: "go test could not run: " + firstLine(strings.TrimSpace(none.output)),
					Compile: strings.Split(tailLines(strings.TrimSpace(none.output), maxCompileErrors), "\n")}
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if tc.race.Load() && raceBroken(r) {
			a.noRace(tc, "the C compiler that -race needs does not work here ("+firstLine(cgoError(r))+")")
			batches = append([][]course.Exercise{batch}, batches...)
			continue
		}
		perLesson := map[string]int{}
		for _, e := range batch {
			perLesson[e.Lesson]++
		}
		var notRun []course.Exercise
		for _, e := range batch {
			p := r.pkgs[importPath(c, e.Lesson)]
			if p == nil {
				out[e.ID] = Verdict{Status: statusFail, Message: "go test did not run this lesson's tests: " + firstLine(strings.TrimSpace(r.stderr))}
				continue
			}
			v, state := verdictFor(p, e)
			switch {
			case state == known:
				out[e.ID] = v
			case state == packageFailed && perLesson[e.Lesson] > 1:
				batches = append(batches, []course.Exercise{e})
			case state == packageFailed:
				v = Verdict{Status: statusFail, Message: "its tests pass, but then the package fails"}
				if msg := messages(p.pkgOut.String()); len(msg) > 0 {
					v.Message += ": " + msg[0]
				}
				if at := learnerFrame(p.pkgOut.String()); at != "" {
					v.Message += " (" + at + ")"
				}
				v.Failures = []Failure{{Test: "TestMain", Messages: []string{v.Message}}}
				out[e.ID] = v
			default: // the binary stopped before these tests started
				notRun = append(notRun, e)
			}
		}
		if len(notRun) == len(batch) {
			// Nothing ran at all: report what the package said instead
			// of trying forever.
			for _, e := range notRun {
				v := Verdict{Status: statusFail, Message: "the tests did not run"}
				if p := r.pkgs[importPath(c, e.Lesson)]; p != nil {
					if msg := messages(p.pkgOut.String() + r.stderr); len(msg) > 0 {
						v.Message += ": " + msg[0]
					}
				}
				out[e.ID] = v
			}
			continue
		}
		if len(notRun) > 0 {
			batches = append(batches, notRun)
		}
	}
	return out, nil
}

// byLesson splits a list of exercises into one list per lesson, in order.
func byLesson(list []course.Exercise) [][]course.Exercise {
	var out [][]course.Exercise
	index := map[string]int{}
	for _, e := range list {
		i, ok := index[e.Lesson]
		if !ok {
			i = len(out)
			index[e.Lesson] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], e)
	}
	return out
}

// raceBroken reports whether a -race run failed because cgo does not
// work (a C compiler that is configured but broken), which no learner's
// code can cause: runtime/cgo or runtime/race did not build.
func raceBroken(r *testRun) bool { return cgoError(r) != "" }

func cgoError(r *testRun) string {
	for path, p := range r.pkgs {
		if (path == "runtime/cgo" || path == "runtime/race") && (p.failedBuild || p.build.Len() > 0) {
			if msg := compileErrors(p.build.String()); len(msg) > 0 {
				return msg[0]
			}
			return path + " does not build"
		}
	}
	return ""
}
