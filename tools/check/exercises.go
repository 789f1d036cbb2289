package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
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
// Every build uses -overlay, so no file is touched. A lesson's wrong
// answers share one test binary (see batch.go), checked first by running
// each exercise's solution in it; the runs of all lessons share one pool
// of workers; a run whose inputs are byte-identical to one that passed
// before is not repeated (see cache.go).
func runExercises(ws *workspace, p *progress) result {
	tmp, err := os.MkdirTemp("", "exercises-")
	if err != nil {
		return result{failed: 1, line: err.Error()}
	}
	defer os.RemoveAll(tmp)

	var lessons []*lessonRun
	var wrongs []wrongJob
	for _, l := range ws.course.Lessons {
		if len(l.Exercises) == 0 || cfg.lesson != "" && cfg.lesson != l.Dir {
			continue
		}
		lr := newLessonRun(ws, l)
		for _, e := range l.Exercises {
			if len(e.Wrong) < minWrong {
				lr.res.fail("%s: %d wrong answers catalogued, want at least %d in %s/",
					e.ID, len(e.Wrong), minWrong, course.WrongDir(e.Lesson, strings.TrimSuffix(filepath.Base(e.Stub), ".go")))
			}
			for _, w := range e.Wrong {
				wrongs = append(wrongs, wrongJob{len(lessons), e, w})
			}
		}
		lessons = append(lessons, lr)
	}

	var (
		mu                     sync.Mutex
		lessonsDone, wrongDone int
	)
	report := func() {
		p.set("%d of %d wrong answers checked; lessons %d of %d", wrongDone, len(wrongs), lessonsDone, len(lessons))
	}
	report()
	verdicts := make([]string, len(wrongs))
	sem := make(chan struct{}, 2*max(1, runtime.NumCPU()))
	var wg sync.WaitGroup
	// slot runs f on one of the workers: twice as many as processors,
	// because a wrong answer that deadlocks waits seconds for the test's
	// watchdog, using no processor.
	slot := func(f func()) {
		sem <- struct{}{}
		defer func() { <-sem }()
		f()
	}
	checked := func(i int, verdict string) {
		mu.Lock()
		defer mu.Unlock()
		verdicts[i] = verdict
		wrongDone++
		report()
	}
	// Wrong answers first: they build without -race, on what vet
	// compiled. Those whose verdict is kept are done; the others of a
	// lesson share one batch binary (batch.go).
	pending := map[int][]int{} // lesson -> indexes in wrongs
	keys := make([]string, len(wrongs))
	for i, j := range wrongs {
		lr := lessons[j.lesson]
		keys[i] = lr.key("wrong", j.w.Path, ws.in.fileHash(j.w.Path), j.e.TestPattern())
		var v struct{}
		if ws.cache.get(keys[i], &v) {
			checked(i, "")
			continue
		}
		pending[j.lesson] = append(pending[j.lesson], i)
	}
	for li, idx := range pending {
		lr := lessons[li]
		var jobs []wrongJob
		for _, i := range idx {
			jobs = append(jobs, wrongs[i])
		}
		wg.Go(func() {
			lr.checkWrongs(tmp, jobs, slot, func(k int, verdict string) {
				i := idx[k]
				if verdict == "" {
					var kept struct{}
					ws.cache.put(keys[i], kept)
				}
				checked(i, verdict)
			})
		})
	}
	// The solution runs build with -race, on what the tests step
	// compiles, so they wait for it rather than compile it twice, and
	// take a worker only then.
	for _, lr := range lessons {
		wg.Go(func() {
			if cfg.race {
				waitStep("tests")
			}
			slot(func() { lr.check(tmp) })
			mu.Lock()
			lessonsDone++
			report()
			mu.Unlock()
		})
	}
	wg.Wait()

	for _, lr := range lessons {
		for _, c := range lr.controls {
			lr.res.fail("%s", c)
		}
		if lr.misplaced != "" {
			lr.res.fail("%s: an exercise's tests use a helper from another exercise's test file; "+
				"move it to a test file no exercise owns (helpers_test.go, say):\n%s", lr.l.Dir, lr.misplaced)
		}
	}
	for i, v := range verdicts {
		lr := lessons[wrongs[i].lesson]
		lr.wrong++
		if v == "" {
			lr.caught++
			lr.res.passed++
			continue
		}
		lr.res.fail("%s wrong answer %s (%s): %s", wrongs[i].e.ID, filepath.Base(wrongs[i].w.Path), wrongs[i].w.Mistake, v)
	}
	r := result{}
	var perLesson []string
	totalTests, totalWrong, caughtWrong := 0, 0, 0
	for _, lr := range lessons {
		r.passed += lr.res.passed
		r.failed += lr.res.failed
		r.detail += lr.res.detail
		totalTests += lr.res.tests
		totalWrong += lr.wrong
		caughtWrong += lr.caught
		line := fmt.Sprintf("%s: %d/%d tests, %d/%d wrong answers caught",
			lr.l.Dir, lr.res.tests, lr.res.listed, lr.caught, lr.wrong)
		if lr.unbatched != "" {
			line += " (one go test each: the batch binary did not build)"
			r.detail += fmt.Sprintf("%s: the batch binary did not build:\n%s\n", lr.l.Dir, lr.unbatched)
		}
		perLesson = append(perLesson, line)
	}
	r.line = fmt.Sprintf("%d tests pass on solutions and fail on stubs; %d of %d wrong answers caught\n%s",
		totalTests, caughtWrong, totalWrong, strings.Join(perLesson, "\n"))
	return r
}

