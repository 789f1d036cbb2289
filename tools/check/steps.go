package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

func runGofmt(ws *workspace, _ *progress) result {
	// The root module, if there is one, holds every other: gofmt it
	// alone rather than every file twice.
	dirs := ws.modules
	for _, m := range ws.modules {
		if m == "." {
			dirs = []string{"."}
		}
	}
	out, err := run(0, "gofmt", append([]string{"-l"}, dirs...)...)
	files := strings.Fields(out)
	if err != nil {
		return result{failed: 1, line: "gofmt could not run", detail: out}
	}
	if len(files) > 0 {
		return result{failed: len(files), line: fmt.Sprintf("%d files need gofmt -w", len(files)), detail: strings.Join(files, "\n")}
	}
	return result{passed: 1, line: "every file is formatted"}
}

// cachedTool runs a go command over the whole workspace unless it passed
// before on the same tree.
func cachedTool(ws *workspace, p *progress, name, okLine string, args ...string) result {
	type verdict struct{}
	key := ws.in.treeKey(append([]string{name}, args...)...)
	if ws.cache.get(key, &verdict{}) {
		return result{passed: 1, line: okLine + " (as before: nothing changed)"}
	}
	p.set("go %s", strings.Join(args, " "))
	out, err := run(0, "go", args...)
	if err != nil {
		return result{failed: 1, line: name + " found problems", detail: out}
	}
	ws.cache.put(key, verdict{})
	return result{passed: 1, line: okLine}
}

func runVet(ws *workspace, p *progress) result {
	return cachedTool(ws, p, "vet", "go vet clean", "vet", "work")
}

func runStaticcheck(ws *workspace, p *progress) result {
	// The version is pinned by the tool directive in tools/go.mod, so every
	// machine runs the same checks without installing anything.
	return cachedTool(ws, p, "staticcheck", "staticcheck clean", "tool", "staticcheck", "work")
}

// runTidy checks that every module stands on its own: go mod tidy would
// not change it, and it builds and vets with the workspace switched off.
// The second half matters because module paths here have no dot, so go
// mod tidy mistakes a missing sibling require for a standard-library
// import and says nothing; only a build outside the workspace notices.
// It also checks that go.work.sum is complete (see checkWorkSum).
func runTidy(ws *workspace, p *progress) result {
	var (
		mu   sync.Mutex
		bad  []string
		det  string
		done int
	)
	sem := make(chan struct{}, max(2, runtime.NumCPU()))
	var wg sync.WaitGroup
	for _, m := range ws.modules {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			type verdict struct{}
			key := ws.in.moduleKey([]string{m}, "tidy", "mod tidy -diff", "vet ./...")
			failed := ""
			checks := [][]string{{"mod", "tidy", "-diff"}, {"vet", "./..."}}
			if !ws.in.hasGo(m) {
				// The root module holds no code: nothing to vet.
				checks = checks[:1]
			}
			if !ws.cache.get(key, &verdict{}) {
				for _, args := range checks {
					out, err := runIn(filepath.Join(workdir, m), 0, []string{"GOWORK=off"}, "go", args...)
					if err != nil {
						failed = fmt.Sprintf("%s: go %s:\n%s\n", m, strings.Join(args, " "), out)
						break
					}
				}
				if failed == "" {
					ws.cache.put(key, verdict{})
				}
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			p.set("%d of %d modules checked", done, len(ws.modules))
			if failed != "" {
				bad = append(bad, m)
				det += failed
			}
		})
	}
	wg.Wait()
	r := result{passed: len(ws.modules) - len(bad), failed: len(bad)}
	if len(bad) > 0 {
		r.line = "not tidy or not self-contained: " + strings.Join(bad, ", ")
		r.detail = det
	} else {
		r.line = fmt.Sprintf("all %d modules tidy and self-contained (GOWORK=off)", len(ws.modules))
	}
	p.set("go.work.sum")
	if problem := checkWorkSum(ws); problem != "" {
		r.failed++
		r.line += "; go.work.sum is incomplete"
		r.detail += problem
	} else {
		r.passed++
		r.line += "; go.work.sum complete"
	}
	return r
}

