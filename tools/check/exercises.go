package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"reliability/workshop/course"
)

// minWrong is how many catalogued wrong answers every exercise needs.
const minWrong = 5

// wrongTimeout bounds one wrong answer's test run. The tests' own
// watchdogs fail a deadlocked answer within seconds; this is the backstop.
const wrongTimeout = 2 * time.Minute

// runExercises checks every lesson's exercise tests three ways, always on
// the pristine course (workdir):
//
//   - with each stub replaced by its solution, every test must pass;
//   - on the stubs, every top-level test must fail: a test that passes on
//     a stub checks nothing;
//   - with one stub replaced by a catalogued wrong answer (the others by
//     their solutions), at least one of that exercise's tests must fail,
//     and the output must contain the text the wrong answer names, which
//     proves the failure message names the mistake. These runs use
//     GOMAXPROCS=1 and no -race, so a concurrency test passes only if it
//     forces the bad interleaving itself.
//
// Every run uses go test -overlay, so no file is touched.
func runExercises(ws *workspace) result {
	tmp, err := os.MkdirTemp("", "exercises-")
	if err != nil {
		return result{failed: 1, line: err.Error()}
	}
	defer os.RemoveAll(tmp)

	r := result{}
	var perLesson []string
	totalTests, totalWrong, caughtWrong := 0, 0, 0
	for _, l := range ws.course.Lessons {
		if len(l.Exercises) == 0 || cfg.lesson != "" && cfg.lesson != l.Dir {
			continue
		}
		lr := checkLesson(tmp, l)
		r.passed += lr.passed
		r.failed += lr.failed
		r.detail += lr.detail
		totalTests += lr.tests
		totalWrong += lr.wrong
		caughtWrong += lr.caught
		perLesson = append(perLesson, lr.line)
	}
	r.line = fmt.Sprintf("%d tests pass on solutions and fail on stubs; %d of %d wrong answers caught\n%s",
		totalTests, caughtWrong, totalWrong, "                    "+strings.Join(perLesson, "\n                    "))
	return r
}

type lessonResult struct {
	passed, failed       int
	tests, wrong, caught int
	line, detail         string
}

func (lr *lessonResult) fail(format string, args ...any) {
	lr.failed++
	lr.detail += fmt.Sprintf(format, args...) + "\n"
}

func checkLesson(tmp string, l course.Lesson) lessonResult {
	lr := lessonResult{}
	pkg := "./" + l.ExercisesDir()
	pkgPath := importPath(l.ExercisesDir())

	solutions := map[string]string{}
	for _, e := range l.Exercises {
		solutions[e.Stub] = e.Solution
	}
	solOverlay, err := writeOverlay(tmp, l.Dir+"-solutions.json", solutions)
	if err != nil {
		lr.fail("%s: %v", l.Dir, err)
		return lr
	}
	tests, err := listTests(pkg, solOverlay)
	if err != nil {
		lr.fail("%s: %v", l.Dir, err)
		lr.line = l.Dir + ": tests could not be listed"
		return lr
	}

	// Names: every test belongs to an exercise, every exercise has tests.
	byExercise := map[int][]string{}
	for _, t := range tests {
		n, ok := course.TestExercise(t)
		if !ok {
			lr.fail("%s: test %s is not named TestEx<k><Name>, so no -run Ex<k> selects it", l.Dir, t)
			continue
		}
		byExercise[n] = append(byExercise[n], t)
	}
	exists := map[int]bool{}
	for _, e := range l.Exercises {
		exists[e.Number] = true
		if len(byExercise[e.Number]) == 0 {
			lr.fail("%s: exercise %d has no TestEx%d... tests", l.Dir, e.Number, e.Number)
		}
	}
	for n, ts := range byExercise {
		if !exists[n] {
			lr.fail("%s: %s belong to no exercise (there is no ex%d_*.go)", l.Dir, strings.Join(ts, ", "), n)
		}
	}

	sol := goTestJSON(append(raceFlags(), "-shuffle=on", "-count=1", "-timeout", "5m", "-overlay", solOverlay, pkg)...)
	stub := goTestJSON("-count=1", "-timeout", "5m", pkg)
	good := 0
	for _, t := range tests {
		key := pkgPath + " " + t
		ok := true
		if sol.tests[key] != "pass" {
			ok = false
			lr.fail("%s: %s does not pass on the solution:\n%s", l.Dir, t, tail(sol.outputOf(key)+sol.raw, 30))
		}
		switch stub.tests[key] {
		case "fail":
		case "pass":
			ok = false
			lr.fail("%s: %s PASSES on the stub: it checks nothing the stub lacks", l.Dir, t)
		default:
			ok = false
			lr.fail("%s: %s did not run on the stubs (do they compile? does one panic?):\n%s", l.Dir, t, tail(stub.raw+stub.outputOf(pkgPath), 30))
		}
		if ok {
			good++
			lr.passed++
		}
	}
	lr.tests = good

	// The catalogue of wrong answers, two at a time.
	type job struct {
		e course.Exercise
		w course.Wrong
	}
	var jobs []job
	for _, e := range l.Exercises {
		if len(e.Wrong) < minWrong {
			lr.fail("%s: %d wrong answers catalogued, want at least %d in %s/",
				e.ID, len(e.Wrong), minWrong, course.WrongDir(e.Lesson, strings.TrimSuffix(filepath.Base(e.Stub), ".go")))
		}
		for _, w := range e.Wrong {
			jobs = append(jobs, job{e, w})
		}
	}
	verdicts := make([]string, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, min(2, runtime.NumCPU())))
	for i, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			verdicts[i] = checkWrong(tmp, l, solutions, j.e, j.w, fmt.Sprintf("%s-wrong-%d.json", l.Dir, i))
		})
	}
	wg.Wait()
	caught := 0
	for i, v := range verdicts {
		if v == "" {
			caught++
			lr.passed++
			continue
		}
		lr.fail("%s wrong answer %s (%s): %s", jobs[i].e.ID, filepath.Base(jobs[i].w.Path), jobs[i].w.Mistake, v)
	}
	lr.wrong, lr.caught = len(jobs), caught
	lr.line = fmt.Sprintf("%s: %d/%d tests, %d/%d wrong answers caught", l.Dir, good, len(tests), caught, len(jobs))
	return lr
}