// wrongJob is one catalogued wrong answer to check.
type wrongJob struct {
	lesson int // index in the step's lessons
	e      course.Exercise
	w      course.Wrong
}

// checkWrongs checks some of the lesson's wrong answers, each job on a
// worker that slot provides, and calls done with each job's index in jobs
// and its verdict ("" when it was caught).
func (lr *lessonRun) checkWrongs(tmp string, jobs []wrongJob, slot func(func()), done func(k int, verdict string)) {
	var b *wrongBatch
	controls := lr.controlsFor(jobs)
	slot(func() { b = lr.buildWrongBatch(tmp, append(slices.Clone(jobs), controls...)) })
	trusted := map[int]bool{}
	if b != nil {
		trusted = lr.runControls(b, controls, slot)
	}
	var wg sync.WaitGroup
	for k, j := range jobs {
		wg.Go(func() {
			slot(func() {
				// An exercise whose control failed has its wrong answers
				// run one go test each, as they would without a batch.
				if b != nil && trusted[j.e.Number] {
					done(k, judgeWrong(b.run(j.e, j.w), b.pkgPath, j.e, j.w))
				} else {
					done(k, checkWrong(tmp, lr.l, lr.solutions, j.e, j.w, fmt.Sprintf("%s-wrong-%d.json", lr.l.Dir, k)))
				}
			})
		})
	}
	wg.Wait()
}

// controlsFor returns one control per exercise among jobs, in exercise
// order: the exercise's solution, put in a copy made like the wrong
// answers' copies. All its tests must pass, which proves the copy tests
// what go test on the package tests.
func (lr *lessonRun) controlsFor(jobs []wrongJob) []wrongJob {
	byNumber := map[int]wrongJob{}
	for _, j := range jobs {
		byNumber[j.e.Number] = wrongJob{j.lesson, j.e, course.Wrong{Path: j.e.Solution}}
	}
	var controls []wrongJob
	for _, n := range slices.Sorted(maps.Keys(byNumber)) {
		controls = append(controls, byNumber[n])
	}
	return controls
}

// buildWrongBatch builds the lesson's batch binary for jobs, or returns
// nil, having recorded why, when none can be built.
func (lr *lessonRun) buildWrongBatch(tmp string, jobs []wrongJob) *wrongBatch {
	if test2json() == "" {
		lr.unbatched = "go tool test2json is not available"
		return nil
	}
	b, problem := buildBatch(tmp, lr, jobs, true)
	if b != nil {
		return b
	}
	// Either a wrong answer does not compile (then neither build works,
	// and the runs one by one name it), or an exercise's tests use a
	// helper from another exercise's test file. That is a fault of the
	// course: a helper that several exercises use lives in a test file no
	// exercise owns, so that each copy compiles only what its exercise
	// needs.
	narrow := problem
	if b, problem = buildBatch(tmp, lr, jobs, false); b != nil {
		lr.misplaced = narrow
		return b
	}
	// Slower, but it names a wrong answer that does not compile; the
	// summary says why it ran this way.
	lr.unbatched = problem
	return nil
}

// runControls runs each control in b and returns the exercises whose
// control passed; the others are recorded as the lesson's failures.
func (lr *lessonRun) runControls(b *wrongBatch, controls []wrongJob, slot func(func())) map[int]bool {
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		trusted = map[int]bool{}
	)
	for _, c := range controls {
		wg.Go(func() {
			slot(func() {
				problem := judgeControl(b.run(c.e, c.w), b.pkgPath)
				mu.Lock()
				defer mu.Unlock()
				if problem == "" {
					trusted[c.e.Number] = true
					return
				}
				lr.controls = append(lr.controls, fmt.Sprintf("%s: its tests do not all pass on the solution "+
					"in the copy the wrong answers run in (one that holds the shared test files and %s's own): %s",
					c.e.ID, filepath.Base(c.e.Test), problem))
			})
		})
	}
	wg.Wait()
	sort.Strings(lr.controls)
	return trusted
}

