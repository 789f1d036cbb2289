package course

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ManifestFile lists every file of every lesson's exercises/ directory as
// the course ships it, with its git blob id, like go.sum does for modules.
//
// Why blob ids: they identify content, so a file that differs from its
// line is the learner's work whether it was committed or not, and the
// pristine content is still in git's object store under that id after any
// number of learner commits (git cat-file reads it back). Computing an id
// needs no git at all, only SHA-1 over "blob <size>\x00<content>".
const ManifestFile = "exercises.sum"

// Manifest maps a slash-separated path relative to the root to the git
// blob id of its pristine content.
type Manifest map[string]string

// BlobID returns the id git gives content stored as a blob (what
// git hash-object prints).
func BlobID(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// ReadManifest reads exercises.sum at the root. A missing file is an
// error: without it nobody can tell pristine stubs from a learner's work.
func (c *Course) ReadManifest() (Manifest, error) {
	data, err := c.ReadFile(ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w (make stubs-sum writes it)", ManifestFile, err)
	}
	m := Manifest{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 || len(f[1]) != 40 {
			return nil, fmt.Errorf("%s:%d: want \"<path> <40-hex blob id>\", got %q", ManifestFile, n, line)
		}
		m[f[0]] = f[1]
	}
	return m, sc.Err()
}

// ExerciseFiles lists every file under the lessons' exercises/
// directories as they are in the tree now.
func (c *Course) ExerciseFiles() ([]string, error) {
	var out []string
	for _, l := range c.Lessons {
		root := c.Abs(l.ExercisesDir())
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(c.Root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// TreeManifest computes the manifest of the tree as it is now.
func (c *Course) TreeManifest() (Manifest, error) {
	files, err := c.ExerciseFiles()
	if err != nil {
		return nil, err
	}
	m := Manifest{}
	for _, f := range files {
		data, err := c.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m[f] = BlobID(data)
	}
	return m, nil
}

// WriteManifest writes m as exercises.sum and stores every listed file in
// git's object store (git hash-object -w), so that the pristine content
// can be read back by id even before it is committed.
func (c *Course) WriteManifest(m Manifest) error {
	paths := make([]string, 0, len(m))
	for p := range m {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	b.WriteString("# The course's pristine exercise files and their git blob ids.\n")
	b.WriteString("# A file that differs is a learner's work. Refresh with: make stubs-sum\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "%s %s\n", p, m[p])
	}
	if len(paths) > 0 {
		args := []string{"hash-object", "-w", "--"}
		for _, p := range paths {
			args = append(args, filepath.FromSlash(p))
		}
		cmd := exec.Command("git", args...)
		cmd.Dir = c.Root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git hash-object -w: %v\n%s", err, out)
		}
	}
	return os.WriteFile(c.Abs(ManifestFile), []byte(b.String()), 0o644)
}

// Change is one way the tree differs from the manifest.
type Change struct {
	Path string
	Kind string // "changed", "added" (not in the manifest), "missing"
}

func (ch Change) String() string { return ch.Path + " (" + ch.Kind + ")" }

// Diff lists how the tree differs from the manifest, sorted by path.
func (c *Course) Diff(m Manifest) ([]Change, error) {
	tree, err := c.TreeManifest()
	if err != nil {
		return nil, err
	}
	var out []Change
	for p, id := range tree {
		switch want, ok := m[p]; {
		case !ok:
			out = append(out, Change{p, "added"})
		case want != id:
			out = append(out, Change{p, "changed"})
		}
	}
	for p := range m {
		if _, ok := tree[p]; !ok {
			out = append(out, Change{p, "missing"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Pristine returns the course's own content of an exercise file: the
// working copy when it still matches the manifest, otherwise the blob
// from git's object store.
func (c *Course) Pristine(m Manifest, rel string) ([]byte, error) {
	id, ok := m[rel]
	if !ok {
		return nil, fmt.Errorf("%s is not a course file (not listed in %s)", rel, ManifestFile)
	}
	if data, err := c.ReadFile(rel); err == nil && BlobID(data) == id {
		return data, nil
	}
	cmd := exec.Command("git", "cat-file", "blob", id)
	cmd.Dir = c.Root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("the original of %s (git blob %s) is not available: %v %s; is this a git clone of the workshop?",
			rel, id[:12], err, strings.TrimSpace(stderr.String()))
	}
	if BlobID(data) != id {
		return nil, fmt.Errorf("git returned different content for blob %s", id)
	}
	return data, nil
}

// LessonOf returns the lesson directory a course path belongs to.
func LessonOf(rel string) string {
	first, _, _ := strings.Cut(rel, "/")
	return first
}

// ExerciseOf returns the exercise number a file in exercises/ belongs to
// (ex3_foo.go and ex3_foo_test.go both give 3), or 0 for a shared file.
func ExerciseOf(rel string) int {
	base := path.Base(rel)
	if !strings.HasPrefix(base, "ex") {
		return 0
	}
	digits := strings.TrimLeft(base[2:], "0123456789")
	n, err := strconv.Atoi(base[2 : len(base)-len(digits)])
	if err != nil {
		return 0
	}
	return n
}