// checkWrong runs exercise e's tests with w in place of its stub and
// returns "" when they catch it, or what went wrong.
func checkWrong(tmp string, l course.Lesson, solutions map[string]string, e course.Exercise, w course.Wrong, name string) string {
	if w.Caught == "" || w.Mistake == "" {
		return `missing "// Mistake:" or "// Caught:" line`
	}
	files := map[string]string{}
	for stub, sol := range solutions {
		files[stub] = sol
	}
	files[e.Stub] = w.Path
	ov, err := writeOverlay(tmp, name, files)
	if err != nil {
		return err.Error()
	}
	pkgPath := importPath(l.ExercisesDir())
	// vet is off: the course's files are vetted by the vet step.
	tr := goTestJSONEnv([]string{"GOMAXPROCS=1"}, "-vet=off", "-count=1", "-timeout", wrongTimeout.String(), "-run", e.TestPattern(), "-overlay", ov, "./"+l.ExercisesDir())
	var failed []string
	var output strings.Builder
	for key, action := range tr.tests {
		if action == "fail" {
			failed = append(failed, strings.TrimPrefix(key, pkgPath+" "))
			output.WriteString(tr.outputOf(key))
		}
	}
	output.WriteString(tr.outputOf(pkgPath))
	output.WriteString(tr.raw)
	switch {
	case tr.pkgs[pkgPath] == "" && len(failed) == 0, strings.Contains(tr.raw+tr.outputOf(pkgPath), "[build failed]"):
		return "does not compile (a wrong answer must compile, or it checks nothing):\n" + tail(output.String(), 10)
	case len(failed) == 0 && tr.pkgs[pkgPath] == "fail":
		// The test binary died outside any test's own goroutine (a panic
		// in a goroutine the answer started, a watchdog's exit): go test
		// reports no test as failed, but the answer was caught all the
		// same, provided the output names the mistake.
		if !strings.Contains(output.String(), w.Caught) {
			return fmt.Sprintf("the test binary failed, but the output does not contain %q:\n%s", w.Caught, tail(output.String(), 12))
		}
	case len(failed) == 0:
		return fmt.Sprintf("NOT CAUGHT: every %s test passes with it", e.ID)
	case !strings.Contains(output.String(), w.Caught):
		sort.Strings(failed)
		return fmt.Sprintf("caught by %s, but the output does not contain %q:\n%s", strings.Join(failed, ", "), w.Caught, tail(output.String(), 12))
	}
	return ""
}

// writeOverlay writes a go build -overlay file that replaces each file
// (a course path) with another (also a course path), both in workdir.
func writeOverlay(tmp, name string, replace map[string]string) (string, error) {
	ov := map[string]map[string]string{"Replace": {}}
	for from, to := range replace {
		ov["Replace"][filepath.Join(workdir, filepath.FromSlash(from))] = filepath.Join(workdir, filepath.FromSlash(to))
	}
	data, err := json.Marshal(ov)
	if err != nil {
		return "", err
	}
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

// importPath maps a directory such as 01_retry/exercises to its import
// path; module paths mirror directories under the reliability/ prefix.
func importPath(dir string) string {
	return "reliability/" + filepath.ToSlash(dir)
}
