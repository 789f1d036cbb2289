package main

import (
	"bytes"
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
// The copy lives in one of a few slots whose names depend only on the
// repository's path, so the next run finds the same directory and the go
// build cache still knows its packages (a fresh name every time would
// rebuild the whole workspace on every make test); only the files that
// changed are rewritten. A run holds its slot until it exits, so two runs
// at the same time (two terminals, two people in one tree) each get a
// slot of their own and never pull files from under each other.
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
	rootSum := sha256.Sum256([]byte(c.Root))
	base := filepath.Join(os.TempDir(), "reliability-workshop-pristine-"+hex.EncodeToString(rootSum[:6]))
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	for i := range maxSlots {
		slot := filepath.Join(base, fmt.Sprintf("slot%d", i))
		if !takeSlot(slot + ".lock") {
			continue
		}
		dst := filepath.Join(slot, "workshop")
		if err := syncTree(dst, files); err != nil {
			releaseSlot()
			return "", fmt.Errorf("making a pristine copy of the course: %w", err)
		}
		return dst, nil
	}
	return "", fmt.Errorf("making a pristine copy of the course: all %d copies in %s are in use by other runs", maxSlots, base)
}

// maxSlots bounds how many runs can check one repository at a time.
const maxSlots = 8

// slotStale is the age after which a slot's lock is taken to be left
// over by a run that was killed.
const slotStale = 2 * time.Hour

var heldSlot string // the lock file this run holds, if any

// takeSlot creates the lock file, or reports false when another run holds
// it.
func takeSlot(lock string) bool {
	for range 2 {
		f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			heldSlot = lock
			return true
		}
		fi, statErr := os.Stat(lock)
		if statErr != nil || time.Since(fi.ModTime()) < slotStale {
			return false
		}
		os.Remove(lock)
	}
	return false
}

// releaseSlot lets the next run have this run's copy.
func releaseSlot() {
	if heldSlot != "" {
		os.Remove(heldSlot)
		heldSlot = ""
	}
}

// syncTree makes dir hold exactly files, rewriting only the files whose
// content differs, so that unchanged files keep their times (the go
// command's module index trusts a directory whose files are older than a
// few seconds).
func syncTree(dir string, files map[string][]byte) error {
	var stale []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if rel, err := filepath.Rel(dir, p); err == nil {
			if _, ok := files[filepath.ToSlash(rel)]; !ok {
				stale = append(stale, p)
			}
		}
		return nil
	})
	for _, p := range stale {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	for _, rel := range sortedFileNames(files) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, files[rel]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[rel], 0o644); err != nil {
			return err
		}
	}
	return nil
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
