package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The verdict cache lives outside the workshop tree, in the user's cache
// directory, so it needs no .gitignore entry and survives a fresh clone
// of the same content. Entries are named by content (lesson key and
// exercise number): a stale entry is never read, only left to be pruned.

// defaultCacheDir is $WORKSHOP_CACHE, or reliability-workshop under the
// user's cache directory (~/.cache, ~/Library/Caches, %LocalAppData%), or
// under the temporary directory when there is none.
func defaultCacheDir(getenv func(string) string) string {
	if d := getenv("WORKSHOP_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "reliability-workshop")
	}
	return filepath.Join(os.TempDir(), "reliability-workshop")
}

// maxCacheEntries bounds the verdict cache; beyond it the oldest entries
// go. A verdict is a few hundred bytes, so this is a few megabytes.
const maxCacheEntries = 4000

func (a *app) verdictPath(key string, n int) string {
	return filepath.Join(a.cacheDir, "verdicts", fmt.Sprintf("%s-ex%d.json", key, n))
}

// cachedVerdict returns the stored verdict of exercise n under key.
func (a *app) cachedVerdict(key string, n int) (Verdict, bool) {
	if a.cacheDir == "" {
		return Verdict{}, false
	}
	data, err := os.ReadFile(a.verdictPath(key, n))
	if err != nil {
		return Verdict{}, false
	}
	var v Verdict
	if json.Unmarshal(data, &v) != nil || v.Status == "" {
		return Verdict{}, false
	}
	return v, true
}

// storeVerdict records a verdict. The cache is an optimisation: when it
// cannot be written the runner says so once and carries on.
func (a *app) storeVerdict(key string, n int, v Verdict) {
	if a.cacheDir == "" {
		return
	}
	p := a.verdictPath(key, n)
	data, err := json.Marshal(v)
	if err == nil {
		err = writeFileAtomic(p, data)
	}
	if err != nil {
		a.note("results are not cached (%v), so every run tests again", err)
		return
	}
	a.mu.Lock()
	first := !a.pruned
	a.pruned = true
	a.mu.Unlock()
	if first {
		pruneDir(filepath.Dir(p), maxCacheEntries)
	}
}

// writeFileAtomic writes through a temporary file and a rename, so that a
// second runner (watch in one terminal, status in another) never reads
// half a file.
func writeFileAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// pruneDir removes the oldest files of dir beyond limit.
func pruneDir(dir string, limit int) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= limit {
		return
	}
	type aged struct {
		name string
		mod  int64
	}
	var files []aged
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() && !strings.HasPrefix(e.Name(), ".tmp-") {
			files = append(files, aged{e.Name(), info.ModTime().UnixNano()})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod < files[j].mod })
	for _, f := range files[:max(0, len(files)-limit)] {
		os.Remove(filepath.Join(dir, f.name))
	}
}
