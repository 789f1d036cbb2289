package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	c := &verdictCache{}
	assert.Equal(t, 0, summarize([]result{{step: "a", passed: 3}}, "", c, time.Second))
	assert.Equal(t, 1, summarize([]result{{step: "a", passed: 3}, {step: "b", failed: 1}}, "", c, time.Second))
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

func TestWrapFitsWidth(t *testing.T) {
	long := strings.Repeat("word ", 40) + strings.Repeat("y", 100)
	out := wrap(long, "  ok    demos       ", strings.Repeat(" ", 20))
	lines := strings.Split(out, "\n")
	require.Greater(t, len(lines), 2)
	assert.True(t, strings.HasPrefix(lines[0], "  ok    demos       word word"), "the prefix is kept as it is")
	for _, l := range lines {
		assert.LessOrEqual(t, columns(l), width, l)
	}
	assert.Equal(t, 40, strings.Count(out, "word"), "no word is lost")
	assert.Equal(t, 100, strings.Count(out, "y"), "a word wider than a line is cut, not lost")
	assert.Equal(t, "short", wrap("short", "", ""))
}

// TestSummaryFitsWidth prints a summary with lines far wider than a
// terminal and checks that every line of it fits.
func TestSummaryFitsWidth(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	long := strings.Repeat("01_retry (1.2s), ", 12)
	summarize([]result{
		{step: "demos", passed: 6, line: "6 demos ran (default, -h, modes; <= 80 columns): " + long},
		{step: "exercises", passed: 1, line: "a first line\n" + strings.Repeat("x", 120)},
		{step: "tests", failed: 1, line: "1 failed"},
	}, "your exercises: 4 of 9 pass (in the lessons you changed: 01, 04); 04/ex2 does not compile", &verdictCache{}, time.Minute)
	w.Close()
	os.Stdout = stdout
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Contains(t, string(out), "your exercises: 4 of 9 pass")
	assert.Empty(t, wideLines(string(out), width), "every summary line fits %d columns", width)
}

func TestVerdictCache(t *testing.T) {
	c := &verdictCache{dir: t.TempDir()}
	type v struct{ N int }
	var got v
	assert.False(t, c.get(hashStrings("a"), &got))
	c.put(hashStrings("a"), v{3})
	require.True(t, c.get(hashStrings("a"), &got))
	assert.Equal(t, 3, got.N)
	assert.EqualValues(t, 1, c.hits.Load())

	off := &verdictCache{}
	off.put(hashStrings("a"), v{3})
	assert.False(t, off.get(hashStrings("a"), &got), "a disabled cache (-fresh) remembers nothing")
}

func TestKeysFollowContent(t *testing.T) {
	in := &inputs{env: "e", mods: []string{".", "01_retry", "flaky"},
		deps: map[string][]string{"01_retry": {"flaky"}},
		files: map[string]string{
			"go.work": "w", "01_retry/go.mod": "m1", "01_retry/a.go": "a", "flaky/f.go": "f",
			"02_timeout/b.go": "b", "README.md": "r",
		}}
	base := in.moduleKey([]string{"01_retry"}, "x")
	assert.Equal(t, base, in.moduleKey([]string{"01_retry"}, "x"))
	assert.NotEqual(t, base, in.moduleKey([]string{"01_retry"}, "y"), "the parts count")
	tree := in.treeKey("x")

	in.files["02_timeout/b.go"] = "b2"
	assert.Equal(t, base, in.moduleKey([]string{"01_retry"}, "x"), "another lesson's file does not count")
	assert.NotEqual(t, tree, in.treeKey("x"), "but every file counts for the tree")

	in.files["flaky/f.go"] = "f2"
	assert.NotEqual(t, base, in.moduleKey([]string{"01_retry"}, "x"), "a module it replaces counts")
	base = in.moduleKey([]string{"01_retry"}, "x")
	in.files["01_retry/go.mod"] = "m2"
	assert.NotEqual(t, base, in.moduleKey([]string{"01_retry"}, "x"))
	base = in.moduleKey([]string{"01_retry"}, "x")
	in.env = "e2"
	assert.NotEqual(t, base, in.moduleKey([]string{"01_retry"}, "x"), "the toolchain and environment count")
}

func TestWriteOverlayMarksEachContent(t *testing.T) {
	root := t.TempDir()
	saved := workdir
	workdir = root
	t.Cleanup(func() { workdir = saved })
	for name, src := range map[string]string{"l/exercises/ex1_a.go": "package exercises\n", "s/one.go": "package exercises\n// one\n", "s/two.go": "package exercises\n// two\n"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
	read := func(path string) map[string]string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var ov struct{ Replace map[string]string }
		require.NoError(t, json.Unmarshal(data, &ov))
		return ov.Replace
	}
	tmp := t.TempDir()
	one, err := writeOverlay(tmp, "one.json", map[string]string{"l/exercises/ex1_a.go": "s/one.go"})
	require.NoError(t, err)
	two, err := writeOverlay(tmp, "two.json", map[string]string{"l/exercises/ex1_a.go": "s/two.go"})
	require.NoError(t, err)
	marker := func(r map[string]string) string {
		for from := range r {
			if strings.Contains(from, "zz_overlay_") {
				return from
			}
		}
		return ""
	}
	r1, r2 := read(one), read(two)
	assert.Len(t, r1, 2, "the replacement and the marker")
	assert.NotEmpty(t, marker(r1))
	assert.NotEqual(t, marker(r1), marker(r2), "different contents, different markers")
	data, err := os.ReadFile(r1[marker(r1)])
	require.NoError(t, err)
	assert.Equal(t, "package exercises\n", string(data))
}

func TestDemoModes(t *testing.T) {
	sim := `Flags:
  -seed N      replays a run (default 1)
  -step        wait for Enter before each phase (for a class)
  -requests N  requests sent in each phase, 1 to 100 (default 8)
  -sim         run the jitter simulation instead; it reads only -seed,
               -json and -svg
  -json        with -sim: print the rows as JSON
  -svg DIR     also draw this run's figures as SVG files in DIR
`
	assert.Equal(t, [][]string{{"-sim"}, {"-sim", "-json"}}, demoModes(sim))

	replicas := `Flags:
  -seed N      seed for the clients' timing (default 1)
  -seconds N   how long the clients send, 4 to 60 (default 10)
  -replicas N  instead: N replicas (2 to 8) behind one load balancer, each
               with its own middleware. Reads only -seed, -step and -json
  -json        with -replicas: print the runs as JSON, no narration
`
	assert.Equal(t, [][]string{{"-replicas", "2"}, {"-replicas", "2", "-json"}}, demoModes(replicas),
		"a mode that takes a number runs with the smallest its help allows")

	plain := `Flags:
  -seed N      seed for the service and the jitter; the same seed
               replays the run (default 1)
  -json        print the summary as JSON, one object per run,
               instead of the story
`
	assert.Equal(t, [][]string{{"-json"}}, demoModes(plain), "-json naming no mode runs on its own")
	assert.Empty(t, demoModes("Flags:\n  -seed N  seed (default 1)\n"))
}
