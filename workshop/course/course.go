// Package course describes the workshop as its tools see it: the lessons
// in order, each lesson's exercises with their titles, hints and files,
// the solutions and catalogued wrong answers beside them, and the pristine
// copy of every exercise file (see manifest.go).
//
// Everything is discovered from the tree, so adding an exercise needs no
// other file: lesson order is the directory number (01_retry, 02_timeout,
// ...), exercise order the file number (ex1_*.go, ex2_*.go, ...), and an
// exercise's title and hint come from its stub's doc comment:
//
//	// Exercise 2: jitter that spreads the herd.
//	//
//	// ...the task...
//	//
//	// Hint: one paragraph.
//	//
//	// Run: go test -run Ex2 ./01_retry/exercises/
//
// Paths in this package are slash-separated and relative to the workshop
// root, whatever the operating system; Abs turns one into a real path.
package course

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Course is the workshop tree found at Root.
type Course struct {
	Root    string // absolute directory holding go.work
	Lessons []Lesson
}

// Lesson is one NN_topic module.
type Lesson struct {
	Dir       string // "02_timeout"
	Number    int    // 2
	Exercises []Exercise
}

// Name is the lesson's directory name without its number, with spaces:
// "circuit breaker" for 03_circuit_breaker.
func (l Lesson) Name() string {
	_, name, _ := strings.Cut(l.Dir, "_")
	return strings.ReplaceAll(name, "_", " ")
}

// ExercisesDir is the lesson's exercise package directory.
func (l Lesson) ExercisesDir() string { return l.Dir + "/exercises" }

// Exercise is one exercise: the stub a learner edits and its tests.
type Exercise struct {
	Lesson   string // lesson directory, "01_retry"
	Number   int    // k in exk_name.go
	ID       string // "01/ex2": how people and tools name it
	Stub     string // "01_retry/exercises/ex2_jitter.go", the file to edit
	Test     string // "01_retry/exercises/ex2_jitter_test.go", never edited
	Solution string // "solutions/01_retry/exercises/ex2_jitter.go"
	Title    string // from the "Exercise k: title." line
	Hint     string // the "Hint:" paragraph, without the word Hint
	Run      string // the "Run:" command
	Wrong    []Wrong
}

// TestPattern is the go test -run pattern that selects this exercise's
// tests and no other: every test of exercise k is named TestEx<k><Name>.
func (e Exercise) TestPattern() string {
	return fmt.Sprintf("^TestEx%d[^0-9]", e.Number)
}

// Wrong is one catalogued wrong answer: a copy of the solution with one
// mistake in it, which the exercise's tests must reject.
type Wrong struct {
	Path    string // "solutions/01_retry/testdata/wrong/ex1_capped/uncapped.go"
	Mistake string // the "// Mistake:" line
	Caught  string // the "// Caught:" text the failure output must contain
}

var (
	lessonDirRE = regexp.MustCompile(`^(\d\d)_[a-z0-9_]+$`)
	stubRE      = regexp.MustCompile(`^ex(\d+)_[a-z0-9_]+\.go$`)
	titleRE     = regexp.MustCompile(`(?m)^// Exercise (\d+): (.+)$`)
	runRE       = regexp.MustCompile(`(?m)^// Run: (.+)$`)
	testNameRE  = regexp.MustCompile(`^TestEx(\d+)[A-Z_]`)
)

// IsLessonDir reports whether a directory name is a lesson's: NN_topic.
func IsLessonDir(name string) bool { return lessonDirRE.MatchString(name) }

// FindRoot returns the workshop root: dir or the nearest parent holding
// go.work and an exercises.sum. It fails with a message a person can act
// on when run outside the workshop.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if isFile(filepath.Join(d, "go.work")) && isFile(filepath.Join(d, ManifestFile)) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside the workshop: no parent directory has go.work and %s; cd into your clone of the workshop", abs, ManifestFile)
		}
	}
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// Load reads the course at root. It fails only when the tree cannot be
// read; problems with the course's shape are reported by Check.
func Load(root string) (*Course, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	c := &Course{Root: root}
	for _, e := range entries {
		m := lessonDirRE.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		l := Lesson{Dir: e.Name(), Number: n}
		if l.Exercises, err = c.loadExercises(l); err != nil {
			return nil, err
		}
		c.Lessons = append(c.Lessons, l)
	}
	sort.Slice(c.Lessons, func(i, j int) bool { return c.Lessons[i].Dir < c.Lessons[j].Dir })
	return c, nil
}