// lessonRun is one lesson's part of the exercises step.
type lessonRun struct {
	ws        *workspace
	l         course.Lesson
	solutions map[string]string // stub -> solution, both course paths
	base      string            // hash of everything the lesson's runs read
	res       lessonResult
	unbatched string   // why the wrong answers ran one go test each, if they did
	misplaced string   // why the copies needed every test file, if they did
	controls  []string // exercises whose solution failed in its copy
	wrong     int      // catalogued wrong answers
	caught    int      // ... of which the tests caught
}

// lessonResult is the outcome of a lesson's checks.
type lessonResult struct {
	passed, failed int
	tests, listed  int // tests that pass on solutions and fail on stubs; all tests
	detail         string
}

// lessonVerdict is what the verdict cache keeps of a lesson's solution
// and stub runs that passed.
type lessonVerdict struct{ Tests, Listed int }

func (lr *lessonResult) fail(format string, args ...any) {
	lr.failed++
	lr.detail += fmt.Sprintf(format, args...) + "\n"
}

func newLessonRun(ws *workspace, l course.Lesson) *lessonRun {
	lr := &lessonRun{ws: ws, l: l, solutions: map[string]string{}}
	var sols []string
	for _, e := range l.Exercises {
		lr.solutions[e.Stub] = e.Solution
		sols = append(sols, e.Stub, e.Solution, ws.in.fileHash(e.Solution))
	}
	// The lesson module (its tests and stubs), the modules it uses, and
	// the solutions put in place of its stubs.
	lr.base = ws.in.moduleKey([]string{l.Dir}, append([]string{"exercises", strings.Join(raceFlags(), " ")}, sols...)...)
	return lr
}

// key is the verdict cache key of one of the lesson's runs.
func (lr *lessonRun) key(parts ...string) string {
	return hashStrings(append([]string{lr.base}, parts...)...)
}

// check runs the lesson's tests on the solutions (all must pass) and on
// the stubs (all must fail), and checks the tests' names.
func (lr *lessonRun) check(tmp string) {
	l := lr.l
	key := lr.key("solutions and stubs")
	var cached lessonVerdict
	if lr.ws.cache.get(key, &cached) {
		lr.res.tests, lr.res.listed = cached.Tests, cached.Listed
		lr.res.passed += cached.Tests
		return
	}
	res := &lr.res
	before := res.failed
	pkg := "./" + l.ExercisesDir()
	pkgPath := importPath(l.ExercisesDir())
	solOverlay, err := writeOverlay(tmp, l.Dir+"-solutions.json", lr.solutions)
	if err != nil {
		res.fail("%s: %v", l.Dir, err)
		return
	}
	if cfg.race {
		waitStep("tests")
	}
	sol := goTestJSONEnv(nil, append(raceFlags(), "-shuffle=on", "-count=1", "-timeout", "5m", "-ldflags=-w", "-overlay", solOverlay, pkg)...)
	// The tests that ran on the solutions, in the order they ran; the
	// solution run runs them all, so they are the package's tests.
	var tests []string
	for _, key := range sol.order {
		if t, ok := strings.CutPrefix(key, pkgPath+" "); ok && !slices.Contains(tests, t) {
			tests = append(tests, t)
		}
	}
	sort.Strings(tests)
	if len(tests) == 0 {
		res.fail("%s: no test ran on the solutions (do they compile?):\n%s", l.Dir, tail(sol.raw+sol.outputOf(pkgPath), 30))
		return
	}

	// Names: every test belongs to an exercise, every exercise has tests.
	byExercise := map[int][]string{}
	for _, t := range tests {
		n, ok := course.TestExercise(t)
		if !ok {
			res.fail("%s: test %s is not named TestEx<k><Name>, so no -run Ex<k> selects it", l.Dir, t)
			continue
		}
		byExercise[n] = append(byExercise[n], t)
	}
	exists := map[int]bool{}
	for _, e := range l.Exercises {
		exists[e.Number] = true
		if len(byExercise[e.Number]) == 0 {
			res.fail("%s: exercise %d has no TestEx%d... tests", l.Dir, e.Number, e.Number)
		}
	}
	for n, ts := range byExercise {
		if !exists[n] {
			res.fail("%s: %s belong to no exercise (there is no ex%d_*.go)", l.Dir, strings.Join(ts, ", "), n)
		}
	}

	// vet is off: the vet step vets the stubs as they are on disk.
	stub := goTestJSON("-vet=off", "-count=1", "-timeout", "5m", "-ldflags=-w", pkg)
	good := 0
	for _, t := range tests {
		key := pkgPath + " " + t
		ok := true
		if sol.tests[key] != "pass" {
			ok = false
			res.fail("%s: %s does not pass on the solution:\n%s", l.Dir, t, tail(sol.outputOf(key)+sol.raw, 30))
		}
		switch stub.tests[key] {
		case "fail":
		case "pass":
			ok = false
			res.fail("%s: %s PASSES on the stub: it checks nothing the stub lacks", l.Dir, t)
		default:
			ok = false
			res.fail("%s: %s did not run on the stubs (do they compile? does one panic?):\n%s", l.Dir, t, tail(stub.raw+stub.outputOf(pkgPath), 30))
		}
		if ok {
			good++
			res.passed++
		}
	}
	res.tests, res.listed = good, len(tests)
	if res.failed == before {
		lr.ws.cache.put(key, lessonVerdict{Tests: good, Listed: len(tests)})
	}
}

