package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"reliability/workshop/course"
)

// The runner follows the learner: the exercise they work on is their
// place, kept in a small file in the clone's .git directory (see
// placePath), never in the workshop tree, so git status stays clean. Naming a lesson or an exercise (go run ./workshop
// 04, watch 04/ex3) moves the place there; a plain status or watch
// resumes at it; hint, solution and reset without a name mean it. Once
// the exercise passes, the place moves to the next exercise of the same
// lesson, and only after the whole lesson to the lessons that follow.

// target is what a command line names: an exercise, a lesson, or
// neither (then the learner's place decides).
type target struct {
	exercise *course.Exercise
	lesson   *course.Lesson
}

// parseTarget reads a lesson or an exercise as a person writes it:
// 04/ex3, 4/3, the stub's path; 04, 4, 04_bulkhead.
func parseTarget(c *course.Course, name string) (target, error) {
	if e, err := c.Find(name); err == nil {
		return target{exercise: &e}, nil
	}
	if l, err := c.FindLesson(name); err == nil {
		return target{lesson: &l}, nil
	}
	example := "04/ex1"
	if all := c.Exercises(); len(all) > 0 {
		example = all[0].ID
	}
	lesson, _, _ := strings.Cut(example, "/")
	return target{}, fmt.Errorf("no lesson or exercise %q; name a lesson like %s or an exercise like %s (go run ./workshop list shows them all)",
		name, lesson, example)
}

