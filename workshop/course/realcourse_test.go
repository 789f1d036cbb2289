package course

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
)

// maxTitle is the longest exercise title, in characters: the runner's
// status and list lines must fit 80 columns beside it.
const maxTitle = 60

var (
	exerciseLineRE = regexp.MustCompile(`(?m)^// Exercise (\d+): `)
	testFuncRE     = regexp.MustCompile(`(?m)^func (Test\w*)\(`)
)

// TestTheRealCourseIsWellFormed is the course's self-check (make test
// runs it): the workshop this test sits in, found by walking up from
// here, must have what the runner (go run ./workshop) relies on. Every
// exercise has a title, a hint, a run line and a file to edit with its
// test file and solution (Check); lessons are numbered 01, 02, ... and
// exercises 1, 2, ... without gaps; names are unique; each stub has
// exactly one "// Exercise k:" line with its own k and a run line for
// its own tests; and every test in an exercises/ directory is named
// TestEx<k><Name> for an exercise k that exists, so -run Ex<k> selects
// exactly one exercise.
func TestTheRealCourseIsWellFormed(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatalf("the course self-check runs inside the workshop: %v", err)
	}
	c, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	problems := append(c.Check(), shapeProblems(c)...)
	if len(c.Exercises()) == 0 {
		problems = append(problems, "the course has no exercises at all")
	}
	if len(problems) > 0 {
		t.Errorf("the course at %s has %d problems:\n  %s", root, len(problems), strings.Join(problems, "\n  "))
	}
}

// shapeProblems checks what Check leaves to this test: lesson numbering,
// unique names, and that the doc lines and test names match the files.
func shapeProblems(c *Course) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	ids := map[string]bool{}
	for i, l := range c.Lessons {
		if l.Number != i+1 {
			add("%s: lessons are numbered 01, 02, ... without gaps or repeats; expected %02d here", l.Dir, i+1)
		}
		if len(l.Exercises) == 0 {
			add("%s: no exercises (expected %s/ex1_name.go and its test)", l.Dir, l.ExercisesDir())
		}
		titles := map[string]string{}
		for _, e := range l.Exercises {
			if ids[e.ID] {
				add("%s: exercise %s appears twice", e.Stub, e.ID)
			}
			ids[e.ID] = true
			if other, ok := titles[e.Title]; ok && e.Title != "" {
				add("%s: same title as %s (%q); a learner cannot tell them apart", e.Stub, other, e.Title)
			}
			titles[e.Title] = e.Stub
			if n := len([]rune(e.Title)); n > maxTitle {
				add("%s: title is %d characters, keep it to %d: %q", e.Stub, n, maxTitle, e.Title)
			}
			src, err := os.ReadFile(c.Abs(e.Stub))
			if err != nil {
				add("%s: %v", e.Stub, err)
				continue
			}
			switch m := exerciseLineRE.FindAllStringSubmatch(string(src), -1); {
			case len(m) > 1:
				add("%s: %d \"// Exercise k:\" lines, want exactly one", e.Stub, len(m))
			case len(m) == 1 && m[0][1] != fmt.Sprint(e.Number):
				add("%s: says \"Exercise %s\" but the file is exercise %d", e.Stub, m[0][1], e.Number)
			}
			if want := fmt.Sprintf("go test -run Ex%d ./%s/", e.Number, l.ExercisesDir()); e.Run != "" && e.Run != want {
				add("%s: run line %q, want %q", e.Stub, e.Run, want)
			}
		}
		problems = append(problems, testNameProblems(c, l)...)
	}
	return problems
}

// testNameProblems checks that every test of a lesson's exercises
// belongs to exactly one exercise, and every exercise has tests.
func testNameProblems(c *Course, l Lesson) []string {
	var problems []string
	entries, err := os.ReadDir(c.Abs(l.ExercisesDir()))
	if err != nil {
		return nil // Check reports missing files
	}
	exists := map[int]bool{}
	for _, e := range l.Exercises {
		exists[e.Number] = true
	}
	tested := map[int]bool{}
	for _, entry := range entries {
		if !strings.HasSuffix(entry.Name(), "_test.go") {
			continue
		}
		rel := path.Join(l.ExercisesDir(), entry.Name())
		src, err := c.ReadFile(rel)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", rel, err))
			continue
		}
		for _, m := range testFuncRE.FindAllStringSubmatch(string(src), -1) {
			name := m[1]
			if name == "TestMain" {
				continue
			}
			n, ok := TestExercise(name)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: %s is not named TestEx<k><Name>, so no -run Ex<k> selects it", rel, name))
			case !exists[n]:
				problems = append(problems, fmt.Sprintf("%s: %s belongs to no exercise (there is no ex%d_*.go)", rel, name, n))
			default:
				tested[n] = true
			}
		}
	}
	for _, e := range l.Exercises {
		if !tested[e.Number] {
			problems = append(problems, fmt.Sprintf("%s: exercise %d has no TestEx%d... test", l.Dir, e.Number, e.Number))
		}
	}
	return problems
}

// TestShapeProblemsCatchesMistakes proves the self-check can fail: a
// fake course with each kind of mistake in it.
func TestShapeProblemsCatchesMistakes(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.work":                              "go 1.26\n",
		ManifestFile:                           "",
		"01_demo/exercises/ex1_double.go":      stub1,
		"01_demo/exercises/ex1_double_test.go": "package exercises\n\nfunc TestEx1Double(t *testing.T) {}\nfunc TestDoubleOld(t *testing.T) {}\nfunc TestEx3Lost(t *testing.T) {}\n",
		"01_demo/exercises/ex2_copy.go":        strings.Replace(stub1, "Run: go test -run Ex1", "Run: go test -run Ex2", 1),
		"01_demo/exercises/ex2_copy_test.go":   "package exercises\n",
		"03_gap/exercises/ex1_x.go":            "package exercises\n\n// Exercise 1: x.\n",
	})
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(shapeProblems(c), "\n")
	for _, want := range []string{
		`01_demo/exercises/ex2_copy.go: same title as 01_demo/exercises/ex1_double.go`,
		`01_demo/exercises/ex2_copy.go: says "Exercise 1" but the file is exercise 2`,
		`01_demo/exercises/ex1_double_test.go: TestDoubleOld is not named TestEx<k><Name>`,
		`01_demo/exercises/ex1_double_test.go: TestEx3Lost belongs to no exercise`,
		`01_demo: exercise 2 has no TestEx2... test`,
		`03_gap: lessons are numbered 01, 02, ... without gaps or repeats; expected 02 here`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the self-check misses %q; it said:\n%s", want, got)
		}
	}
}
