// Command check is the workshop's test command (make test). It runs every
// check a change must pass and ends with a short summary:
//
//   - the course's shape: every exercise has a title, a hint, a run
//     command, tests and a solution, and exercises.sum matches the stubs;
//   - formatting (gofmt), go vet and staticcheck over every module;
//   - go test -race -shuffle=on over every package except the exercises;
//   - each lesson's exercise tests against solutions/ (all must pass),
//     against the pristine stubs (every test must fail, so no exercise
//     test can pass vacuously) and against every catalogued wrong answer
//     (each must be caught, with the message it names);
//   - go mod tidy -diff in every module;
//   - a run of every lesson's demo: default flags, -h and its other modes,
//     every line within 80 columns.
//
// A learner's own exercise files never make it fail. Files under
// NN_topic/exercises/ that differ from exercises.sum are the learner's
// work: the course is checked on a copy of the tree holding the pristine
// files, and the learner's exercises are reported apart. With CI set, a
// difference is an error instead: the course itself must match its list.
//
// Run it from the repository root: go run ./tools/check. Flags select
// steps; -h lists them.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"reliability/workshop/course"
)

// config is what the flags and the environment decide for one run.
type config struct {
	lesson string // -lesson: limit the exercise steps to one lesson
	race   bool   // the race detector works here
	strict bool   // CI: learner-looking changes are errors
}

var cfg config

// workdir is where the checks run: the repository root, or a pristine
// copy of it when the learner has changed exercise files.
var workdir string