// looksLikeTarget tells a lesson or an exercise given in place of a
// command (go run ./workshop 04) from a mistyped command name.
func looksLikeTarget(arg string) bool {
	return arg != "" && (arg[0] >= '0' && arg[0] <= '9' || strings.ContainsAny(arg, `/\`))
}

// place is what the state file holds.
type place struct {
	Root     string `json:"root"`     // the clone it belongs to
	Exercise string `json:"exercise"` // "04/ex2"
}

// placeFile is the state file's name inside a clone's .git directory.
const placeFile = "reliability-workshop-place.json"

// placePath is the state file of the clone at root: in its .git
// directory, which git status never shows and a fresh clone does not
// have; in a copy without one, in the cache directory, under a name
// made from root. "" when there is neither (then nothing is remembered).
func (a *app) placePath(root string) string {
	if fi, err := os.Stat(filepath.Join(root, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(root, ".git", placeFile)
	}
	if a.cacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(a.cacheDir, "place", hex.EncodeToString(sum[:8])+".json")
}

// savedPlace returns the exercise the learner was last working on in
// this clone, if the runner remembers one that still exists.
func (a *app) savedPlace(c *course.Course) (course.Exercise, bool) {
	p := a.placePath(c.Root)
	if p == "" {
		return course.Exercise{}, false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return course.Exercise{}, false
	}
	var s place
	if json.Unmarshal(data, &s) != nil || s.Root != c.Root {
		return course.Exercise{}, false
	}
	for _, e := range c.Exercises() {
		if e.ID == s.Exercise {
			return e, true
		}
	}
	return course.Exercise{}, false
}

// placeTime is when the learner's place was last set, or the zero time.
func (a *app) placeTime(c *course.Course) time.Time {
	if p := a.placePath(c.Root); p != "" {
		if fi, err := os.Stat(p); err == nil {
			return fi.ModTime()
		}
	}
	return time.Time{}
}

// lastEdited returns the exercise whose stub the learner saved last,
// if that was after since: a learner who opens 04/ex1 in an editor and
// asks where they are is in lesson 04, whatever they asked before. Stubs
// as the course ships them do not count (a clone or a checkout touches
// them all).
func (a *app) lastEdited(c *course.Course, list []course.Exercise, since time.Time) (course.Exercise, bool) {
	var last course.Exercise
	var at time.Time
	for _, e := range list {
		fi, err := os.Stat(c.Abs(e.Stub))
		if err != nil || !fi.ModTime().After(since) || !fi.ModTime().After(at) || a.notStarted(c, e) {
			continue
		}
		last, at = e, fi.ModTime()
	}
	return last, !at.IsZero()
}

// savePlace remembers e as the learner's place. Like the verdict cache it
// is a convenience: when it cannot be written the runner says so once.
func (a *app) savePlace(c *course.Course, e course.Exercise) {
	p := a.placePath(c.Root)
	if p == "" {
		return
	}
	data, err := json.Marshal(place{Root: c.Root, Exercise: e.ID})
	if err == nil {
		err = writeFileAtomic(p, data)
	}
	if err != nil {
		a.note("the runner cannot remember where you are (%v); name the exercise, e.g. go run ./workshop %s", err, e.ID)
	}
}

// focus decides which exercise a command is about, given every verdict
// of list: the named exercise; for a lesson, its first exercise that does
// not pass; with no name, the learner's place (or the stub they saved
// since it was set), or the one after it once it passes. ok is false when nothing is left to do; lessonDone says that
// the named lesson passes entirely and the focus lies beyond it.
func (a *app) focus(c *course.Course, list []course.Exercise, v map[string]Verdict, t target) (e course.Exercise, ok, lessonDone bool) {
	switch {
	case t.exercise != nil:
		return *t.exercise, true, false
	case t.lesson != nil:
		for _, e := range t.lesson.Exercises {
			if !v[e.ID].Done() {
				return runnable(list, v, e), true, false
			}
		}
		if n := len(t.lesson.Exercises); n > 0 {
			e, ok := nextAfter(list, v, t.lesson.Exercises[n-1])
			return e, ok, true
		}
		e, ok := nextExercise(list, v)
		return e, ok, true
	}
	here, known := a.savedPlace(c)
	if e, edited := a.lastEdited(c, list, a.placeTime(c)); edited {
		// The learner's editor says where they are, more recently than
		// any command did.
		here, known = e, true
	}
	if known {
		if !v[here.ID].Done() {
			return runnable(list, v, here), true, false
		}
		e, ok := nextAfter(list, v, here)
		return e, ok, false
	}
	e, ok = nextExercise(list, v)
	return e, ok, false
}

// nextAfter returns the exercise to go on to from e: the next one of
// e's lesson that does not pass, then an earlier one of the same lesson
// that was skipped, then the lessons after it, in course order, wrapping
// round to the start; e itself comes last. ok is false when every
// exercise passes.
func nextAfter(list []course.Exercise, v map[string]Verdict, e course.Exercise) (course.Exercise, bool) {
	at := -1
	for i, x := range list {
		if x.ID == e.ID {
			at = i
		}
	}
	if at < 0 {
		return nextExercise(list, v)
	}
	var order []course.Exercise
	for i := at + 1; i < len(list) && list[i].Lesson == e.Lesson; i++ {
		order = append(order, list[i])
	}
	for i := 0; i < at; i++ {
		if list[i].Lesson == e.Lesson {
			order = append(order, list[i])
		}
	}
	for i := 1; i <= len(list); i++ {
		if x := list[(at+i)%len(list)]; x.Lesson != e.Lesson {
			order = append(order, x)
		}
	}
	order = append(order, e)
	for _, x := range order {
		if !v[x.ID].Done() {
			return runnable(list, v, x), true
		}
	}
	return course.Exercise{}, false
}

// runnable returns e, unless e cannot run because another exercise's
// file in its lesson does not compile: then that other exercise, whose
// file is the one to fix first.
func runnable(list []course.Exercise, v map[string]Verdict, e course.Exercise) course.Exercise {
	if s := v[e.ID]; s.Status == statusBuild && s.Elsewhere {
		for _, other := range list {
			if o := v[other.ID]; other.Lesson == e.Lesson && o.Status == statusBuild && !o.Elsewhere {
				return other
			}
		}
	}
	return e
}

// resolve turns a command's optional argument into the exercise it is
// about (see focus), with every exercise's verdict, mostly from the
// cache; a named exercise needs none unless it is to be remembered. With
// remember, the result becomes the learner's place. A name that is no
// lesson or exercise is a usage error.
func (a *app) resolve(ctx context.Context, c *course.Course, args []string, remember bool) (resolved, error) {
	var t target
	if len(args) > 0 {
		var err error
		if t, err = parseTarget(c, args[0]); err != nil {
			return resolved{}, usagef("%v", err)
		}
	}
	list := c.Exercises()
	if len(list) == 0 {
		return resolved{}, fmt.Errorf("no exercises found under %s (looked for NN_topic/exercises/exK_name.go)", c.Root)
	}
	if t.exercise != nil && !remember {
		// A named exercise needs no verdicts to be found.
		return resolved{target: t, exercise: *t.exercise, ok: true}, nil
	}
	v, err := a.verdicts(ctx, c, list, false)
	if err != nil {
		return resolved{}, err
	}
	e, ok, lessonDone := a.focus(c, list, v, t)
	if ok && remember {
		a.savePlace(c, e)
	}
	return resolved{target: t, exercise: e, ok: ok, lessonDone: lessonDone, all: v}, nil
}

// resolved is what resolve found.
type resolved struct {
	target     target
	exercise   course.Exercise
	ok         bool               // false: every exercise passes
	lessonDone bool               // the named lesson passes entirely
	all        map[string]Verdict // every verdict; nil when none was needed
}
