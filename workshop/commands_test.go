package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	stub1 = "01_demo/exercises/ex1_double.go"
	stub2 = "01_demo/exercises/ex2_half.go"
	stub3 = "02_more/exercises/ex1_greet.go"
	test1 = "01_demo/exercises/ex1_double_test.go"
	test3 = "02_more/exercises/ex1_greet_test.go"
)

func solutionOf(stub string) string { return "solutions/" + stub }

// TestStatusCountsDoneAndNamesTheNextExercise is the learner's first
// loop: all red, one solved, asked again. It also shows the cache at
// work: a lesson whose files did not change is not tested again.
func TestStatusCountsDoneAndNamesTheNextExercise(t *testing.T) {
	root := fakeCourse(t)
	cache := t.TempDir()

	a, out, _ := testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), nil))
	s := out.String()
	assert.Contains(t, s, "01 demo\n  ✗ 01/ex1  double a number  ← next\n  ✗ 01/ex2  halve a number\n02 more\n  ✗ 02/ex1  greet someone\n")
	assert.Contains(t, s, "] 0/3 done")
	assert.Contains(t, s, "Next: 01/ex1, double a number\n")
	assert.Contains(t, s, "  edit           "+filepath.FromSlash(stub1)+"\n")
	assert.Contains(t, s, "  do not change  "+filepath.FromSlash(test1)+" (the tests)\n")
	assert.Contains(t, s, "  not started    your file is still the stub: 2 tests to make pass\n"+
		"  first test     TestEx1DoubleSmall\n"+
		"                 Double(2) = 0, want 4: twice two is four\n",
		"an untouched stub is not started; the first expectation, in the test's own words")
	assert.NotContains(t, s, "failing", "an untouched stub is not a mistake")
	assert.Contains(t, s, "  hint           go run ./workshop hint 01/ex1\n")
	assert.NotContains(t, s, "\x1b[", "no colour when not on a terminal")
	assert.Equal(t, int32(1), a.testRuns.Load(), "both lessons in one go test run")

	copyFile(t, root, solutionOf(stub1), stub1)
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"status"}))
	s = out.String()
	assert.Contains(t, s, "  ✓ 01/ex1  double a number\n  ✗ 01/ex2  halve a number  ← next\n")
	assert.Contains(t, s, "] 1/3 done")
	assert.Contains(t, s, "Next: 01/ex2, halve a number\n")
	assert.Contains(t, s, "  not started    your file is still the stub: 1 test to make pass\n"+
		"  first test     TestEx2Half\n                 Half(9) = 0, want 4: rounded toward zero\n")
	assert.Equal(t, int32(1), a.testRuns.Load(), "lesson 02 did not change: its verdict comes from the cache")

	a, out2, _ := testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), nil))
	assert.Equal(t, s, out2.String(), "asked again, the same answer")
	assert.Zero(t, a.testRuns.Load(), "nothing changed, nothing runs")

	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"hint"}))
	assert.Contains(t, out.String(), "01/ex2, halve a number\n\n  Go's integer division already rounds toward zero.\n", "hint without a name: the next exercise's")
	assert.Zero(t, a.testRuns.Load())

	a, out, _ = testApp(t, root, "", cache)
	assert.Equal(t, 1, a.run(t.Context(), []string{"verify"}), "two exercises still fail")
	assert.Equal(t, int32(1), a.testRuns.Load(), "verify runs afresh, cache or not")
	assert.Contains(t, out.String(), "  ✓ 01/ex1  double a number\n")
	assert.Contains(t, out.String(), "  ✗ 02/ex1  greet someone\n         not started: Greet(\"Ada\") = \"\", want \"hello, Ada\"\n")
	assert.Contains(t, out.String(), "verify: FAIL, 2 of 3 exercises do not pass\n")
}

// TestVerifyJudgesWithTheCoursesTests: a class's work passes verify only
// when every stub is solved, and a test file edited to pass counts for
// nothing.
func TestVerifyJudgesWithTheCoursesTests(t *testing.T) {
	root := gitCourse(t)
	copyFile(t, root, solutionOf(stub1), stub1)
	copyFile(t, root, solutionOf(stub2), stub2)
	// 02/ex1 stays unsolved, its test gutted.
	require.NoError(t, os.WriteFile(filepath.Join(root, filepath.FromSlash(test3)),
		[]byte("package exercises\n\nimport \"testing\"\n\nfunc TestEx1Greet(t *testing.T) {}\n"), 0o644))

	a, out, errOut := testApp(t, root, "")
	assert.Equal(t, 1, a.run(t.Context(), []string{"verify"}))
	assert.Contains(t, out.String(), "  ✗ 02/ex1  greet someone\n")
	assert.Contains(t, errOut.String(), filepath.FromSlash(test3)+" is not as the course ships it")
	assert.Contains(t, readFile(t, root, test3), "func TestEx1Greet(t *testing.T) {}", "the learner's file is left alone")

	copyFile(t, root, solutionOf(stub3), stub3)
	a, out, _ = testApp(t, root, "")
	assert.Equal(t, 0, a.run(t.Context(), []string{"verify"}), out.String())
	assert.Contains(t, out.String(), "] 3/3 done\nverify: ok, all 3 exercises pass\n")
}