// Abs turns a slash-separated path relative to the root into a real path.
func (c *Course) Abs(rel string) string { return filepath.Join(c.Root, filepath.FromSlash(rel)) }

// ReadFile reads a file given relative to the root.
func (c *Course) ReadFile(rel string) ([]byte, error) { return os.ReadFile(c.Abs(rel)) }

func (c *Course) loadExercises(l Lesson) ([]Exercise, error) {
	entries, err := os.ReadDir(c.Abs(l.ExercisesDir()))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Exercise
	for _, e := range entries {
		m := stubRE.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		base := strings.TrimSuffix(e.Name(), ".go")
		ex := Exercise{
			Lesson:   l.Dir,
			Number:   n,
			ID:       fmt.Sprintf("%02d/ex%d", l.Number, n),
			Stub:     path.Join(l.ExercisesDir(), e.Name()),
			Test:     path.Join(l.ExercisesDir(), base+"_test.go"),
			Solution: path.Join("solutions", l.ExercisesDir(), e.Name()),
		}
		if src, err := c.ReadFile(ex.Stub); err == nil {
			ex.Title, ex.Hint, ex.Run = parseDoc(string(src))
		}
		if ex.Wrong, err = c.loadWrong(l, base); err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// WrongDir is where the catalogue of wrong answers to a stub lives.
func WrongDir(lesson, stubBase string) string {
	return path.Join("solutions", lesson, "testdata", "wrong", stubBase)
}

func (c *Course) loadWrong(l Lesson, stubBase string) ([]Wrong, error) {
	dir := WrongDir(l.Dir, stubBase)
	entries, err := os.ReadDir(c.Abs(dir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Wrong
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		w := Wrong{Path: path.Join(dir, e.Name())}
		src, err := c.ReadFile(w.Path)
		if err != nil {
			return nil, err
		}
		w.Mistake, w.Caught = parseWrongHeader(string(src))
		out = append(out, w)
	}
	return out, nil
}

// parseDoc pulls the title, hint and run command out of a stub's source.
func parseDoc(src string) (title, hint, run string) {
	if m := titleRE.FindStringSubmatch(src); m != nil {
		title = strings.TrimSpace(m[2])
	}
	if m := runRE.FindStringSubmatch(src); m != nil {
		run = strings.TrimSpace(m[1])
	}
	// The hint is the comment paragraph that starts with "// Hint:".
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "// Hint:")
		if !ok {
			continue
		}
		parts := []string{strings.TrimSpace(rest)}
		for _, next := range lines[i+1:] {
			next = strings.TrimSpace(next)
			text, ok := strings.CutPrefix(next, "//")
			if !ok || strings.TrimSpace(text) == "" {
				break
			}
			parts = append(parts, strings.TrimPrefix(text, " "))
		}
		hint = strings.TrimSpace(strings.Join(parts, "\n"))
		break
	}
	return title, hint, run
}

// parseWrongHeader reads the "// Mistake:" and "// Caught:" lines that
// open a wrong answer. Caught may be quoted.
func parseWrongHeader(src string) (mistake, caught string) {
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") {
			break
		}
		if rest, ok := strings.CutPrefix(line, "// Mistake:"); ok {
			mistake = strings.TrimSpace(rest)
		}
		if rest, ok := strings.CutPrefix(line, "// Caught:"); ok {
			caught = strings.TrimSpace(rest)
			if uq, err := strconv.Unquote(caught); err == nil {
				caught = uq
			}
		}
	}
	return mistake, caught
}

// Exercises lists every exercise in course order.
func (c *Course) Exercises() []Exercise {
	var out []Exercise
	for _, l := range c.Lessons {
		out = append(out, l.Exercises...)
	}
	return out
}

