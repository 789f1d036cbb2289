package main

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeCourse copies testdata/course, a two-lesson course with three tiny
// exercises and their solutions, to a fresh directory and returns it.
func fakeCourse(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", "course")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	require.NoError(t, err)
	return dst
}

// syncBuffer is an output both the runner (from the watch loop) and the
// test read and write; changed is signalled on every write.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testApp is a runner working in dir, with its own cache unless one is
// given, plain output, the given answers on stdin, and no -race (the
// tests only need verdicts, and -race builds are slower).
func testApp(t *testing.T, dir, stdin string, cacheDir ...string) (*app, *syncBuffer, *syncBuffer) {
	t.Helper()
	out, errOut := newSyncBuffer(), newSyncBuffer()
	cache := t.TempDir()
	if len(cacheDir) > 0 {
		cache = cacheDir[0]
	}
	a := &app{
		stdout: out, stderr: errOut,
		stdin:    bufio.NewReader(strings.NewReader(stdin)),
		dir:      dir,
		cacheDir: cache,
		race:     "off",
		goCmd:    "go",
	}
	return a, out, errOut
}

// copyFile copies a course file (slash path) over another.
func copyFile(t *testing.T, root, from, to string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(from)))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, filepath.FromSlash(to)), data, 0o644))
}

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	require.NoError(t, err)
	return string(data)
}

func TestHelpAndUnknownCommand(t *testing.T) {
	a, out, _ := testApp(t, t.TempDir(), "")
	assert.Equal(t, 0, a.run(t.Context(), []string{"-h"}))
	for _, name := range []string{"status [lesson|exercise]", "watch [--poll] [--interval D] [lesson|exercise]", "hint [lesson|exercise]",
		"list", "verify", "reset [--yes] [exercise]", "solution [--yes] [exercise]"} {
		assert.Contains(t, out.String(), "  "+name, "the help lists every command")
	}
	for _, line := range strings.Split(out.String(), "\n") {
		assert.LessOrEqual(t, len([]rune(line)), 80, "help fits 80 columns: %q", line)
	}

	a, out, errOut := testApp(t, t.TempDir(), "")
	assert.Equal(t, exitUsage, a.run(t.Context(), []string{"stauts"}))
	assert.Contains(t, errOut.String(), `unknown command "stauts"`)
	assert.Contains(t, errOut.String(), "usage: go run ./workshop [command]")
	assert.Empty(t, out.String(), "errors go to stderr")
}

func TestOutsideTheWorkshop(t *testing.T) {
	a, out, errOut := testApp(t, t.TempDir(), "")
	assert.Equal(t, 1, a.run(t.Context(), nil))
	assert.Contains(t, errOut.String(), "is not inside the workshop")
	assert.Contains(t, strings.Join(strings.Fields(errOut.String()), " "), "cd into your clone of the workshop")
	for _, line := range strings.Split(errOut.String(), "\n") {
		assert.LessOrEqual(t, columns(line), maxColumns, line)
	}
	assert.Empty(t, out.String())
}

func TestCommandArguments(t *testing.T) {
	root := fakeCourse(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "01", "extra"}, "unexpected argument extra"},
		{[]string{"status", "extra"}, `no lesson or exercise "extra"; name a lesson like 01 or an`},
		{[]string{"09"}, `no lesson or exercise "09"`},
		{[]string{"watch", "01/ex9"}, `no lesson or exercise "01/ex9"`},
		{[]string{"verify", "01"}, "verify takes no arguments, got 01"},
		{[]string{"list", "-x"}, "flag provided but not defined: -x"},
		{[]string{"reset", "01/ex1", "01/ex2"}, "unexpected argument 01/ex2"},
		{[]string{"hint", "09/ex1"}, `no lesson or exercise "09/ex1"`},
		{[]string{"watch", "--interval", "1ms"}, "--interval must be between 50ms and 1m0s"},
	} {
		a, _, errOut := testApp(t, root, "")
		assert.Equal(t, exitUsage, a.run(t.Context(), tc.args), tc.args)
		assert.Contains(t, errOut.String(), tc.want, tc.args)
		name := tc.args[0]
		if looksLikeTarget(name) {
			name = "status" // go run ./workshop 09 is status 09
		}
		assert.Contains(t, errOut.String(), "usage: go run ./workshop "+name, tc.args)
	}

	a, out, _ := testApp(t, root, "")
	assert.Equal(t, 0, a.run(t.Context(), []string{"watch", "-h"}), "a command's own help is not an error")
	assert.Contains(t, out.String(), "usage: go run ./workshop watch [--poll] [--interval D]")
}

func TestParseArgsTakesFlagsAnywhere(t *testing.T) {
	for _, args := range [][]string{{"--yes", "01/ex2"}, {"01/ex2", "--yes"}, {"01/ex2", "-y"}} {
		fs := newYesFlags("reset")
		rest, err := parseArgs("reset", args, fs.set, 1)
		require.NoError(t, err, args)
		assert.Equal(t, []string{"01/ex2"}, rest, args)
		assert.True(t, *fs.yes, args)
	}
}