// gitCourse is a fake course in a git repository with everything
// committed, as a learner's clone is.
func gitCourse(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := fakeCourse(t)
	git(t, root, "init", "-q")
	git(t, root, "add", ".")
	git(t, root, "commit", "-q", "-m", "the course")
	return root
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=learner", "-c", "user.email=l@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return string(out)
}

func TestResetRestoresThePristineStubAfterTheLearnersCommit(t *testing.T) {
	root := gitCourse(t)
	pristine1, pristine2 := readFile(t, root, stub1), readFile(t, root, stub2)
	copyFile(t, root, solutionOf(stub1), stub1)
	copyFile(t, root, solutionOf(stub2), stub2)
	git(t, root, "commit", "-q", "-am", "my answers")
	solved1, solved2 := readFile(t, root, stub1), readFile(t, root, stub2)

	a, out, _ := testApp(t, root, "n\n")
	assert.Equal(t, 1, a.run(t.Context(), []string{"reset", "01/ex1"}))
	assert.Contains(t, out.String(), "This puts "+filepath.FromSlash(stub1)+" back as the course ships it")
	assert.Contains(t, out.String(), "Reset 01/ex1? [y/N] Nothing changed.")
	assert.Equal(t, solved1, readFile(t, root, stub1), "no means no")

	a, _, errOut := testApp(t, root, "")
	assert.Equal(t, 1, a.run(t.Context(), []string{"reset", "01/ex1"}), "no answer is no")
	assert.Contains(t, errOut.String(), "--yes skips the question")
	assert.Equal(t, solved1, readFile(t, root, stub1))

	a, out, _ = testApp(t, root, "y\n")
	assert.Equal(t, 0, a.run(t.Context(), []string{"reset", "1/1"}))
	assert.Contains(t, out.String(), "✓ "+filepath.FromSlash(stub1)+" is the course's version again.")
	assert.Equal(t, pristine1, readFile(t, root, stub1), "back to the course's stub, though HEAD has the solution")
	assert.Equal(t, solved2, readFile(t, root, stub2), "the other stub is left alone")
	assert.Equal(t, " M "+stub1+"\n", git(t, root, "status", "--porcelain"), "no other file was touched")

	backups, err := filepath.Glob(filepath.Join(a.cacheDir, "backups", "*-01-ex1-ex1_double.go"))
	require.NoError(t, err)
	require.Len(t, backups, 1, "the learner's version is kept")
	data, err := os.ReadFile(backups[0])
	require.NoError(t, err)
	assert.Equal(t, solved1, string(data))

	a, out, _ = testApp(t, root, "")
	assert.Equal(t, 0, a.run(t.Context(), []string{"reset", "01/ex2", "--yes"}), "--yes does not ask")
	assert.NotContains(t, out.String(), "[y/N]")
	assert.Equal(t, pristine2, readFile(t, root, stub2))

	a, out, _ = testApp(t, root, "")
	assert.Equal(t, 0, a.run(t.Context(), []string{"reset", "01/ex2"}))
	assert.Contains(t, out.String(), "is already the course's version; nothing to do.")
	assert.Zero(t, a.testRuns.Load(), "reset runs no tests")
}

func TestHintAndList(t *testing.T) {
	root := fakeCourse(t)
	a, out, _ := testApp(t, root, "")
	require.Equal(t, 0, a.run(t.Context(), []string{"hint", "01/ex2"}))
	assert.Equal(t, "01/ex2, halve a number\n\n"+
		"  Go's integer division already rounds toward zero.\n\n"+
		"  edit           "+filepath.FromSlash(stub2)+"\n"+
		"  do not change  "+filepath.FromSlash("01_demo/exercises/ex2_half_test.go")+" (the tests)\n"+
		"  test it alone  go test -run Ex2 ./01_demo/exercises/\n", out.String())

	a, out, _ = testApp(t, root, "")
	require.Equal(t, 0, a.run(t.Context(), []string{"list"}))
	s := out.String()
	assert.Contains(t, s, "Reliability Patterns Workshop: 2 lessons, 3 exercises\n")
	assert.Contains(t, s, "01 demo\n  read "+filepath.FromSlash("01_demo/README.md")+"\n")
	assert.Contains(t, s, "  01/ex1  double a number  ex1_double.go\n  01/ex2  halve a number   ex2_half.go\n")
	assert.Contains(t, s, "02 more\n")
	assert.Zero(t, a.testRuns.Load(), "list runs no tests")
	for _, line := range strings.Split(s, "\n") {
		assert.LessOrEqual(t, len([]rune(line)), 80, line)
	}
}

