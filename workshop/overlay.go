package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"reliability/workshop/course"
)

// courseOverlay makes sure a learner's code is judged by the course's
// tests. Of the files in a lesson's exercises/ directory only the stubs
// (and files the learner adds) are the learner's; a test file or a shared
// helper that differs from exercises.sum was changed by accident or to
// make a test pass. The runner then tests with the course's version,
// through go test -overlay, without touching the learner's file, and says
// so once. It returns the overlay file ("" when none is needed) and a
// function that removes it.
func (a *app) courseOverlay(c *course.Course, list []course.Exercise) (string, func(), error) {
	nothing := func() {}
	lessons := map[string]bool{}
	for _, e := range list {
		lessons[e.Lesson] = true
	}
	m, changed := a.changedCourseFiles(c, lessons)
	if len(changed) == 0 {
		return "", nothing, nil
	}
	tmp, err := os.MkdirTemp("", "workshop-overlay-")
	if err != nil {
		return "", nothing, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	replace := map[string]string{}
	for i, rel := range changed {
		orig, err := c.Pristine(m, rel)
		if err != nil {
			a.note("%s differs from the course's version, which cannot be read back (%v); testing with yours", rel, err)
			continue
		}
		p := filepath.Join(tmp, strconv.Itoa(i)+"-"+filepath.Base(rel))
		if err := os.WriteFile(p, orig, 0o644); err != nil {
			cleanup()
			return "", nothing, err
		}
		replace[c.Abs(rel)] = p
	}
	if len(replace) == 0 {
		cleanup()
		return "", nothing, nil
	}
	data, err := json.Marshal(map[string]map[string]string{"Replace": replace})
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, "overlay.json"), data, 0o644)
	}
	if err != nil {
		cleanup()
		return "", nothing, err
	}
	return filepath.Join(tmp, "overlay.json"), cleanup, nil
}

// changedCourseFiles returns the manifest and the course's own files
// (everything in the given lessons' exercises/ directories but the
// stubs) that differ from it, sorted, and notes each one once. A nil
// lessons means every lesson.
func (a *app) changedCourseFiles(c *course.Course, lessons map[string]bool) (course.Manifest, []string) {
	m, err := c.ReadManifest()
	if err != nil {
		a.note("%v; the tests run as they are in your tree", err)
		return nil, nil
	}
	stubs := map[string]bool{}
	for _, e := range c.Exercises() {
		stubs[e.Stub] = true
	}
	var changed []string
	for rel, id := range m {
		if lessons != nil && !lessons[course.LessonOf(rel)] || stubs[rel] {
			continue
		}
		if data, err := c.ReadFile(rel); err != nil || course.BlobID(data) != id {
			changed = append(changed, rel)
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		var names []string
		for i, rel := range changed {
			if i == 3 {
				names = append(names, fmt.Sprintf("and %d more", len(changed)-i))
				break
			}
			names = append(names, filepath.FromSlash(rel))
		}
		a.note("%s %s not as the course ships %s (%s); your code is tested with the course's "+
			"version. Only the exK_name.go stubs are yours to change.",
			strings.Join(names, ", "), plural(len(changed), "is", "are"), plural(len(changed), "it", "them"), course.ManifestFile)
	}
	return m, changed
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