func main() {
	only := flag.String("only", "", "run only these steps, comma-separated: "+strings.Join(stepNames(), ","))
	flag.StringVar(&cfg.lesson, "lesson", "", "limit the exercise checks to one lesson: 2, 02 or 02_timeout")
	yours := flag.Bool("yours", false, "run YOUR exercises (the files as they are now) and report each one")
	writeSum := flag.Bool("write-sum", false, "rewrite "+course.ManifestFile+" from the exercise files as they are now")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./tools/check [-only steps] [-lesson L] [-yours] [-write-sum]\n\n")
		fmt.Fprintf(os.Stderr, "Runs the workshop's checks from the repository root and prints a summary.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "check: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	root, err := os.Getwd()
	if err == nil {
		_, err = os.Stat("go.work")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "check: run me from the repository root (where go.work is)")
		os.Exit(2)
	}
	c, err := course.Load(root)
	if err != nil {
		fatal(err)
	}
	if cfg.lesson != "" {
		l, err := c.FindLesson(cfg.lesson)
		if err != nil {
			fmt.Fprintln(os.Stderr, "check:", err)
			os.Exit(2)
		}
		cfg.lesson = l.Dir
	}
	switch {
	case *writeSum:
		os.Exit(writeManifest(c))
	case *yours:
		cfg.race = raceSupport()
		os.Exit(reportYours(c, nil, true))
	}
	selected, err := selectSteps(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	cfg.strict = os.Getenv("CI") != ""
	// Every exercise check builds with -overlay.
	os.Setenv("GODEBUG", course.OverlayGODEBUG())
	if os.Getenv("GORACE") == "" {
		// A race-enabled test binary sleeps a second before exiting, to
		// let reports flush; the reports here are read from its output
		// after it exits anyway.
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	cfg.race = raceSupport()

	m, err := c.ReadManifest()
	if err != nil {
		fatal(err)
	}
	changes, err := c.Diff(m)
	if err != nil {
		fatal(err)
	}
	workdir = root
	learner := !cfg.strict && len(changes) > 0
	if learner {
		fmt.Printf("note: %d exercise file(s) differ from the course (your work); checking the course on a pristine copy\n", len(changes))
		dir, err := pristineCopy(c, m)
		if err != nil {
			fatal(err)
		}
		workdir = dir
	}
	ws, err := loadWorkspace()
	if err != nil {
		fatal(err)
	}
	wc, err := course.Load(workdir)
	if err != nil {
		fatal(err)
	}
	ws.course = wc
	ws.changes = changes

	var results []result
	for _, s := range selected {
		fmt.Printf("==> %s\n", s.name)
		start := time.Now()
		r := s.run(ws)
		r.step, r.took = s.name, time.Since(start)
		if r.failed > 0 && r.detail != "" {
			fmt.Println(indent(r.detail))
		}
		fmt.Printf("    %s (%s)\n", r.status(), r.took.Round(100*time.Millisecond))
		results = append(results, r)
	}
	if learner {
		fmt.Printf("==> your exercises (reported apart; they never fail make test)\n")
		reportYours(c, changes, false)
	}
	os.Exit(summarize(results))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "check:", err)
	os.Exit(1)
}

// raceSupport says whether -race can work here, and says once, in one
// line, what to do when it cannot. On most platforms the race detector
// needs cgo, and cgo needs a C compiler; without one the go command
// quietly sets CGO_ENABLED=0 and every -race build fails.
func raceSupport() bool {
	out, err := run(0, "go", "env", "CGO_ENABLED", "CC")
	f := strings.Fields(out)
	why := "no C compiler"
	if err == nil && len(f) >= 2 && f[0] == "1" {
		if _, err := exec.LookPath(f[1]); err == nil {
			return true
		}
	} else if len(f) > 0 && f[0] == "0" {
		why = "CGO_ENABLED=0"
	}
	how := "gcc or clang"
	if runtime.GOOS == "windows" {
		how = "a mingw-w64 gcc on PATH"
	}
	fmt.Printf("note: race detector off (%s; -race needs cgo and %s); tests run without it\n", why, how)
	return false
}

// raceFlags returns -race when the race detector works.
func raceFlags() []string {
	if cfg.race {
		return []string{"-race"}
	}
	return nil
}

// result is the outcome of one step. passed and failed count checks (a
// test, a file, a module), so the closing line adds up to something real.
type result struct {
	step           string
	passed, failed int
	line           string // one-line description for the summary
	detail         string // what went wrong, printed under the step
	took           time.Duration
}

func (r result) status() string {
	if r.failed > 0 {
		return "FAIL: " + r.line
	}
	return "ok: " + r.line
}

type step struct {
	name string
	run  func(*workspace) result
}

var steps = []step{
	{"course", runCourse},
	{"gofmt", runGofmt},
	{"vet", runVet},
	{"staticcheck", runStaticcheck},
	{"tests", runTests},
	{"exercises", runExercises},
	{"tidy", runTidy},
	{"demos", runDemos},
}

func stepNames() []string {
	var names []string
	for _, s := range steps {
		names = append(names, s.name)
	}
	return names
}

func selectSteps(only string) ([]step, error) {
	if only == "" {
		return steps, nil
	}
	var out []step
	for _, name := range strings.Split(only, ",") {
		found := false
		for _, s := range steps {
			if s.name == strings.TrimSpace(name) {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown step %q (steps: %s)", name, strings.Join(stepNames(), ", "))
		}
	}
	return out, nil
}

func summarize(results []result) int {
	fmt.Printf("\n== make test summary %s\n", strings.Repeat("=", 50))
	passed, failed := 0, 0
	for _, r := range results {
		mark := "ok  "
		if r.failed > 0 {
			mark = "FAIL"
		}
		fmt.Printf("  %s  %-12s %s\n", mark, r.step, r.line)
		passed += r.passed
		failed += r.failed
	}
	fmt.Printf("\ntotal: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// workspace describes the modules listed in go.work.
type workspace struct {
	modules []string // module directories, relative, e.g. "01_retry"
	lessons []string // lesson modules: directories named NN_topic
	course  *course.Course
	changes []course.Change // the learner's exercise files, if any
}

func loadWorkspace() (*workspace, error) {
	out, err := run(0, "go", "list", "-m", "-f", "{{.Dir}}")
	if err != nil {
		return nil, fmt.Errorf("listing workspace modules: %w\n%s", err, out)
	}
	root, err := filepath.EvalSymlinks(workdir)
	if err != nil {
		return nil, err
	}
	ws := &workspace{}
	for _, dir := range strings.Fields(string(out)) {
		if d, err := filepath.EvalSymlinks(dir); err == nil {
			dir = d
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		ws.modules = append(ws.modules, rel)
		if course.IsLessonDir(rel) {
			ws.lessons = append(ws.lessons, rel)
		}
	}
	sort.Strings(ws.modules)
	sort.Strings(ws.lessons)
	return ws, nil
}

// run runs a command in workdir and returns its combined output. A
// timeout of zero means none.
func run(timeout time.Duration, name string, args ...string) (string, error) {
	return runEnv(timeout, nil, name, args...)
}

// runEnv is run with extra environment variables ("K=V").
func runEnv(timeout time.Duration, env []string, name string, args ...string) (string, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = workdir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	// If the process is killed but left children holding the output pipe,
	// stop waiting for them soon after.
	cmd.WaitDelay = 5 * time.Second
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v", timeout)
	}
	return buf.String(), err
}

func runGofmt(ws *workspace) result {
	out, err := run(0, "gofmt", append([]string{"-l"}, ws.modules...)...)
	files := strings.Fields(out)
	if err != nil {
		return result{failed: 1, line: "gofmt could not run", detail: out}
	}
	if len(files) > 0 {
		return result{failed: len(files), line: fmt.Sprintf("%d files need gofmt -w", len(files)), detail: strings.Join(files, "\n")}
	}
	return result{passed: 1, line: "every file is formatted"}
}

func runVet(*workspace) result {
	out, err := run(0, "go", "vet", "work")
	if err != nil {
		return result{failed: 1, line: "go vet found problems", detail: out}
	}
	return result{passed: 1, line: "go vet clean"}
}

func runStaticcheck(*workspace) result {
	// The version is pinned by the tool directive in tools/go.mod, so every
	// machine runs the same checks without installing anything.
	out, err := run(0, "go", "tool", "staticcheck", "work")
	if err != nil {
		return result{failed: 1, line: "staticcheck found problems", detail: out}
	}
	return result{passed: 1, line: "staticcheck clean"}
}

// runTidy checks that every module stands on its own: go mod tidy would
// not change it, and it builds and vets with the workspace switched off.
// The second half matters because module paths here have no dot, so go
// mod tidy mistakes a missing sibling require for a standard-library
// import and says nothing; only a build outside the workspace notices.
func runTidy(ws *workspace) result {
	var bad []string
	detail := ""
	for _, m := range ws.modules {
		for _, args := range [][]string{{"mod", "tidy", "-diff"}, {"vet", "./..."}} {
			cmd := exec.Command("go", args...)
			cmd.Dir = filepath.Join(workdir, m)
			cmd.Env = append(os.Environ(), "GOWORK=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				bad = append(bad, m)
				detail += fmt.Sprintf("%s: go %s:\n%s\n", m, strings.Join(args, " "), out)
				break
			}
		}
	}
	if len(bad) > 0 {
		return result{passed: len(ws.modules) - len(bad), failed: len(bad),
			line: "not tidy or not self-contained: " + strings.Join(bad, ", "), detail: detail}
	}
	return result{passed: len(ws.modules), line: fmt.Sprintf("all %d modules tidy and self-contained (GOWORK=off)", len(ws.modules))}
}

// demoTimeout bounds one demo run. The demos take seconds; a minute means
// one is stuck.
const demoTimeout = time.Minute

// demoWidth is the widest line a demo may print: a projector, a split
// terminal.
const demoWidth = 80

// runDemos builds every lesson's demo and runs it with its default flags,
// with -h, and in each extra mode its -h lists (-sim, -json), checking
// that every run succeeds and that every line fits demoWidth columns. It
// runs the built binary rather than go run, so that the timeout kills the
// demo itself and not just the go command in front of it.
func runDemos(ws *workspace) result {
	r := result{}
	tmp, err := os.MkdirTemp("", "demos-")
	if err != nil {
		return result{failed: 1, line: err.Error()}
	}
	defer os.RemoveAll(tmp)
	var lines []string
	for _, l := range ws.lessons {
		if _, err := os.Stat(filepath.Join(workdir, l, "main.go")); err != nil {
			continue
		}
		bin := filepath.Join(tmp, l)
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		if out, err := run(0, "go", "build", "-o", bin, "./"+l); err != nil {
			r.failed++
			r.detail += fmt.Sprintf("go build ./%s: %v\n%s\n", l, err, tail(out, 30))
			lines = append(lines, l+" did not build")
			continue
		}
		help, _ := run(demoTimeout, bin, "-h")
		modes := [][]string{{}, {"-h"}}
		// -json prints a mode's numbers as JSON: the simulation's where
		// the demo has one (lesson 01), the demo's own otherwise.
		sim, json := strings.Contains(help, "  -sim"), strings.Contains(help, "  -json")
		switch {
		case sim && json:
			modes = append(modes, []string{"-sim"}, []string{"-sim", "-json"})
		case sim:
			modes = append(modes, []string{"-sim"})
		case json:
			modes = append(modes, []string{"-json"})
		}
		ok := true
		var took time.Duration
		for _, args := range modes {
			name := strings.TrimSpace("./" + l + " " + strings.Join(args, " "))
			start := time.Now()
			out, err := run(demoTimeout, bin, args...)
			if len(args) == 0 {
				took = time.Since(start).Round(100 * time.Millisecond)
			}
			if err != nil {
				ok = false
				r.detail += fmt.Sprintf("demo %s: %v\n%s\n", name, err, tail(out, 30))
				continue
			}
			if wide := wideLines(out, demoWidth); len(wide) > 0 {
				ok = false
				r.detail += fmt.Sprintf("demo %s: %d lines wider than %d columns, e.g.:\n%s\n", name, len(wide), demoWidth, strings.Join(wide[:min(3, len(wide))], "\n"))
			}
		}
		if !ok {
			r.failed++
			lines = append(lines, l+" FAILED")
			continue
		}
		r.passed++
		lines = append(lines, fmt.Sprintf("%s (%v)", l, took))
	}
	r.line = fmt.Sprintf("%d demos ran (default, -h, modes; <= %d columns): %s", r.passed, demoWidth, strings.Join(lines, ", "))
	return r
}

// wideLines returns the lines of out wider than width columns: runes
// count one column each (the demos' box-drawing characters too) and a tab
// moves to the next multiple of 8, as a terminal shows it (flag's -h
// output indents with tabs).
func wideLines(out string, width int) []string {
	var wide []string
	for _, line := range strings.Split(out, "\n") {
		if n := columns(strings.TrimRight(line, "\r")); n > width {
			wide = append(wide, fmt.Sprintf("%3d | %s", n, line))
		}
	}
	return wide
}

func columns(line string) int {
	n := 0
	for _, r := range line {
		if r == '\t' {
			n += 8 - n%8
			continue
		}
		n++
	}
	return n
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
