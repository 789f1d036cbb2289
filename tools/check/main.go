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
//   - go mod tidy -diff in every module, and go.work.sum already holding
//     every checksum the go command would add to it;
//   - a run of every lesson's demo: default flags, -h and its other modes,
//     every line within 80 columns; and make help within 80 columns.
//
// Steps that do not depend on each other run at the same time, and each
// running step reports its progress every few seconds. Checks that passed
// before with byte-identical inputs are not run again (see cache.go);
// -fresh, or CI set in the environment, runs everything.
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
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
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

// width is the widest line make test, make help, the demos and the
// runner may print: a projector, a split terminal.
const width = 80

func main() {
	only := flag.String("only", "", "run only these steps, comma-separated:\n"+strings.Join(stepNames(), ","))
	flag.StringVar(&cfg.lesson, "lesson", "", "limit the exercise checks to one lesson: 2, 02 or 02_timeout")
	yours := flag.Bool("yours", false, "run YOUR exercises (the files as they are now), one verdict each")
	writeSum := flag.Bool("write-sum", false, "rewrite "+course.ManifestFile+" from the exercise files as they are now")
	fresh := flag.Bool("fresh", false, "run every check, ignoring verdicts kept from earlier runs")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./tools/check [-only steps] [-lesson L] [-fresh]\n")
		fmt.Fprintf(os.Stderr, "       go run ./tools/check -yours [-lesson L]\n")
		fmt.Fprintf(os.Stderr, "       go run ./tools/check -write-sum\n\n")
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
		line := reportYours(c, nil, true)
		fmt.Println(wrap(line, "", "    "))
		// The verdict is that line; make must not add one of its own.
		os.Exit(0)
	}
	selected, err := selectSteps(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
	cfg.strict = os.Getenv("CI") != ""
	if os.Getenv("GORACE") == "" {
		// A race-enabled test binary sleeps a second before exiting, to
		// let reports flush; the reports here are read from its output
		// after it exits anyway.
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	cfg.race = raceSupport()
	begin := time.Now()

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
		printWrapped(fmt.Sprintf("note: %d exercise file(s) differ from the course (your work); "+
			"checking the course on a pristine copy", len(changes)), "", "      ")
		dir, err := pristineCopy(c, m)
		if err != nil {
			fatal(err)
		}
		workdir = dir
		// Interrupted, the run still hands its copy on to the next one.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-sig
			releaseSlot()
			os.Exit(130)
		}()
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
	// CI proves the tree as it is: a verdict kept from an earlier run on
	// the same machine, however honestly obtained, is not that proof.
	ws.cache = openVerdictCache(*fresh || cfg.strict)
	if ws.in, err = hashInputs(ws); err != nil {
		fatal(err)
	}

	var yourLine string
	extra := []task{}
	if learner {
		// The learner's exercises run in the tree itself, beside the
		// course's checks; their lines are printed at the end.
		var out bytes.Buffer
		extra = append(extra, task{name: "yours", after: []string{"tests"}, run: func(p *progress) {
			p.set("running the exercise tests of the lessons you changed")
			yourLine = reportYoursTo(&out, c, changes, false)
		}, done: func() {
			fmt.Printf("==> your exercises (reported apart; they never fail make test)\n")
			fmt.Print(out.String())
			fmt.Println(wrap(yourLine, "    ", "      "))
		}})
	} else {
		yourLine = untouchedLine(wc)
	}
	results := runSteps(ws, selected, extra)
	status := summarize(results, yourLine, ws.cache, time.Since(begin))
	releaseSlot()
	os.Exit(status)
}