func TestSolutionAsksWhileTheExerciseFails(t *testing.T) {
	root := fakeCourse(t)
	cache := t.TempDir()
	a, out, _ := testApp(t, root, "n\n", cache)
	assert.Equal(t, 1, a.run(t.Context(), []string{"solution", "01/ex1"}))
	assert.Contains(t, out.String(), "01/ex1 does not pass yet (not started).")
	assert.Contains(t, out.String(), "go run ./workshop hint 01/ex1")
	assert.Contains(t, out.String(), "Show the solution anyway? [y/N] Not shown.")
	assert.NotContains(t, out.String(), "return 2 * n", "declined: nothing of the solution shows")

	a, out, _ = testApp(t, root, "y\n", cache)
	assert.Equal(t, 0, a.run(t.Context(), []string{"solution", "01/ex1"}))
	assert.Contains(t, out.String(), "01/ex1, double a number\n")
	assert.Contains(t, out.String(), "The whole file:\n  "+filepath.FromSlash(solutionOf(stub1))+"\n")
	assert.Contains(t, out.String(), "@@ your line 11, the solution's line 11 @@\n package exercises\n \n func Double(n int) int {\n-\treturn 0\n+\treturn 2 * n\n }\n")
	assert.NotContains(t, out.String(), "Exercise 1: double a number", "the task's doc comment is not shown")
	assert.Zero(t, a.testRuns.Load(), "the verdict was cached a moment ago")
	assert.Equal(t, readFile(t, root, "01_demo/exercises/ex1_double_test.go"), readFile(t, root, test1), "nothing written")

	a, out, _ = testApp(t, root, "", cache)
	assert.Equal(t, 0, a.run(t.Context(), []string{"solution", "--yes", "02/ex1"}))
	assert.Contains(t, out.String(), "+\treturn \"hello, \" + name\n")
	assert.Zero(t, a.testRuns.Load(), "--yes needs no verdict")

	copyFile(t, root, solutionOf(stub1), stub1)
	a, out, _ = testApp(t, root, "", cache)
	assert.Equal(t, 0, a.run(t.Context(), []string{"solution", "01/ex1"}))
	assert.NotContains(t, out.String(), "[y/N]", "a passing exercise's solution is shown without asking")
	assert.Contains(t, out.String(), "Your "+filepath.FromSlash(stub1)+" is the solution, line for line.")
}

// TestTitlesSurviveACommentlessStub: a learner who replaces the stub,
// comment and all, still sees the exercise's title and hint.
func TestTitlesSurviveACommentlessStub(t *testing.T) {
	root := gitCourse(t)
	write(t, root, stub1, "package exercises\n\nfunc Double(n int) int { return 2 * n }\n")
	a, out, _ := testApp(t, root, "")
	require.Equal(t, 0, a.run(t.Context(), []string{"hint", "01/ex1"}))
	assert.Contains(t, out.String(), "01/ex1, double a number\n\n  multiply by two, not by three.\n")
	assert.Contains(t, out.String(), "test it alone  go test -run Ex1 ./01_demo/exercises/")
}

// TestNotStartedIsNotAMistake: the stub as shipped is "not started", with
// what the tests expect; the same failure after the learner's edit is a
// failure, with the command that shows every failing test.
func TestNotStartedIsNotAMistake(t *testing.T) {
	root := fakeCourse(t)
	cache := t.TempDir()
	a, out, _ := testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"01/ex1"}))
	assert.Contains(t, out.String(), "  not started    your file is still the stub: 2 tests to make pass\n"+
		"  first test     TestEx1DoubleSmall\n"+
		"                 Double(2) = 0, want 4: twice two is four\n")

	write(t, root, stub1, strings.Replace(readFile(t, root, stub1), "return 0", "return 3 * n", 1))
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"01/ex1"}))
	assert.Contains(t, out.String(), "  failing        TestEx1DoubleSmall (2 of 2 tests fail)\n"+
		"                 Double(2) = 6, want 4: twice two is four\n"+
		"  all failures   go test -run Ex1 ./01_demo/exercises/\n")
	assert.NotContains(t, out.String(), "not started")

	assert.Equal(t, "Double(2) = 0, want 4", plainExpectation("not started: Double(2) = 0, want 4"),
		"a test's own \"not started\" is not said twice")
	assert.Equal(t, "Not started yet? no", plainExpectation("Not started yet? no"))
}
