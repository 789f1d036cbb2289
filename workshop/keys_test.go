package main

import (
	"os"
	"path/filepath"
	"testing"

	"reliability/workshop/course"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLessonKeyFollowsContentNotLitter(t *testing.T) {
	root := fakeCourse(t)
	// A sibling module the lesson replaces a dependency with is part of
	// its key, as flaky/ is for the real lessons.
	require.NoError(t, os.MkdirAll(filepath.Join(root, "shared"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "shared", "go.mod"), []byte("module shared\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "shared", "s.go"), []byte("package shared\n"), 0o644))
	gomod := filepath.Join(root, "01_demo", "go.mod")
	require.NoError(t, os.WriteFile(gomod, []byte("module reliability/01_demo\n\ngo 1.26\n\nreplace shared => ../shared\n"), 0o644))

	c, err := course.Load(root)
	require.NoError(t, err)
	tc := &toolchain{env: map[string]string{"GOVERSION": "go1.26"}}
	key := func() string {
		k, err := newKeyer(c, tc).lessonKey("01_demo")
		require.NoError(t, err)
		return k
	}
	k0 := key()
	other, err := newKeyer(c, tc).lessonKey("02_more")
	require.NoError(t, err)
	assert.NotEqual(t, k0, other)

	dir := filepath.Join(root, "01_demo", "exercises")
	for _, litter := range []string{".ex1_double.go.swp", "ex1_double.go~", "#ex1_double.go#", ".#ex1_double.go"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, litter), []byte("x"), 0o644))
	}
	assert.Equal(t, k0, key(), "editor litter does not change what a build sees")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "ex1_double.go"), []byte("package exercises\n"), 0o644))
	k1 := key()
	assert.NotEqual(t, k0, k1, "a saved stub changes the key")

	require.NoError(t, os.WriteFile(filepath.Join(root, "shared", "s.go"), []byte("package shared // v2\n"), 0o644))
	assert.NotEqual(t, k1, key(), "a replaced module's change changes the key")

	tc.race.Store(true)
	assert.NotEqual(t, k1, key(), "-race is part of the key")
}

func TestCacheStoresAndPrunes(t *testing.T) {
	a := &app{cacheDir: t.TempDir()}
	_, ok := a.cachedVerdict("k", 1)
	assert.False(t, ok)
	v := Verdict{Status: statusFail, Tests: 2, Failures: []Failure{{"TestEx1A", []string{"want 4"}}}, Message: "want 4"}
	a.storeVerdict("k", 1, v)
	got, ok := a.cachedVerdict("k", 1)
	require.True(t, ok)
	assert.Equal(t, v, got)

	dir := filepath.Join(a.cacheDir, "verdicts")
	for i := range 5 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "old-"+string(rune('a'+i))), nil, 0o644))
	}
	pruneDir(dir, 3)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 3)

	off := &app{}
	off.storeVerdict("k", 1, v)
	_, ok = off.cachedVerdict("k", 1)
	assert.False(t, ok, "no cache directory, no cache")
}
