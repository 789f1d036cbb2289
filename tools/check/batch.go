package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"reliability/workshop/course"
)

// A lesson's wrong answers are checked with one test binary, not one go
// test command each. Building and linking a test binary costs far more
// than running it, and a lesson has 60 to 90 wrong answers; linking once
// instead of 90 times is most of what a cold make test saves.
//
// The binary holds, for each wrong answer, a copy of the exercises
// package with that answer in place of its stub, the solutions in place
// of the other stubs, and some of the package's test files compiled in
// as plain files: those no exercise owns and those of the answer's own
// exercise. Each copy is its own package, so the copies never see each
// other. Beside them sits one control copy per exercise, its solution in
// place, whose tests must all pass before any wrong answer's verdict
// counts (runExercises). A small generated test package on top names every test of the
// lesson once; each of its tests calls the same test of the copy that
// the environment variable wrongAnswerEnv selects, and its TestMain calls
// that copy's TestMain. The binary runs once per wrong answer, as its own
// process, with the same -run pattern, GOMAXPROCS and timeout that go
// test would use, so the tests see what they see under go test: the same
// test names, the same working directory, a fresh process whose crash or
// deadlock harms no other answer.
//
// The copies exist only in a go build -overlay file, in directories under
// the exercises directory that no file on disk occupies; nothing is
// written to the tree. Each copy's directory is named by a hash of its
// files, so a name always means the same contents.
//
// If the binary does not build (a wrong answer that does not compile,
// say), the lesson falls back to one go test run per answer, which names
// the culprit.

// wrongAnswerEnv selects, in a batch binary, the copy whose tests run.
const wrongAnswerEnv = "RELIABILITY_WRONG_ANSWER"

// wrongBatch is one lesson's built batch binary.
type wrongBatch struct {
	bin     string            // the test binary
	dir     string            // the exercises directory, where the tests run
	pkgPath string            // the exercises package's import path
	copies  map[string]string // wrong answer's course path -> its copy's name
}

