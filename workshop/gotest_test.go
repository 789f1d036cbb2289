package main

import (
	"strings"
	"testing"

	"reliability/workshop/course"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// events builds go test -json lines for package p.
func events(lines ...string) []byte {
	return []byte(strings.Join(lines, "\n") + "\n")
}

func ex(n int) course.Exercise {
	return course.Exercise{Lesson: "01_x", Number: n, ID: "01/ex" + string(rune('0'+n)),
		Stub: "01_x/exercises/ex" + string(rune('0'+n)) + "_thing.go", Test: "01_x/exercises/ex" + string(rune('0'+n)) + "_thing_test.go"}
}

func TestVerdictsFromARunWithAFailureAPanicAndTestsThatNeverRan(t *testing.T) {
	r := parseTestJSON(events(
		`{"Action":"start","Package":"p"}`,
		`{"Action":"run","Package":"p","Test":"TestEx1A"}`,
		`{"Action":"output","Package":"p","Test":"TestEx1A","Output":"=== RUN   TestEx1A\n"}`,
		`{"Action":"output","Package":"p","Test":"TestEx1A","Output":"    ex1_thing_test.go:9: Double(2) = 0, want 4:\n"}`,
		`{"Action":"output","Package":"p","Test":"TestEx1A","Output":"        the sign stays\n"}`,
		`{"Action":"output","Package":"p","Test":"TestEx1A","Output":"--- FAIL: TestEx1A (0.00s)\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestEx1A"}`,
		`{"Action":"run","Package":"p","Test":"TestEx1B"}`,
		`{"Action":"run","Package":"p","Test":"TestEx1B/sub"}`,
		`{"Action":"fail","Package":"p","Test":"TestEx1B/sub"}`,
		`{"Action":"pass","Package":"p","Test":"TestEx1B"}`,
		`{"Action":"run","Package":"p","Test":"TestEx2Panics"}`,
		`{"Action":"output","Package":"p","Test":"TestEx2Panics","Output":"--- FAIL: TestEx2Panics (0.00s)\n"}`,
		`{"Action":"output","Package":"p","Test":"TestEx2Panics","Output":"panic: assignment to entry in nil map [recovered, repanicked]\n"}`,
		`{"Action":"output","Package":"p","Test":"TestEx2Panics","Output":"p.Thing(...)\n\t/w/01_x/exercises/ex2_thing.go:14 +0x28\n"}`,
		`{"Action":"output","Package":"p","Test":"TestEx2Panics","Output":"p.TestEx2Panics(...)\n\t/w/01_x/exercises/ex2_thing_test.go:11 +0x28\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestEx2Panics"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.005s\n"}`,
		`{"Action":"fail","Package":"p"}`,
		`not an event`,
	))
	assert.Equal(t, "not an event\n", r.stderr)
	p := r.pkgs["p"]
	require.NotNil(t, p)
	assert.Equal(t, []string{"TestEx1A", "TestEx1B", "TestEx2Panics"}, p.order, "subtests are not top-level tests")

	v, state := verdictFor(p, ex(1))
	assert.Equal(t, known, state)
	assert.Equal(t, statusFail, v.Status)
	assert.Equal(t, 2, v.Tests)
	assert.Equal(t, "Double(2) = 0, want 4:\nthe sign stays", v.Message, "the file:line prefix goes, a continuation line stays")
	assert.Equal(t, "1 of 2 tests fail", v.short())

	v, state = verdictFor(p, ex(2))
	assert.Equal(t, known, state)
	assert.Equal(t, "panic: assignment to entry in nil map (at ex2_thing.go:14)", v.Message,
		"a panic names the line of the learner's file, not the test's")

	_, state = verdictFor(p, ex(3))
	assert.Equal(t, notStarted, state, "the crash stopped the binary before exercise 3 ran; it must run again")
}

func TestVerdictOfATimeoutAndOfALeakAfterPassingTests(t *testing.T) {
	r := parseTestJSON(events(
		`{"Action":"run","Package":"p","Test":"TestEx4Hang"}`,
		`{"Action":"output","Package":"p","Test":"TestEx4Hang","Output":"panic: test timed out after 1m0s\n\trunning tests:\n\t\tTestEx4Hang (1m0s)\n"}`,
		`{"Action":"fail","Package":"p"}`,
	))
	v, state := verdictFor(r.pkgs["p"], ex(4))
	assert.Equal(t, known, state)
	assert.Equal(t, statusFail, v.Status, "a test without a result did not pass")
	assert.Contains(t, v.Message, "did not finish within 1m0s: an endless loop")

	r = parseTestJSON(events(
		`{"Action":"run","Package":"p","Test":"TestEx1A"}`,
		`{"Action":"pass","Package":"p","Test":"TestEx1A"}`,
		`{"Action":"output","Package":"p","Output":"goleak: Errors on successful test run: found unexpected goroutines:\n"}`,
		`{"Action":"fail","Package":"p"}`,
	))
	_, state = verdictFor(r.pkgs["p"], ex(1))
	assert.Equal(t, packageFailed, state, "tests passed but TestMain failed: whose leak is it?")
}

func TestVerdictOfAPackageThatDoesNotCompile(t *testing.T) {
	r := parseTestJSON(events(
		`{"ImportPath":"p [p.test]","Action":"build-output","Output":"# p [p.test]\n"}`,
		`{"ImportPath":"p [p.test]","Action":"build-output","Output":"01_x/exercises/ex2_thing.go:5:43: undefined: x\n"}`,
		`{"ImportPath":"p [p.test]","Action":"build-fail"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}`,
		`{"Action":"fail","Package":"p","FailedBuild":"p [p.test]"}`,
	))
	p := r.pkgs["p"]
	v, _ := verdictFor(p, ex(2))
	assert.Equal(t, statusBuild, v.Status)
	assert.False(t, v.Elsewhere)
	assert.Equal(t, []string{"01_x/exercises/ex2_thing.go:5:43: undefined: x"}, v.Compile)
	assert.Equal(t, "does not compile", v.short())

	v, _ = verdictFor(p, ex(1))
	assert.True(t, v.Elsewhere, "exercise 1 cannot run because of exercise 2's file")
	assert.Equal(t, "not run: another file does not compile", v.short())

	list := []course.Exercise{ex(1), ex(2)}
	next, ok := nextExercise(list, map[string]Verdict{"01/ex1": v, "01/ex2": {Status: statusBuild}})
	require.True(t, ok)
	assert.Equal(t, "01/ex2", next.ID, "the file that breaks the build is the one to fix first")
}

func TestMessagesInPlainWords(t *testing.T) {
	testify := "    ex1_test.go:20: \n" +
		"        \tError Trace:\t/w/ex1_test.go:20\n" +
		"        \tError:      \tNot equal: \n" +
		"        \t            \texpected: 4\n" +
		"        \t            \tactual  : 0\n" +
		"        \tTest:       \tTestEx1X\n" +
		"        \tMessages:   \ttwice two is four\n"
	assert.Equal(t, []string{"twice two is four\nNot equal:\nexpected: 4\nactual  : 0"}, messages(testify))

	many := "    a_test.go:1: one\n    a_test.go:2: two\n    a_test.go:3: three\n    a_test.go:4: four\n"
	assert.Equal(t, []string{"one", "two", "three"}, messages(many), "the first few messages say enough")

	assert.Equal(t, []string{"something odd"}, messages("=== RUN   TestX\nsomething odd\n--- FAIL: TestX\n"))
}

func TestRunPatternSelectsExactlyTheExercises(t *testing.T) {
	assert.Equal(t, "^TestEx2[^0-9]", runPattern([]int{2}))
	assert.Equal(t, "^TestEx(1|3|12)[^0-9]", runPattern([]int{12, 3, 1, 3}))
}

func TestQuickRaceExitKeepsTheLearnersOptions(t *testing.T) {
	assert.Equal(t, "atexit_sleep_ms=0", quickRaceExit(""))
	assert.Equal(t, "halt_on_error=1 atexit_sleep_ms=0", quickRaceExit("halt_on_error=1"))
	assert.Equal(t, "atexit_sleep_ms=50", quickRaceExit("atexit_sleep_ms=50"))
}
