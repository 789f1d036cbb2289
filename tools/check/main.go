// Command check is the workshop's test command (make test). It runs every
// check a change must pass and ends with a short summary:
//
//   - formatting (gofmt), go vet and staticcheck over every module;
//   - go test -race -shuffle=on over every package except the exercises;
//   - each lesson's exercise tests against solutions/ (all must pass) and
//     against the stubs as committed in git (every test must fail, so no
//     exercise test can pass vacuously);
//   - go mod tidy -diff in every module;
//   - a smoke run of every lesson's demo with its default flags.
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
	"regexp"
	"sort"
	"strings"
	"time"
)

func main() {
	only := flag.String("only", "", "run only these steps, comma-separated: "+strings.Join(stepNames(), ","))
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./tools/check [-only steps]\n\nRuns the workshop's checks from the repository root and prints a summary.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "check: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	if _, err := os.Stat("go.work"); err != nil {
		fmt.Fprintln(os.Stderr, "check: run me from the repository root (where go.work is)")
		os.Exit(2)
	}
	selected, err := selectSteps(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}

	ws, err := loadWorkspace()
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(1)
	}
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
	os.Exit(summarize(results))
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
}

var lessonDir = regexp.MustCompile(`^\d\d_[a-z_]+$`)

func loadWorkspace() (*workspace, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return nil, fmt.Errorf("listing workspace modules: %w", err)
	}
	root, _ := os.Getwd()
	ws := &workspace{}
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		ws.modules = append(ws.modules, rel)
		if lessonDir.MatchString(rel) {
			ws.lessons = append(ws.lessons, rel)
		}
	}
	sort.Strings(ws.modules)
	sort.Strings(ws.lessons)
	return ws, nil
}

// run runs a command from the repository root and returns its combined
// output. A timeout of zero means none.
func run(timeout time.Duration, name string, args ...string) (string, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, name, args...)
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
			cmd.Dir = m
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

// runDemos builds every lesson's demo and runs it with its default flags.
// It runs the built binary rather than go run, so that the timeout kills
// the demo itself and not just the go command in front of it.
func runDemos(ws *workspace) result {
	r := result{}
	tmp, err := os.MkdirTemp("", "demos-")
	if err != nil {
		return result{failed: 1, line: err.Error()}
	}
	defer os.RemoveAll(tmp)
	var lines []string
	for _, l := range ws.lessons {
		if _, err := os.Stat(filepath.Join(l, "main.go")); err != nil {
			continue
		}
		bin := filepath.Join(tmp, l)
		if out, err := run(0, "go", "build", "-o", bin, "./"+l); err != nil {
			r.failed++
			r.detail += fmt.Sprintf("go build ./%s: %v\n%s\n", l, err, tail(out, 30))
			lines = append(lines, l+" did not build")
			continue
		}
		start := time.Now()
		out, err := run(demoTimeout, bin)
		took := time.Since(start).Round(100 * time.Millisecond)
		if err != nil {
			r.failed++
			r.detail += fmt.Sprintf("demo ./%s (default flags): %v\n%s\n", l, err, tail(out, 30))
			lines = append(lines, l+" FAILED")
			continue
		}
		r.passed++
		lines = append(lines, fmt.Sprintf("%s (%v)", l, took))
	}
	r.line = fmt.Sprintf("%d demos ran: %s", r.passed, strings.Join(lines, ", "))
	return r
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
