package main

import (
	"strings"
	"testing"

	"reliability/workshop/course"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseTestJSON(t *testing.T) {
	out := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"boom\n"}
{"Action":"fail","Package":"p","Test":"TestA/sub"}
{"Action":"fail","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestB"}
{"Action":"skip","Package":"p","Test":"TestC"}
{"Action":"fail","Package":"p"}
{"ImportPath":"q [q.test]","Action":"build-output","Output":"q/x.go:1:1: undefined: y\n"}
{"ImportPath":"q [q.test]","Action":"build-fail"}
{"Action":"fail","Package":"q"}
not json at all
`
	tr := parseTestJSON(out)
	assert.Equal(t, map[string]string{"p TestA": "fail", "p TestB": "pass", "p TestC": "skip"}, tr.tests,
		"only top-level tests are recorded; subtests roll up into them")
	assert.Equal(t, map[string]string{"p": "fail", "q": "fail"}, tr.pkgs)
	assert.Equal(t, "boom\n", tr.outputOf("p TestA"))
	assert.Contains(t, tr.outputOf("q"), "undefined: y", "compiler errors must be kept for the report")
	assert.Equal(t, "not json at all\n", tr.raw)
}

func TestSelectSteps(t *testing.T) {
	all, err := selectSteps("")
	require.NoError(t, err)
	assert.Len(t, all, len(steps))

	some, err := selectSteps("vet, tidy")
	require.NoError(t, err)
	assert.Equal(t, "vet", some[0].name)
	assert.Equal(t, "tidy", some[1].name)

	_, err = selectSteps("vet,nope")
	assert.ErrorContains(t, err, `unknown step "nope"`)
}

func TestSummarizeExitCode(t *testing.T) {
	assert.Equal(t, 0, summarize([]result{{step: "a", passed: 3}}))
	assert.Equal(t, 1, summarize([]result{{step: "a", passed: 3}, {step: "b", failed: 1}}))
}

func TestWideLines(t *testing.T) {
	out := "short\n" + strings.Repeat("─", 80) + "\n" + strings.Repeat("x", 81) + "\r\n"
	wide := wideLines(out, 80)
	require.Len(t, wide, 1, "box-drawing characters count one column each; the 81-column line is too wide")
	assert.True(t, strings.HasPrefix(wide[0], " 81 | x"))
	assert.Len(t, wideLines("    \t"+strings.Repeat("y", 73), 80), 1, "a tab after 4 spaces reaches column 8: 8+73 = 81")
	assert.Empty(t, wideLines("    \t"+strings.Repeat("y", 72), 80))
}

func TestCompileErrors(t *testing.T) {
	out := "# reliability/02_timeout/exercises\n02_timeout/exercises/ex1_with_timeout.go:12:3: undefined: x\nFAIL reliability/02_timeout/exercises [build failed]\n"
	assert.Equal(t, map[int]string{1: "ex1_with_timeout.go"}, compileErrors(out))
	assert.Equal(t, map[int]string{0: "a shared file"}, compileErrors("x/helpers.go:1:1: bad\n[build failed]"))
	assert.Empty(t, compileErrors("--- FAIL: TestEx1Foo\n"))
}

func TestExerciseVerdict(t *testing.T) {
	tr := testRun{tests: map[string]string{"p TestEx1A": "pass", "p TestEx1B": "fail", "p TestEx2A": "pass", "p TestEx10A": "fail"}}
	v, fails := exerciseVerdict(tr, "p", course.Exercise{Number: 1})
	assert.Equal(t, "1 of 2 tests fail", v)
	assert.Equal(t, []string{"TestEx1B"}, fails)
	v, _ = exerciseVerdict(tr, "p", course.Exercise{Number: 2})
	assert.Equal(t, "pass", v)
	v, _ = exerciseVerdict(tr, "p", course.Exercise{Number: 3})
	assert.Equal(t, "", v, "no test ran")
}