// checkWorkSum checks that go.work.sum already holds every checksum that
// the go command adds to it when it loads the whole module graph (go doc
// does, from the root or from any module) or every package of the
// workspace: otherwise looking up an API, say, would rewrite a tracked
// file. It runs the go command on a copy of go.work and go.work.sum in a
// temporary directory, so the tree is never touched.
func checkWorkSum(ws *workspace) string {
	type verdict struct{}
	key := ws.in.treeKey("go.work.sum complete")
	if ws.cache.get(key, &verdict{}) {
		return ""
	}
	tmp, err := os.MkdirTemp("", "worksum-")
	if err != nil {
		return err.Error() + "\n"
	}
	defer os.RemoveAll(tmp)
	work, err := os.ReadFile(filepath.Join(workdir, "go.work"))
	if err != nil {
		return err.Error() + "\n"
	}
	sum, _ := os.ReadFile(filepath.Join(workdir, "go.work.sum"))
	// The copy's use directives point back at the modules in the tree.
	var lines []string
	for _, l := range strings.Split(string(work), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "use ") && !strings.HasSuffix(t, "(") {
			t = strings.TrimSpace(strings.TrimPrefix(t, "use"))
			l = "use " + filepath.ToSlash(filepath.Join(workdir, t))
		} else if strings.HasPrefix(t, ".") {
			l = "\t" + filepath.ToSlash(filepath.Join(workdir, t))
		}
		lines = append(lines, l)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.work"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		return err.Error() + "\n"
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.work.sum"), sum, 0o644); err != nil {
		return err.Error() + "\n"
	}
	env := []string{"GOWORK=" + filepath.Join(tmp, "go.work")}
	for _, args := range [][]string{{"list", "-m", "all"}, {"list", "-deps", "-test", "work"}} {
		if out, err := runEnv(0, env, "go", args...); err != nil {
			return fmt.Sprintf("go %s: %v\n%s\n", strings.Join(args, " "), err, tail(out, 10))
		}
	}
	after, _ := os.ReadFile(filepath.Join(tmp, "go.work.sum"))
	if string(after) != string(sum) {
		return "go.work.sum lacks checksums the go command adds (or holds some it drops)\n" +
			"as soon as it loads the whole module graph, as go doc does; run make tidy and commit go.work.sum\n" +
			diffLines(string(sum), string(after))
	}
	ws.cache.put(key, verdict{})
	return ""
}

// diffLines lists the lines only in a (-) and only in b (+).
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			if l != "" {
				m[l] = true
			}
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if l != "" && !mb[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if l != "" && !ma[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}

// demoTimeout bounds one demo run. The demos take seconds; a minute means
// one is stuck.
const demoTimeout = time.Minute

// runDemos builds every lesson's demo and runs it with its default flags,
// with -h, and in each extra mode its -h lists (-sim, -json), checking
// that every run succeeds and that every line fits width columns. It runs
// the built binary rather than go run, so that the timeout kills the demo
// itself and not just the go command in front of it. The demos run two
// at a time: most of a demo's time is spent waiting on its own clock.
func runDemos(ws *workspace, p *progress) result {
	tmp, err := os.MkdirTemp("", "demos-")
	if err != nil {
		return result{failed: 1, line: err.Error()}
	}
	defer os.RemoveAll(tmp)
	var demos []string
	for _, l := range ws.lessons {
		if _, err := os.Stat(filepath.Join(workdir, l, "main.go")); err == nil {
			demos = append(demos, l)
		}
	}
	type outcome struct {
		Line   string
		ok     bool
		detail string
	}
	outcomes := make([]outcome, len(demos))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, max(2, runtime.NumCPU()))
	for i, l := range demos {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			key := ws.in.moduleKey([]string{l}, "demo", fmt.Sprint(width))
			var o outcome
			if ws.cache.get(key, &o) {
				o.ok = true
			} else {
				o.Line, o.ok, o.detail = runDemo(tmp, l)
				if o.ok {
					ws.cache.put(key, o)
				}
			}
			outcomes[i] = o
			mu.Lock()
			done++
			p.set("%d of %d demos run", done, len(demos))
			mu.Unlock()
		})
	}
	wg.Wait()
	r := result{}
	var lines []string
	for _, o := range outcomes {
		if o.ok {
			r.passed++
		} else {
			r.failed++
			r.detail += o.detail
		}
		lines = append(lines, o.Line)
	}
	r.line = fmt.Sprintf("%d demos ran (default, -h, modes; <= %d columns): %s", r.passed, width, strings.Join(lines, ", "))
	return r
}

