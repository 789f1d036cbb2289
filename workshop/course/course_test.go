package course

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const stub1 = `package exercises

// Exercise 1: double it.
//
// Double returns twice n.
//
// Hint: multiply by two,
// not by three.
//
// Run: go test -run Ex1 ./01_demo/exercises/
func Double(n int) int { return 0 }
`

// writeTree writes files (slash paths relative to dir) into dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

func fakeCourse(t *testing.T) string {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.work":                                               "go 1.26\n",
		ManifestFile:                                            "",
		"01_demo/exercises/ex1_double.go":                       stub1,
		"01_demo/exercises/ex1_double_test.go":                  "package exercises\n",
		"01_demo/exercises/ex2_half.go":                         "package exercises\n\n// Exercise 2: half.\n",
		"02_more/exercises/ex1_x.go":                            "package exercises\n",
		"solutions/01_demo/exercises/ex1_double.go":             "package exercises\n",
		"solutions/01_demo/testdata/wrong/ex1_double/triple.go": "// Mistake: triples.\n// Caught: \"want 4\"\npackage exercises\n",
		"flaky/go.mod":                                          "module x\n",
	})
	return dir
}

func TestLoadDiscoversLessonsExercisesAndDocs(t *testing.T) {
	c, err := Load(fakeCourse(t))
	require.NoError(t, err)
	require.Len(t, c.Lessons, 2, "flaky/ and solutions/ are not lessons")
	ex := c.Lessons[0].Exercises
	require.Len(t, ex, 2)
	assert.Equal(t, "01/ex1", ex[0].ID)
	assert.Equal(t, "01_demo/exercises/ex1_double.go", ex[0].Stub)
	assert.Equal(t, "double it.", ex[0].Title)
	assert.Equal(t, "multiply by two,\nnot by three.", ex[0].Hint)
	assert.Equal(t, "go test -run Ex1 ./01_demo/exercises/", ex[0].Run)
	assert.Equal(t, "^TestEx1[^0-9]", ex[0].TestPattern())
	require.Len(t, ex[0].Wrong, 1)
	assert.Equal(t, Wrong{Path: "solutions/01_demo/testdata/wrong/ex1_double/triple.go", Mistake: "triples.", Caught: "want 4"}, ex[0].Wrong[0])
	assert.Equal(t, "demo", c.Lessons[0].Name())
}

func TestCheckNamesEveryShapeProblem(t *testing.T) {
	c, err := Load(fakeCourse(t))
	require.NoError(t, err)
	problems := c.Check()
	assert.Contains(t, problems, `01_demo/exercises/ex2_half.go: no "// Hint:" paragraph`)
	assert.Contains(t, problems, "01_demo/exercises/ex2_half.go: no solution solutions/01_demo/exercises/ex2_half.go")
	assert.Contains(t, problems, `02_more/exercises/ex1_x.go: no "// Exercise 1: title." line`)
	for _, p := range problems {
		assert.NotContains(t, p, "ex1_double.go:", "exercise 01/ex1 is complete")
	}
}

func TestFind(t *testing.T) {
	c, err := Load(fakeCourse(t))
	require.NoError(t, err)
	for _, name := range []string{"01/ex2", "1/2", "01_demo/ex2", "1 2", "01_demo/exercises/ex2_half.go"} {
		e, err := c.Find(name)
		if assert.NoError(t, err, name) {
			assert.Equal(t, "01/ex2", e.ID, name)
		}
	}
	_, err = c.Find("09/ex1")
	assert.ErrorContains(t, err, "01/ex1 01/ex2 02/ex1")

	for _, name := range []string{"2", "02", "02_more", "02_more/"} {
		l, err := c.FindLesson(name)
		if assert.NoError(t, err, name) {
			assert.Equal(t, "02_more", l.Dir)
		}
	}
	_, err = c.FindLesson("99")
	assert.ErrorContains(t, err, "01_demo, 02_more")
}

func TestFindRoot(t *testing.T) {
	dir := fakeCourse(t)
	root, err := FindRoot(filepath.Join(dir, "01_demo", "exercises"))
	require.NoError(t, err)
	assert.Equal(t, dir, root)
	_, err = FindRoot(t.TempDir())
	assert.ErrorContains(t, err, "not inside the workshop")
}

func TestTestExercise(t *testing.T) {
	for name, want := range map[string]int{"TestEx1Caps": 1, "TestEx12Big": 12, "TestEx3_x": 3} {
		n, ok := TestExercise(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, n, name)
	}
	for _, name := range []string{"TestMain", "TestEx", "TestEx1", "TestExample", "TestCapped"} {
		_, ok := TestExercise(name)
		assert.False(t, ok, name)
	}
	assert.Equal(t, 3, ExerciseOf("01_x/exercises/ex3_foo_test.go"))
	assert.Equal(t, 0, ExerciseOf("01_x/exercises/main_test.go"))
}

func TestBlobIDMatchesGit(t *testing.T) {
	// The empty blob and "hello\n" have well-known ids.
	assert.Equal(t, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", BlobID(nil))
	assert.Equal(t, "ce013625030ba8dba906f756967f9e9ca394464a", BlobID([]byte("hello\n")))
}

func TestManifestRoundTripDiffAndPristine(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := fakeCourse(t)
	require.NoError(t, exec.Command("git", "-C", dir, "init", "-q").Run())
	c, err := Load(dir)
	require.NoError(t, err)
	tree, err := c.TreeManifest()
	require.NoError(t, err)
	require.NoError(t, c.WriteManifest(tree))
	m, err := c.ReadManifest()
	require.NoError(t, err)
	assert.Equal(t, tree, m)

	changes, err := c.Diff(m)
	require.NoError(t, err)
	assert.Empty(t, changes, "a freshly written manifest matches the tree")

	// The learner edits a stub, adds a file, deletes another.
	writeTree(t, dir, map[string]string{
		"01_demo/exercises/ex1_double.go": "package exercises\n\nfunc Double(n int) int { return 2 * n }\n",
		"01_demo/exercises/scratch.go":    "package exercises\n",
	})
	require.NoError(t, os.Remove(filepath.Join(dir, "02_more", "exercises", "ex1_x.go")))
	changes, err = c.Diff(m)
	require.NoError(t, err)
	assert.Equal(t, []Change{
		{"01_demo/exercises/ex1_double.go", "changed"},
		{"01_demo/exercises/scratch.go", "added"},
		{"02_more/exercises/ex1_x.go", "missing"},
	}, changes)

	// The original comes back from git's object store, never committed.
	orig, err := c.Pristine(m, "01_demo/exercises/ex1_double.go")
	require.NoError(t, err)
	assert.Equal(t, stub1, string(orig))
	_, err = c.Pristine(m, "01_demo/exercises/scratch.go")
	assert.ErrorContains(t, err, "not a course file")
}