// buildBatch builds the batch binary for some of a lesson's wrong answers.
// It returns nil and what went wrong when the binary could not be built.
//
// With narrow set, a copy for exercise k holds only the test files that
// belong to no exercise (helpers, TestMain) and exercise k's own: most of
// what a copy compiles is test code, and exercise k's tests need no other
// exercise's. Should they use a helper from another exercise's test file,
// the narrow build fails and the caller builds again with every test file.
func buildBatch(tmp string, lr *lessonRun, answers []wrongJob, narrow bool) (*wrongBatch, string) {
	l := lr.l
	exDir := filepath.Join(workdir, filepath.FromSlash(l.ExercisesDir()))
	entries, err := os.ReadDir(exDir)
	if err != nil {
		return nil, err.Error()
	}
	type file struct {
		name, src, sum string
		exercise       int      // k of exk_*_test.go; 0 for a shared file
		tests          []string // its TestXxx functions, in order
	}
	var tests []file
	var plain []string // non-test files, course paths
	hasMain := false
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(name, ".go") {
			continue
		}
		if !strings.HasSuffix(name, "_test.go") {
			plain = append(plain, l.ExercisesDir()+"/"+name)
			continue
		}
		src, err := os.ReadFile(filepath.Join(exDir, name))
		if err != nil {
			return nil, err.Error()
		}
		f := file{name: strings.TrimSuffix(name, "_test.go") + "_testfile.go"}
		f.exercise = exerciseNumber(name)
		// A file left out of this build (//go:build race) is copied all
		// the same, and the go command leaves it out again; its tests are
		// not named.
		if ok, err := build.Default.MatchFile(exDir, name); err != nil {
			return nil, err.Error()
		} else if ok {
			var main bool
			if f.tests, main, err = testFuncs(name, src); err != nil {
				return nil, err.Error()
			}
			hasMain = hasMain || main
		}
		// A plain file, ex3_loop_testfile.go, whose //line comment
		// keeps the name ex3_loop_test.go in failure messages.
		text := fmt.Sprintf("//line %s:1\n%s", name, src)
		sum := sha256.Sum256([]byte(text))
		f.sum = hex.EncodeToString(sum[:])
		f.src = filepath.Join(tmp, l.Dir+"-"+f.sum[:16]+".go")
		if err := os.WriteFile(f.src, []byte(text), 0o644); err != nil {
			return nil, err.Error()
		}
		tests = append(tests, f)
	}

	b := &wrongBatch{
		bin:     filepath.Join(tmp, fmt.Sprintf("%s-wrong-%t.test%s", l.Dir, narrow, exeSuffix())),
		dir:     exDir,
		pkgPath: importPath(l.ExercisesDir()),
		copies:  map[string]string{},
	}
	replace := map[string]string{}
	base := filepath.Join(exDir, "zzwrong")
	var copies []batchCopy
	var all []string // every test of every copy, in go test's order
	for _, a := range answers {
		w, stub := a.w, a.e.Stub
		var files []file
		for _, p := range plain {
			src := p
			switch {
			case p == stub:
				src = w.Path
			case lr.solutions[p] != "":
				src = lr.solutions[p]
			}
			files = append(files, file{name: filepath.Base(p), src: filepath.Join(workdir, filepath.FromSlash(src)), sum: lr.ws.in.fileHash(src)})
		}
		c := batchCopy{}
		for _, f := range tests {
			if narrow && f.exercise != 0 && f.exercise != a.e.Number {
				continue
			}
			files = append(files, f)
			c.tests = append(c.tests, f.tests...)
		}
		h := sha256.New()
		for _, f := range files {
			fmt.Fprintf(h, "%s %s\n", f.name, f.sum)
		}
		c.name = "w" + hex.EncodeToString(h.Sum(nil))[:16]
		b.copies[w.Path] = c.name
		if slices.ContainsFunc(copies, func(o batchCopy) bool { return o.name == c.name }) {
			continue // two wrong answers with the same bytes
		}
		copies = append(copies, c)
		for _, f := range files {
			replace[filepath.Join(base, c.name, f.name)] = f.src
		}
	}
	// go test runs a package's tests in the order of its files' names and,
	// within a file, in the order they are declared. The order matters:
	// a test that crashes the binary ends the run.
	for _, f := range tests {
		all = append(all, f.tests...)
	}

	runner := batchRunner(l.ExercisesDir(), copies, all, hasMain)
	sum := sha256.Sum256([]byte(runner))
	runDir := filepath.Join(base, "run"+hex.EncodeToString(sum[:])[:16])
	runnerPath := filepath.Join(tmp, fmt.Sprintf("%s-runner-%t_test.go", l.Dir, narrow))
	if err := os.WriteFile(runnerPath, []byte(runner), 0o644); err != nil {
		return nil, err.Error()
	}
	replace[filepath.Join(runDir, "runner_test.go")] = runnerPath

	data, err := json.Marshal(map[string]map[string]string{"Replace": replace})
	if err != nil {
		return nil, err.Error()
	}
	overlay := filepath.Join(tmp, fmt.Sprintf("%s-wrong-overlay-%t.json", l.Dir, narrow))
	if err := os.WriteFile(overlay, data, 0o644); err != nil {
		return nil, err.Error()
	}
	// vet is off and -ldflags=-w, as in checkWrong.
	rel, _ := filepath.Rel(workdir, runDir)
	out, err := runIn(workdir, 0, nil, "go", "test", "-c", "-vet=off", "-ldflags=-w",
		"-o", b.bin, "-overlay", overlay, "./"+filepath.ToSlash(rel))
	if err != nil {
		return nil, "go test -c: " + tail(out, 20)
	}
	return b, ""
}

// exeSuffix is what an executable's name ends with here.
func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// exerciseNumber is k for a file of exercise k (ex3_loop.go,
// ex3_loop_test.go), and 0 for a file no exercise owns.
func exerciseNumber(name string) int {
	m := exerciseFileRE.FindStringSubmatch(name)
	if m == nil {
		return 0
	}
	k, _ := strconv.Atoi(m[1])
	return k
}

var exerciseFileRE = regexp.MustCompile(`^ex(\d+)_.*\.go$`)

// batchCopy is one copy of the exercises package in a batch binary.
type batchCopy struct {
	name  string   // its directory and import name, w<hash>
	tests []string // the tests it holds
}