func fatal(err error) {
	releaseSlot()
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
	printWrapped(fmt.Sprintf("note: race detector off (%s; -race needs cgo and %s); tests run without it", why, how), "", "      ")
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

func (r result) mark() string {
	if r.failed > 0 {
		return "FAIL"
	}
	return "ok"
}

// step is one check. after names the steps that must finish first: not
// because they decide anything, but because they fill the build cache
// this one reads, so that no package is compiled twice at the same time.
type step struct {
	name  string
	after []string
	run   func(*workspace, *progress) result
}

var steps = []step{
	{"course", nil, runCourse},
	{"gofmt", nil, runGofmt},
	{"vet", nil, runVet},
	{"staticcheck", []string{"vet"}, runStaticcheck},
	{"tests", nil, runTests},
	// The exercises' race-enabled runs wait for tests inside the step.
	{"exercises", []string{"vet"}, runExercises},
	{"tidy", []string{"vet"}, runTidy},
	{"demos", []string{"vet"}, runDemos},
	{"lines", nil, runLines},
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

// task is a step as the scheduler sees it.
type task struct {
	name  string
	after []string
	run   func(*progress)
	done  func() // prints the outcome, once the task has finished
}

// progressEvery is how often a running step says how far it got.
const progressEvery = 10 * time.Second

// runSteps runs the selected steps, each as soon as the steps it waits
// for have finished (a step that was not selected is not waited for), and
// prints each outcome as it comes, with a progress line for every step
// still running every progressEvery.
func runSteps(ws *workspace, selected []step, extra []task) []result {
	results := make([]result, len(selected))
	var tasks []task
	for i, s := range selected {
		tasks = append(tasks, task{name: s.name, after: s.after, run: func(p *progress) {
			start := time.Now()
			r := s.run(ws, p)
			r.step, r.took = s.name, time.Since(start)
			results[i] = r
		}, done: func() {
			r := results[i]
			printWrapped(fmt.Sprintf("%s (%s)", r.line, round(r.took)), fmt.Sprintf("%-4s  %-12s", r.mark(), r.step), strings.Repeat(" ", 18))
			if r.failed > 0 && r.detail != "" {
				fmt.Println(indent(r.detail))
			}
		}})
	}
	tasks = append(tasks, extra...)
	names := map[string]bool{}
	stepDone = map[string]chan struct{}{}
	for _, t := range tasks {
		names[t.name] = true
		stepDone[t.name] = make(chan struct{})
	}

	var (
		finished = map[string]bool{}
		started  = map[string]bool{}
		running  = map[string]*progress{}
		wake     = make(chan string)
	)
	ready := func(t task) bool {
		for _, a := range t.after {
			if names[a] && !finished[a] {
				return false
			}
		}
		return true
	}
	start := func() {
		for _, t := range tasks {
			if started[t.name] || !ready(t) {
				continue
			}
			started[t.name] = true
			p := &progress{start: time.Now()}
			running[t.name] = p
			go func() {
				t.run(p)
				wake <- t.name
			}()
		}
	}
	byName := map[string]task{}
	for _, t := range tasks {
		byName[t.name] = t
	}
	ticker := time.NewTicker(progressEvery)
	defer ticker.Stop()
	start()
	for len(finished) < len(tasks) {
		select {
		case name := <-wake:
			finished[name] = true
			close(stepDone[name])
			delete(running, name)
			byName[name].done()
			start()
		case <-ticker.C:
			var lines []string
			for name := range running {
				lines = append(lines, name)
			}
			sort.Strings(lines)
			for _, name := range lines {
				p := running[name]
				printWrapped(fmt.Sprintf("%s (%s)", p.get(), round(time.Since(p.start))), fmt.Sprintf("...   %-12s", name), strings.Repeat(" ", 18))
			}
		}
	}
	return results
}

// stepDone holds a channel per scheduled step, closed when it finishes.
// It is written before any step starts and only read afterwards.
var stepDone map[string]chan struct{}

// waitStep waits until the named step has finished, if it runs at all:
// for work inside a step that needs what that step builds.
func waitStep(name string) {
	if ch, ok := stepDone[name]; ok {
		<-ch
	}
}

// progress is what a running step last said about how far it got.
type progress struct {
	start time.Time
	mu    sync.Mutex
	msg   string
}

func (p *progress) set(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.msg = fmt.Sprintf(format, args...)
	p.mu.Unlock()
}

func (p *progress) get() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.msg == "" {
		return "running"
	}
	return p.msg
}

func round(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// summarize prints the closing summary, every line within width columns,
// and returns the exit status.
func summarize(results []result, yourLine string, cache *verdictCache, took time.Duration) int {
	fmt.Printf("\n== make test summary %s\n", strings.Repeat("=", width-21))
	passed, failed := 0, 0
	for _, r := range results {
		printWrapped(r.line, fmt.Sprintf("  %-4s  %-12s", r.mark(), r.step), strings.Repeat(" ", 20))
		passed += r.passed
		failed += r.failed
	}
	fmt.Println()
	if yourLine != "" {
		printWrapped(yourLine, "", "  ")
	}
	total := fmt.Sprintf("total: %d passed, %d failed in %s", passed, failed, round(took))
	if h := cache.hits.Load(); h > 0 {
		total += fmt.Sprintf("; %d checks passed before with identical inputs and were not re-run (-fresh runs them)", h)
	}
	printWrapped(total, "", "  ")
	if failed > 0 {
		return 1
	}
	return 0
}

// workspace describes the modules listed in go.work.
type workspace struct {
	modules []string // module directories, relative, e.g. "01_retry"; "." for the root
	lessons []string // lesson modules: directories named NN_topic
	course  *course.Course
	changes []course.Change // the learner's exercise files, if any
	cache   *verdictCache
	in      *inputs
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
		ws.modules = append(ws.modules, filepath.ToSlash(rel))
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
	return runIn(workdir, timeout, env, name, args...)
}

// runIn is runEnv in another directory.
func runIn(dir string, timeout time.Duration, env []string, name string, args ...string) (string, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
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

// wrap breaks s into lines of at most width columns at spaces: the first
// line starts with first, the others with rest. A word longer than a line
// is cut.
func wrap(s, first, rest string) string {
	var out []string
	line := first
	empty := true
	for _, word := range strings.Fields(s) {
		for {
			room := width - columns(line)
			if !empty {
				room-- // the space before the word
			}
			n := columns(word)
			if n <= room {
				if !empty {
					line += " "
				}
				line += word
				empty = false
				break
			}
			if !empty {
				out = append(out, line)
				line, empty = rest, true
				continue
			}
			// A word wider than a whole line: cut it.
			cut := []rune(word)[:max(1, room)]
			out = append(out, line+string(cut))
			word = string([]rune(word)[len(cut):])
			line = rest
		}
	}
	if !empty || len(out) == 0 {
		out = append(out, line)
	}
	for i := range out {
		out[i] = strings.TrimRight(out[i], " ")
	}
	return strings.Join(out, "\n")
}

// printWrapped prints s wrapped by wrap, keeping its own line breaks.
func printWrapped(s, first, rest string) {
	for i, para := range strings.Split(s, "\n") {
		if i > 0 {
			first = rest
		}
		fmt.Println(wrap(para, first, rest))
	}
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// head returns the first n lines of s, where a panic says what it is.
func head(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
