package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"reliability/workshop/course"
)

// cacheFormat changes whenever Verdict or the key's recipe does, so an
// old cache is never misread.
const cacheFormat = "reliability-workshop verdicts v1"

// keyer computes lesson keys: a hash of everything that can change a
// lesson's exercise verdicts. One keyer hashes each module directory
// once, however many lessons share it (flaky/, say).
type keyer struct {
	c    *course.Course
	tc   *toolchain
	dirs map[string]string // absolute module directory -> its hash
}

func newKeyer(c *course.Course, tc *toolchain) *keyer {
	return &keyer{c: c, tc: tc, dirs: map[string]string{}}
}

// lessonKey covers the lesson's whole module (its exercises, the
// learner's files among them, and the packages they import), every local
// module it replaces a dependency with, the workspace files, the
// manifest the runner takes the course's test files from, and the
// toolchain. The solutions are not in it: they never change a verdict.
func (k *keyer) lessonKey(lesson string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\nroot=%q\n", cacheFormat, k.tc.fingerprint(), k.c.Root)
	for _, f := range []string{"go.work", "go.work.sum", course.ManifestFile} {
		hashFile(h, k.c.Root, f)
	}
	mods, err := k.moduleDirs(filepath.Join(k.c.Root, lesson))
	if err != nil {
		return "", err
	}
	for _, dir := range mods {
		sum, err := k.dirHash(dir)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "module %q %s\n", dir, sum)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// moduleDirs returns dir and every local directory its go.mod replaces
// a module with, recursively, sorted.
func (k *keyer) moduleDirs(dir string) ([]string, error) {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(d string) {
		if seen[d] {
			return
		}
		seen[d] = true
		for _, r := range localReplaces(d) {
			walk(r)
		}
	}
	walk(dir)
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out, nil
}

// localReplaces reads the "=> ../dir" targets of a go.mod's replace
// directives. Missing or unreadable go.mod files have none.
func localReplaces(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		_, target, ok := strings.Cut(line, "=>")
		if !ok {
			continue
		}
		f := strings.Fields(target)
		if len(f) > 0 && strings.HasPrefix(f[0], ".") {
			out = append(out, filepath.Clean(filepath.Join(dir, filepath.FromSlash(f[0]))))
		}
	}
	return out
}

// dirHash hashes every file under dir that a build or a test could read,
// leaving out editor litter (swap files, backups) and hidden directories
// such as .git.
func (k *keyer) dirHash(dir string) (string, error) {
	if sum, ok := k.dirs[dir]; ok {
		return sum, nil
	}
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && os.IsNotExist(err) {
				return filepath.SkipDir
			}
			return err
		}
		if p != dir && isLitter(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		hashFile(h, dir, rel)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", dir, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	k.dirs[dir] = sum
	return sum, nil
}

// hashFile adds a file's name and content to h; a missing file counts
// as absent, which is different from empty.
func hashFile(h hash.Hash, dir, rel string) {
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		fmt.Fprintf(h, "file %q absent\n", filepath.ToSlash(rel))
		return
	}
	fmt.Fprintf(h, "file %q %d\n", filepath.ToSlash(rel), len(data))
	h.Write(data)
}

// isLitter reports names no build reads but editors and tools leave
// behind: hidden files and directories (.git, .ex1.go.swp), backups
// (ex1.go~), Emacs autosaves (#ex1.go#) and Go's ignored _files.
func isLitter(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~") ||
		strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, ".tmp")
}
