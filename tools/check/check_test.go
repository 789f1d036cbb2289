package main

import (
	"testing"

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

func TestLessonDirs(t *testing.T) {
	for dir, want := range map[string]bool{"01_retry": true, "03_circuit_breaker": true, "flaky": false, "solutions": false, "1_retry": false} {
		assert.Equal(t, want, lessonDir.MatchString(dir), dir)
	}
}