// Find returns the exercise a person names: "01/ex2", "1/2", "01_retry/ex2",
// "ex2" of lesson 01 written as "01 2", or the stub's path.
func (c *Course) Find(name string) (Exercise, error) {
	norm := strings.NewReplacer(" ", "/", "\\", "/", ".go", "").Replace(strings.TrimSpace(name))
	for _, e := range c.Exercises() {
		if norm == e.ID || norm == strings.TrimSuffix(e.Stub, ".go") {
			return e, nil
		}
		lesson, ex, ok := strings.Cut(norm, "/")
		if !ok {
			continue
		}
		ex = strings.TrimPrefix(ex, "ex")
		ln, err1 := strconv.Atoi(strings.SplitN(lesson, "_", 2)[0])
		en, err2 := strconv.Atoi(ex)
		if err1 == nil && err2 == nil && ln == lessonNumber(e.Lesson) && en == e.Number {
			return e, nil
		}
	}
	var ids []string
	for _, e := range c.Exercises() {
		ids = append(ids, e.ID)
	}
	return Exercise{}, fmt.Errorf("no exercise %q; exercises are named like %s (all: %s)", name, firstOr(ids, "01/ex1"), strings.Join(ids, " "))
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

func lessonNumber(dir string) int {
	n, _ := strconv.Atoi(dir[:2])
	return n
}

// FindLesson returns the lesson a person names: "2", "02", "02_timeout".
func (c *Course) FindLesson(name string) (Lesson, error) {
	name = strings.Trim(strings.TrimSpace(name), "/\\")
	for _, l := range c.Lessons {
		if name == l.Dir {
			return l, nil
		}
		if n, err := strconv.Atoi(name); err == nil && n == l.Number {
			return l, nil
		}
	}
	var dirs []string
	for _, l := range c.Lessons {
		dirs = append(dirs, l.Dir)
	}
	return Lesson{}, fmt.Errorf("no lesson %q; the lessons are %s (give the number, e.g. 2 or 02, or the directory)", name, strings.Join(dirs, ", "))
}

// Check reports what is wrong with the course's shape, one line each: an
// exercise without a title, hint, run command, test file or solution; an
// exercise number used twice or skipped; a wrong answer without its
// header. It does not run anything.
func (c *Course) Check() []string {
	var problems []string
	for _, l := range c.Lessons {
		seen := map[int]bool{}
		for i, e := range l.Exercises {
			if seen[e.Number] {
				problems = append(problems, fmt.Sprintf("%s: exercise number %d is used twice", l.Dir, e.Number))
			}
			seen[e.Number] = true
			if e.Number != i+1 && !seen[i+1] {
				problems = append(problems, fmt.Sprintf("%s: exercise %d is missing (exercises are numbered 1, 2, 3, ... without gaps)", l.Dir, i+1))
			}
			if e.Title == "" {
				problems = append(problems, fmt.Sprintf("%s: no \"// Exercise %d: title.\" line", e.Stub, e.Number))
			}
			if e.Hint == "" {
				problems = append(problems, fmt.Sprintf("%s: no \"// Hint:\" paragraph", e.Stub))
			}
			if e.Run == "" {
				problems = append(problems, fmt.Sprintf("%s: no \"// Run:\" line", e.Stub))
			}
			if !isFile(c.Abs(e.Test)) {
				problems = append(problems, fmt.Sprintf("%s: no test file %s", e.Stub, e.Test))
			}
			if !isFile(c.Abs(e.Solution)) {
				problems = append(problems, fmt.Sprintf("%s: no solution %s", e.Stub, e.Solution))
			}
			for _, w := range e.Wrong {
				if w.Mistake == "" || w.Caught == "" {
					problems = append(problems, fmt.Sprintf("%s: needs both a \"// Mistake:\" and a \"// Caught:\" line before package", w.Path))
				}
			}
		}
	}
	return problems
}

// TestExercise maps a top-level test name to the exercise number it
// belongs to, or reports false for a name outside the TestEx<k> scheme.
func TestExercise(test string) (int, bool) {
	m := testNameRE.FindStringSubmatch(test)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, true
}