// testFuncs lists the top-level TestXxx functions of a test file, and
// whether it declares TestMain.
func testFuncs(name string, src []byte) (tests []string, hasMain bool, err error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, false, err
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") {
			continue
		}
		if fn.Name.Name == "TestMain" {
			hasMain = true
			continue
		}
		// go test's rule: Testify is not a test; Test, Test_x and Test1
		// are.
		if next, _ := utf8.DecodeRuneInString(fn.Name.Name[len("Test"):]); unicode.IsLower(next) {
			continue
		}
		if fn.Type.Params.NumFields() == 1 {
			tests = append(tests, fn.Name.Name)
		}
	}
	return tests, hasMain, nil
}

// batchRunner writes the generated test package on top of the copies:
// every test of the lesson once, each calling the chosen copy's.
func batchRunner(exDir string, copies []batchCopy, tests []string, hasMain bool) string {
	var b strings.Builder
	b.WriteString("// Code generated by tools/check for one run; DO NOT EDIT.\n\npackage wrongrun\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"testing\"\n\n")
	for _, c := range copies {
		fmt.Fprintf(&b, "\t%s %q\n", c.name, importPath(exDir)+"/zzwrong/"+c.name)
	}
	b.WriteString(")\n\ntype copy struct {\n\tmain  func(*testing.M)\n\ttests map[string]func(*testing.T)\n}\n\nvar copies = map[string]copy{\n")
	for _, c := range copies {
		mainFn := "nil"
		if hasMain {
			mainFn = c.name + ".TestMain"
		}
		fmt.Fprintf(&b, "\t%q: {%s, map[string]func(*testing.T){\n", c.name, mainFn)
		for _, t := range c.tests {
			fmt.Fprintf(&b, "\t\t%q: %s.%s,\n", t, c.name, t)
		}
		b.WriteString("\t}},\n")
	}
	fmt.Fprintf(&b, "}\n\nvar chosen, chosenOK = copies[os.Getenv(%q)]\n\n", wrongAnswerEnv)
	fmt.Fprintf(&b, "func TestMain(m *testing.M) {\n\tif !chosenOK {\n\t\tfmt.Fprintln(os.Stderr, \"%s names no copy in this binary\")\n\t\tos.Exit(2)\n\t}\n", wrongAnswerEnv)
	b.WriteString("\tif chosen.main != nil {\n\t\tchosen.main(m)\n\t\treturn\n\t}\n\tos.Exit(m.Run())\n}\n\n")
	b.WriteString("func run(t *testing.T, name string) {\n\tif test, ok := chosen.tests[name]; ok {\n\t\ttest(t)\n\t\treturn\n\t}\n\tt.Skip(\"not in this copy\")\n}\n")
	for _, t := range tests {
		fmt.Fprintf(&b, "\nfunc %s(t *testing.T) { run(t, %q) }\n", t, t)
	}
	return b.String()
}

var (
	test2jsonOnce sync.Once
	test2jsonPath string
)

// test2json is the path of the go tool that turns a test binary's output
// into go test -json events, or "" if it cannot be had.
func test2json() string {
	test2jsonOnce.Do(func() {
		out, err := runIn(workdir, 0, nil, "go", "tool", "-n", "test2json")
		if err == nil {
			test2jsonPath = strings.TrimSpace(out)
		}
	})
	return test2jsonPath
}

// run runs exercise e's tests on the copy that holds w, as go test -json
// would: -run, -count=1, the timeout, GOMAXPROCS=1, in the exercises
// directory, with the binary's output turned into events by test2json.
func (b *wrongBatch) run(e course.Exercise, w course.Wrong) testRun {
	// test2json runs the binary itself, as go test does: it sees how the
	// binary exits, and reports a test that was running when it crashed
	// as failed. The binary's own -test.timeout ends a hung run; the
	// context is the backstop.
	ctx, cancel := context.WithTimeout(context.Background(), wrongTimeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, test2json(), "-p", b.pkgPath, b.bin,
		"-test.v=test2json", "-test.paniconexit0", "-test.count=1",
		"-test.timeout="+wrongTimeout.String(), "-test.run="+e.TestPattern())
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1", wrongAnswerEnv+"="+b.copies[w.Path])
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	tr := parseTestJSON(out.String())
	tr.err = err
	// go test reports a binary that exited badly as a failed package even
	// when no PASS or FAIL line came out; test2json alone does not.
	if err != nil && tr.pkgs[b.pkgPath] == "" {
		tr.pkgs[b.pkgPath] = "fail"
		tr.raw += err.Error() + "\n"
	}
	return tr
}