// checkWrong runs exercise e's tests with w in place of its stub and
// returns "" when they catch it, or what went wrong.
func checkWrong(tmp string, l course.Lesson, solutions map[string]string, e course.Exercise, w course.Wrong, name string) string {
	files := map[string]string{}
	for stub, sol := range solutions {
		files[stub] = sol
	}
	files[e.Stub] = w.Path
	ov, err := writeOverlay(tmp, name, files)
	if err != nil {
		return err.Error()
	}
	// vet is off: the course's files are vetted by the vet step.
	// -ldflags=-w leaves out debugging information, a third of the
	// link's work; a failure's stack trace does not need it.
	tr := goTestJSONEnv([]string{"GOMAXPROCS=1"},
		"-vet=off", "-count=1", "-timeout", wrongTimeout.String(), "-ldflags=-w", "-run", e.TestPattern(), "-overlay", ov, "./"+l.ExercisesDir())
	return judgeWrong(tr, importPath(l.ExercisesDir()), e, w)
}

// judgeControl reads the run of an exercise's tests on its solution and
// returns "" when every test ran and passed, or what went wrong.
func judgeControl(tr testRun, pkgPath string) string {
	ran := 0
	var failed []string
	for key, action := range tr.tests {
		ran++
		if action != "pass" {
			failed = append(failed, strings.TrimPrefix(key, pkgPath+" "))
		}
	}
	sort.Strings(failed)
	switch {
	case len(failed) > 0:
		return strings.Join(failed, ", ") + " failed:\n" + head(tr.outputOf(pkgPath+" "+failed[0])+tr.raw, 12)
	case ran == 0 || tr.pkgs[pkgPath] != "pass":
		return "no test ran, or the binary failed:\n" + tail(tr.outputOf(pkgPath)+tr.raw, 12)
	}
	return ""
}

// judgeWrong reads the run of exercise e's tests with w in place of its
// stub and returns "" when they caught it, or what went wrong.
func judgeWrong(tr testRun, pkgPath string, e course.Exercise, w course.Wrong) string {
	if w.Caught == "" || w.Mistake == "" {
		return `missing "// Mistake:" or "// Caught:" line`
	}
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
//
// It also adds, in each directory it touches, an empty Go file whose name
// is a hash of the replacements' contents. The go command's module index
// keys what it remembers of a directory by its file names, sizes and
// modification times, and an overlaid file shows the size and time of
// its replacement: two overlays whose replacements happen to share them
// (files written within the same clock tick, say) would get the same
// entry, and one build the other's import list. The extra name makes
// every overlay's key its own, so the index can stay on.
func writeOverlay(tmp, name string, replace map[string]string) (string, error) {
	ov := map[string]map[string]string{"Replace": {}}
	h := sha256.New()
	dirs := map[string]string{} // directory -> package clause of a file in it
	for _, from := range sortedKeys(replace) {
		to := replace[from]
		src, err := os.ReadFile(filepath.Join(workdir, filepath.FromSlash(to)))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %x\n", from, sha256.Sum256(src))
		ov["Replace"][filepath.Join(workdir, filepath.FromSlash(from))] = filepath.Join(workdir, filepath.FromSlash(to))
		if m := packageRE.FindSubmatch(src); m != nil {
			dirs[filepath.Dir(filepath.Join(workdir, filepath.FromSlash(from)))] = string(m[1])
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	for dir, pkg := range dirs {
		marker := filepath.Join(tmp, "overlay-"+sum+"-"+pkg+".go")
		if err := os.WriteFile(marker, []byte("package "+pkg+"\n"), 0o644); err != nil {
			return "", err
		}
		ov["Replace"][filepath.Join(dir, "zz_overlay_"+sum+".go")] = marker
	}
	data, err := json.Marshal(ov)
	if err != nil {
		return "", err
	}
	path := filepath.Join(tmp, name)
	return path, os.WriteFile(path, data, 0o644)
}

var packageRE = regexp.MustCompile(`(?m)^package (\w+)`)

// importPath maps a directory such as 01_retry/exercises to its import
// path; module paths mirror directories under the reliability/ prefix.
func importPath(dir string) string {
	return "reliability/" + filepath.ToSlash(dir)
}