// runDemo checks one lesson's demo and returns its summary line, whether
// it passed, and what went wrong.
func runDemo(tmp, l string) (line string, ok bool, detail string) {
	bin := filepath.Join(tmp, l+exeSuffix())
	if out, err := run(0, "go", "build", "-ldflags=-w", "-o", bin, "./"+l); err != nil {
		return l + " did not build", false, fmt.Sprintf("go build ./%s: %v\n%s\n", l, err, tail(out, 30))
	}
	help, _ := run(demoTimeout, bin, "-h")
	modes := append([][]string{{}, {"-h"}}, demoModes(help)...)
	ok = true
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
			detail += fmt.Sprintf("demo %s: %v\n%s\n", name, err, tail(out, 30))
			continue
		}
		if wide := wideLines(out, width); len(wide) > 0 {
			ok = false
			detail += fmt.Sprintf("demo %s: %d lines wider than %d columns, e.g.:\n%s\n", name, len(wide), width, strings.Join(wide[:min(3, len(wide))], "\n"))
		}
	}
	if !ok {
		return l + " FAILED", false, detail
	}
	return fmt.Sprintf("%s (%v)", l, took), true, ""
}

// demoFlagRE matches a flag's first line in a demo's -h: "  -replicas N
// instead: N replicas (2 to 8) ...".
var demoFlagRE = regexp.MustCompile(`^\s{1,4}-([a-z][a-z0-9-]*)(?: ([A-Z]+))?\s{2,}(.*)$`)

// rangeRE finds the smallest value a flag takes: "(2 to 8)", "1 to 100".
var rangeRE = regexp.MustCompile(`\(?(\d+) to \d+`)

// demoModes reads a demo's -h and returns the other modes to run, each as
// its arguments. A flag whose description says "instead" starts a mode
// of its own (-sim; -replicas N, run with the smallest N its description
// allows); -json runs with the mode its description names ("with -sim",
// "with -replicas") or, naming none, on its own.
func demoModes(help string) [][]string {
	type flagDoc struct{ value, doc string }
	flags := map[string]*flagDoc{}
	var order []string
	var last *flagDoc
	for _, line := range strings.Split(help, "\n") {
		if m := demoFlagRE.FindStringSubmatch(line); m != nil {
			last = &flagDoc{value: m[2], doc: m[3]}
			flags[m[1]] = last
			order = append(order, m[1])
			continue
		}
		if last != nil && strings.HasPrefix(line, "      ") {
			last.doc += " " + strings.TrimSpace(line)
		} else {
			last = nil
		}
	}
	modeArgs := map[string][]string{}
	var modes [][]string
	for _, name := range order {
		f := flags[name]
		if name == "json" || !strings.Contains(f.doc, "instead") {
			continue
		}
		args := []string{"-" + name}
		if f.value != "" {
			m := rangeRE.FindStringSubmatch(f.doc)
			if m == nil {
				continue // no value known to be valid
			}
			args = append(args, m[1])
		}
		modeArgs[name] = args
		modes = append(modes, args)
	}
	if f, ok := flags["json"]; ok {
		with := ""
		if m := regexp.MustCompile(`^with -([a-z][a-z0-9-]*)`).FindStringSubmatch(f.doc); m != nil {
			with = m[1]
		}
		switch args, ok := modeArgs[with]; {
		case with == "":
			modes = append(modes, []string{"-json"})
		case ok:
			modes = append(modes, append(append([]string(nil), args...), "-json"))
		}
	}
	return modes
}

// runLines checks that make help fits width columns. make may be missing
// (on Windows, say); then the step says so and checks what it can.
func runLines(ws *workspace, p *progress) result {
	r := result{}
	var notes []string
	if _, err := exec.LookPath("make"); err != nil {
		notes = append(notes, "make help not checked (no make here)")
	} else {
		p.set("make help")
		out, err := run(0, "make", "--no-print-directory", "-s", "help")
		switch wide := wideLines(out, width); {
		case err != nil:
			r.failed++
			r.detail += fmt.Sprintf("make help: %v\n%s\n", err, tail(out, 10))
		case len(wide) > 0:
			r.failed++
			r.detail += fmt.Sprintf("make help: %d lines wider than %d columns:\n%s\n", len(wide), width, strings.Join(wide, "\n"))
		default:
			r.passed++
			notes = append(notes, fmt.Sprintf("make help fits %d columns", width))
		}
	}
	if r.failed > 0 {
		r.line = "lines wider than " + fmt.Sprint(width) + " columns"
	} else {
		r.line = strings.Join(notes, "; ")
	}
	return r
}
