package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// The verdict cache remembers checks that passed, so that a second make
// test with nothing changed skips them. A verdict is stored under a hash
// of everything the check reads: the bytes of the files involved, the Go
// toolchain and its settings, the environment variables the code could
// consult, and the check's own flags. Change one byte of any of them and
// the key changes, so the check runs again; a cache can only skip work
// whose inputs are identical. Failures are never stored: a failing check
// always runs again.
//
// It lives in the user's cache directory, outside the repository; -fresh
// ignores it, and so does a run with CI set, which always checks
// everything.
type verdictCache struct {
	dir          string // "" when disabled
	hits, misses atomic.Int64
}

// cacheVersion changes when the meaning of a stored verdict changes.
const cacheVersion = "check-verdicts-v1"

func openVerdictCache(disabled bool) *verdictCache {
	if disabled {
		return &verdictCache{}
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return &verdictCache{}
	}
	dir := filepath.Join(base, "reliability-workshop", cacheVersion)
	if os.MkdirAll(dir, 0o755) != nil {
		return &verdictCache{}
	}
	trimCache(dir)
	return &verdictCache{dir: dir}
}

// A verdict unused for cacheKeep is removed, once a day at most: every
// change to the course leaves a few hundred verdicts behind.
const cacheKeep = 30 * 24 * time.Hour

func trimCache(dir string) {
	marker := filepath.Join(dir, "trimmed")
	if fi, err := os.Stat(marker); err == nil && time.Since(fi.ModTime()) < 24*time.Hour {
		return
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil && time.Since(fi.ModTime()) > cacheKeep {
			os.Remove(p)
		}
		return nil
	})
	os.WriteFile(marker, nil, 0o644)
}

func (c *verdictCache) file(key string) string {
	return filepath.Join(c.dir, key[:2], key)
}

// get fills v with the verdict stored under key and reports whether
// there was one.
func (c *verdictCache) get(key string, v any) bool {
	if c.dir == "" {
		return false
	}
	p := c.file(key)
	data, err := os.ReadFile(p)
	if err != nil || json.Unmarshal(data, v) != nil {
		c.misses.Add(1)
		return false
	}
	c.hits.Add(1)
	// Mark it used, so trimCache keeps it; once a day is enough.
	if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
		now := time.Now()
		os.Chtimes(p, now, now)
	}
	return true
}

