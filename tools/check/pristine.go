package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"reliability/workshop/course"
)

// runCourse checks the course's shape (every exercise has its title, hint,
// run command, tests and solution; numbers without gaps) and, with CI set,
// that exercises.sum lists exactly the exercise files in the tree: a stub
// changed without refreshing the list must not land, or learners' tools
// would take the stale list for the course.
func runCourse(ws *workspace) result {
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
// place of the learner's, and returns the copy's root. The directory's
// name depends only on the repository's path, so the next run reuses it
// and the go build cache still knows its packages: a fresh name every
// time would rebuild the whole workspace on every make test.
func pristineCopy(c *course.Course, m course.Manifest) (string, error) {
	sum := sha256.Sum256([]byte(c.Root))
	tmp := filepath.Join(os.TempDir(), "reliability-workshop-pristine-"+hex.EncodeToString(sum[:6]))
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	dst := filepath.Join(tmp, "workshop")
	exerciseDirs := map[string]bool{}
	for _, l := range c.Lessons {
		exerciseDirs[l.ExercisesDir()] = true
	}
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
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err == nil {
		for rel := range m {
			var data []byte
			if data, err = c.Pristine(m, rel); err != nil {
				break
			}
			p := filepath.Join(dst, filepath.FromSlash(rel))
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				break
			}
			if err = os.WriteFile(p, data, 0o644); err != nil {
				break
			}
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("making a pristine copy of the course: %w", err)
	}
	return dst, nil
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
