package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"reliability/workshop/course"
)

// cmdReset puts one exercise's stub back as the course ships it. The
// course's version comes from git's object store by the blob id in
// exercises.sum (course.Pristine), so it is the right one even after the
// learner committed their work. Without a name it is the exercise the
// learner is on; for a lesson, the one they are on there. It asks first, keeps a copy of the
// learner's version in the cache directory, and touches no other file.
func (a *app) cmdReset(ctx context.Context, c *course.Course, args []string) (int, error) {
	flags := newYesFlags("reset")
	yes := flags.yes
	rest, err := parseArgs("reset", args, flags.set, 1)
	if err != nil {
		return 0, err
	}
	r, err := a.resolve(ctx, c, rest, false)
	if err != nil {
		return 1, err
	}
	if !r.ok {
		return 0, usagef("every exercise passes: name the exercise whose stub to restore, e.g. %s", c.Exercises()[0].ID)
	}
	e := r.exercise
	m, err := c.ReadManifest()
	if err != nil {
		return 1, err
	}
	orig, err := c.Pristine(m, e.Stub)
	if err != nil {
		return 1, err
	}
	stub := filepath.FromSlash(e.Stub)
	yours, readErr := c.ReadFile(e.Stub)
	if readErr == nil && string(yours) == string(orig) {
		fmt.Fprintf(a.stdout, "%s is already the course's version; nothing to do.\n", stub)
		return 0, nil
	}
	if readErr == nil {
		fmt.Fprintf(a.stdout, "This puts %s back as the course ships it:\nyour version (%d lines differ) is replaced. No other file is touched.\n",
			stub, countChanged(string(yours), string(orig)))
	} else {
		fmt.Fprintf(a.stdout, "%s is missing; this writes the course's version. No other file is touched.\n", stub)
	}
	if !*yes && !a.confirm(fmt.Sprintf("Reset %s?", e.ID)) {
		fmt.Fprintln(a.stdout, "Nothing changed.")
		return 1, nil
	}
	backup := ""
	if readErr == nil && a.cacheDir != "" {
		name := fmt.Sprintf("%s-%s-%s", time.Now().Format("20060102-150405"), strings.ReplaceAll(e.ID, "/", "-"), path.Base(e.Stub))
		backup = filepath.Join(a.cacheDir, "backups", name)
		if err := writeFileAtomic(backup, yours); err != nil {
			return 1, fmt.Errorf("saving a copy of your version first: %w (nothing changed)", err)
		}
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(c.Abs(e.Stub)); err == nil {
		perm = fi.Mode().Perm()
	}
	if err := os.WriteFile(c.Abs(e.Stub), orig, perm); err != nil {
		return 1, err
	}
	fmt.Fprintf(a.stdout, "%s %s is the course's version again.\n", a.paint(ansiGreen, "✓"), stub)
	if backup != "" {
		fmt.Fprintf(a.stdout, "Your version is kept in %s\n", backup)
	}
	if data, err := c.ReadFile(e.Test); err != nil || course.BlobID(data) != m[e.Test] {
		a.note("%s differs from the course's too; reset leaves it alone (your code is tested with the course's)", filepath.FromSlash(e.Test))
	}
	return 0, nil
}