// put stores a passing verdict. Errors are ignored: the cache only saves
// time.
func (c *verdictCache) put(key string, v any) {
	if c.dir == "" {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	p := c.file(key)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	// Write then rename, so a concurrent reader never sees half a file.
	tmp := fmt.Sprintf("%s.%d.tmp", p, os.Getpid())
	if os.WriteFile(tmp, data, 0o644) == nil {
		os.Rename(tmp, p)
	}
}

// inputs hashes what the checks read, once per run.
type inputs struct {
	env   string            // toolchain, settings and environment
	files map[string]string // every file under workdir (slash path) -> sha256
	mods  []string          // workspace module directories, "." for the root
	deps  map[string][]string
}

// envVarRE finds string literals that look like environment variable
// names in the course's Go files ("REDIS_URL", "NO_COLOR"): a test or a
// demo may read any of them, so their values belong in every key.
var envVarRE = regexp.MustCompile(`"([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{2,})"`)

// replaceRE finds a go.mod's replace directives that point at a sibling
// module of the workspace: replace reliability/flaky => ../flaky.
var replaceRE = regexp.MustCompile(`(?m)=>\s*(\.\.?/[^\s]+)`)

// siblingRE finds the workspace modules a go.mod names: reliability/flaky.
var siblingRE = regexp.MustCompile(`(?m)^\s*(?:require\s+)?reliability/([A-Za-z0-9_]+)\s+v`)

// hashInputs reads every file under workdir (except .git) and the go
// command's settings.
func hashInputs(ws *workspace) (*inputs, error) {
	in := &inputs{files: map[string]string{}, deps: map[string][]string{}, mods: ws.modules}
	names := map[string]bool{}
	err := filepath.WalkDir(workdir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(workdir, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		in.files[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		if strings.HasSuffix(p, ".go") {
			for _, m := range envVarRE.FindAllSubmatch(data, -1) {
				names[string(m[1])] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, m := range ws.modules {
		data, err := os.ReadFile(filepath.Join(workdir, m, "go.mod"))
		if err != nil {
			continue
		}
		for _, r := range replaceRE.FindAllSubmatch(data, -1) {
			in.deps[m] = append(in.deps[m], path.Clean(path.Join(filepath.ToSlash(m), string(r[1]))))
		}
		// A sibling required without a replace is still found through
		// go.work: module paths mirror directories (reliability/flaky).
		for _, r := range siblingRE.FindAllSubmatch(data, -1) {
			if dir := string(r[1]); dir != m {
				in.deps[m] = append(in.deps[m], dir)
			}
		}
	}

	// The toolchain and its settings, minus where things are stored.
	goenv, err := run(0, "go", "env", "-json")
	if err != nil {
		return nil, fmt.Errorf("go env: %v\n%s", err, goenv)
	}
	var settings map[string]any
	if err := json.Unmarshal([]byte(goenv), &settings); err != nil {
		return nil, fmt.Errorf("go env -json: %v", err)
	}
	for _, k := range []string{"GOCACHE", "GOENV", "GOTMPDIR", "GOMODCACHE", "GOPATH", "GOTELEMETRY", "GOTELEMETRYDIR", "GOGCCFLAGS"} {
		delete(settings, k)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || names[k]) && settings[k] == nil &&
			k != "GOCACHE" && k != "GOTMPDIR" && k != "GOMODCACHE" && k != "GOPATH" && k != "GOENV" {
			env = append(env, kv)
		}
	}
	sort.Strings(env)
	h := sha256.New()
	settingsJSON, _ := json.Marshal(settings) // map keys come out sorted
	fmt.Fprintf(h, "%s\n%s\n%q\ncpus %d race %v\n", cacheVersion, settingsJSON, env, runtime.NumCPU(), cfg.race)
	// The checker itself, and the course model it reads the tree with: a
	// verdict reached by other code is not this code's verdict.
	for _, rel := range sortedKeys(in.files) {
		if strings.HasPrefix(rel, "tools/") || strings.HasPrefix(rel, "workshop/course/") {
			fmt.Fprintf(h, "%s %s\n", in.files[rel], rel)
		}
	}
	in.env = hex.EncodeToString(h.Sum(nil))
	return in, nil
}

// key hashes the environment, the given parts and the files that match.
func (in *inputs) key(match func(rel string) bool, parts ...string) string {
	var rels []string
	for rel := range in.files {
		if match(rel) {
			rels = append(rels, rel)
		}
	}
	sort.Strings(rels)
	h := sha256.New()
	fmt.Fprintf(h, "env %s\nparts %q\n", in.env, parts)
	for _, rel := range rels {
		fmt.Fprintf(h, "%s %s\n", in.files[rel], rel)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// treeKey covers every file of the tree: for checks whose code may read
// any file (a test that walks the course does).
func (in *inputs) treeKey(parts ...string) string {
	return in.key(func(string) bool { return true }, parts...)
}

// moduleKey covers the given module directories, every sibling module
// they replace (transitively), every go.mod and go.sum of the workspace
// (they decide the versions every module builds with) and go.work with
// its go.work.sum.
func (in *inputs) moduleKey(mods []string, parts ...string) string {
	closure := map[string]bool{}
	var visit func(string)
	visit = func(m string) {
		if closure[m] {
			return
		}
		closure[m] = true
		for _, d := range in.deps[m] {
			visit(d)
		}
	}
	for _, m := range mods {
		visit(m)
	}
	owner := in.moduleOf
	return in.key(func(rel string) bool {
		base := path.Base(rel)
		if base == "go.mod" || base == "go.sum" || rel == "go.work" || rel == "go.work.sum" {
			return true
		}
		return closure[owner(rel)]
	}, parts...)
}

// moduleOf returns the workspace module holding rel: the longest module
// directory that is a prefix of it, "." for the root's own files, or ""
// for files of no module.
func (in *inputs) moduleOf(rel string) string {
	best := ""
	for _, m := range in.mods {
		if m == "." {
			if best == "" {
				best = "."
			}
			continue
		}
		if strings.HasPrefix(rel, m+"/") && len(m) > len(best) {
			best = m
		}
	}
	return best
}

// hasGo reports whether module m holds Go files of its own.
func (in *inputs) hasGo(m string) bool {
	for rel := range in.files {
		if strings.HasSuffix(rel, ".go") && in.moduleOf(rel) == m && !strings.Contains("/"+rel, "/testdata/") {
			return true
		}
	}
	return false
}

// fileHash is the content hash of one file given relative to workdir, or
// "" when it is not in the tree.
func (in *inputs) fileHash(rel string) string { return in.files[rel] }

// hashStrings is a short helper for keys built from a few strings.
func hashStrings(parts ...string) string {
	var b bytes.Buffer
	for _, p := range parts {
		fmt.Fprintf(&b, "%q\n", p)
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}
