package main

import (
	"go/format"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTestFuncsFindsWhatGoTestRuns(t *testing.T) {
	src := `package exercises

import "testing"

func TestMain(m *testing.M) {}
func TestEx1Caps(t *testing.T) {}
func Testify(t *testing.T) {}
func TestEx1_Edge(t *testing.T) {}
func helper(t *testing.T) {}
func (x T) TestEx1Method(t *testing.T) {}
func TestEx2Later(t *testing.T) {}
func Test1(t *testing.T) {}
`
	tests, hasMain, err := testFuncs("ex1_x_test.go", []byte(src))
	require.NoError(t, err)
	assert.True(t, hasMain)
	assert.Equal(t, []string{"TestEx1Caps", "TestEx1_Edge", "TestEx2Later", "Test1"}, tests,
		"in declaration order, without TestMain, Testify, helpers or methods")
}

func TestExerciseNumber(t *testing.T) {
	for name, want := range map[string]int{
		"ex1_capped.go":        1,
		"ex12_big_test.go":     12,
		"ex3_loop_test.go":     3,
		"main_test.go":         0,
		"helpers_test.go":      0,
		"exercises.go":         0,
		"extra_ex1_test.go":    0,
		"ex_no_number_test.go": 0,
	} {
		assert.Equal(t, want, exerciseNumber(name), name)
	}
}

func TestBatchRunnerIsValidGo(t *testing.T) {
	copies := []batchCopy{
		{name: "wabc", tests: []string{"TestEx1A", "TestEx1B"}},
		{name: "wdef", tests: []string{"TestEx2A"}},
	}
	src := batchRunner("01_retry/exercises", copies, []string{"TestEx1A", "TestEx1B", "TestEx2A"}, true)
	_, err := format.Source([]byte(src))
	require.NoError(t, err, "the generated runner must parse:\n%s", src)
	assert.Contains(t, src, `wabc "reliability/01_retry/exercises/zzwrong/wabc"`)
	assert.Contains(t, src, `"wabc": {wabc.TestMain,`)
	assert.Contains(t, src, "func TestEx2A(t *testing.T) { run(t, \"TestEx2A\") }")
	assert.NotContains(t, src, "wdef.TestEx1A", "a copy names only the tests it holds")
}

func TestJudgeControl(t *testing.T) {
	pass := parseTestJSON(`{"Action":"pass","Package":"p","Test":"TestEx1A"}
{"Action":"pass","Package":"p"}
`)
	assert.Empty(t, judgeControl(pass, "p"))

	failed := parseTestJSON(`{"Action":"output","Package":"p","Test":"TestEx1A","Output":"panic: no probe for X\n"}
{"Action":"fail","Package":"p","Test":"TestEx1A"}
{"Action":"fail","Package":"p"}
`)
	assert.Contains(t, judgeControl(failed, "p"), "TestEx1A failed:\npanic: no probe for X")

	none := parseTestJSON(`{"Action":"pass","Package":"p"}
`)
	assert.Contains(t, judgeControl(none, "p"), "no test ran")
}
