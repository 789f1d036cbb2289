package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"reliability/workshop/course"
)

// runCourse checks the course's shape (every exercise has its title, hint,
// run command, tests and solution; numbers without gaps) and, with CI set,
// that exercises.sum lists exactly the exercise files in the tree: a stub
// changed without refreshing the list must not land, or learners' tools
// would take the stale list for the course.
func runCourse(ws *workspace, _ *progress) result {
	r := result{}
	for _, p := range ws.course.Check() {
		r.failed++
		r.detail += p + "\n"
	}
	if cfg.strict {
		for _, ch := range ws.changes {
			r.failed++
			r.detail += fmt.Sprintf("%s differs from %s: after changing an exercise file, run make stubs-sum and commit it\n", ch, course.ManifestFile)
		}
	}
	n := len(ws.course.Exercises())
	if r.failed > 0 {
		r.line = fmt.Sprintf("%d problems in the course's %d exercises or %s", r.failed, n, course.ManifestFile)
		return r
	}
	r.passed = n
	r.line = fmt.Sprintf("%d exercises with title, hint, run command, tests and solution", n)
	if cfg.strict {
		r.line += "; " + course.ManifestFile + " matches"
	}
	return r
}

// pristineCopy copies the repository into a temporary directory, leaving
// out .git and putting the course's own version of every exercise file in
// place of the learner's, and returns the copy's root.
//
// The directory's name depends only on the repository's path and on the
// copy's content, so the next run with the same content reuses it as it
// is, and the go build cache still knows its packages: a fresh name every
// time would rebuild the whole workspace on every make test. A copy is
// never rewritten in place: it is built beside and renamed into place, so
// two runs at the same time (two terminals, two people in one tree) never
// pull files from under each other. Copies unused for a day are removed.
func pristineCopy(c *course.Course, m course.Manifest) (string, error) {
	exerciseDirs := map[string]bool{}
	for _, l := range c.Lessons {
		exerciseDirs[l.ExercisesDir()] = true
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(c.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(c.Root, p)
		if err != nil {
			return err
		}
		slash := filepath.ToSlash(rel)
		if d.IsDir() {
			// Version control and editor state are not the course, and
			// the exercise directories are rebuilt from the manifest.
			if rel != "." && (strings.HasPrefix(d.Name(), ".") && d.Name() != ".ci" || exerciseDirs[slash]) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		files[slash] = data
		return err
	})
	if err != nil {
		return "", fmt.Errorf("making a pristine copy of the course: %w", err)
	}
	for rel := range m {
		if files[rel], err = c.Pristine(m, rel); err != nil {
			return "", fmt.Errorf("making a pristine copy of the course: %w", err)
		}
	}
	h := sha256.New()
	for _, rel := range sortedFileNames(files) {
		fmt.Fprintf(h, "%s %x\n", rel, sha256.Sum256(files[rel]))
	}
	rootSum := sha256.Sum256([]byte(c.Root))
	base := filepath.Join(os.TempDir(), "reliability-workshop-pristine-"+hex.EncodeToString(rootSum[:6]))
	dir := filepath.Join(base, hex.EncodeToString(h.Sum(nil))[:16])
	done := filepath.Join(dir, "complete")
	dst := filepath.Join(dir, "workshop")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	removeStaleCopies(base, dir)
	if _, err := os.Stat(done); err == nil {
		now := time.Now()
		os.Chtimes(done, now, now) // in use: not stale
		return dst, nil
	}
	build, err := os.MkdirTemp(base, "new-")
	if err != nil {
		return "", err
	}
	for rel, data := range files {
		p := filepath.Join(build, "workshop", filepath.FromSlash(rel))
		if err = os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			break
		}
		if err = os.WriteFile(p, data, 0o644); err != nil {
			break
		}
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(build, "complete"), nil, 0o644)
	}
	if err == nil {
		if err = os.Rename(build, dir); err != nil {
			if _, statErr := os.Stat(done); statErr == nil {
				err = nil // another run made the same copy first: use it
			}
		}
	}
	if err != nil {
		os.RemoveAll(build)
		return "", fmt.Errorf("making a pristine copy of the course: %w", err)
	}
	os.RemoveAll(build)
	return dst, nil
}

// removeStaleCopies removes the copies in base, other than keep, that no
// run has used for a day, and half-built ones as old.
func removeStaleCopies(base, keep string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		dir := filepath.Join(base, e.Name())
		if dir == keep {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, "complete"))
		if err != nil {
			fi, err = e.Info()
		}
		if err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			os.RemoveAll(dir)
		}
	}
}

func sortedFileNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// writeManifest rewrites exercises.sum from the tree (make stubs-sum).
func writeManifest(c *course.Course) int {
	m, err := c.TreeManifest()
	if err != nil {
		fatal(err)
	}
	if err := c.WriteManifest(m); err != nil {
		fatal(err)
	}
	fmt.Printf("wrote %s: %d exercise files\n", course.ManifestFile, len(m))
	return 0
}
