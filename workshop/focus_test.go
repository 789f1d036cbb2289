package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reliability/workshop/course"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// courseOf builds a course in memory: one lesson per count, with that
// many exercises. Focus rules need no files but the state file.
func courseOf(t *testing.T, counts ...int) *course.Course {
	c := &course.Course{Root: t.TempDir()}
	for i, n := range counts {
		l := course.Lesson{Dir: fmt.Sprintf("%02d_l%d", i+1, i+1), Number: i + 1}
		for k := 1; k <= n; k++ {
			l.Exercises = append(l.Exercises, course.Exercise{
				Lesson: l.Dir, Number: k, ID: fmt.Sprintf("%02d/ex%d", i+1, k),
				Stub: fmt.Sprintf("%s/exercises/ex%d_x.go", l.Dir, k),
			})
		}
		c.Lessons = append(c.Lessons, l)
	}
	return c
}

// passing marks the named exercises done and every other one failing.
func passing(c *course.Course, done ...string) map[string]Verdict {
	v := map[string]Verdict{}
	for _, e := range c.Exercises() {
		v[e.ID] = Verdict{Status: statusFail, Tests: 1, Message: "not yet"}
	}
	for _, id := range done {
		v[id] = Verdict{Status: statusPass, Tests: 1}
	}
	return v
}

func find(t *testing.T, c *course.Course, id string) course.Exercise {
	t.Helper()
	e, err := c.Find(id)
	require.NoError(t, err)
	return e
}

// TestFocusRules: where the runner sends the learner, for each way of
// asking and each state of the course.
func TestFocusRules(t *testing.T) {
	c := courseOf(t, 3, 3, 2)
	list := c.Exercises()
	a, _, _ := testApp(t, c.Root, "")
	lesson2 := c.Lessons[1]
	at := func(v map[string]Verdict, tg target) string {
		e, ok, lessonDone := a.focus(c, list, v, tg)
		switch {
		case !ok:
			return "all done"
		case lessonDone:
			return e.ID + " (lesson done)"
		}
		return e.ID
	}
	ex := func(id string) target { e := find(t, c, id); return target{exercise: &e} }
	none := target{}

	assert.Equal(t, "01/ex1", at(passing(c), none), "a fresh clone starts at the beginning")
	assert.Equal(t, "02/ex1", at(passing(c), target{lesson: &lesson2}), "a lesson: its first exercise")
	assert.Equal(t, "02/ex2", at(passing(c, "02/ex1"), target{lesson: &lesson2}), "a lesson: its first that does not pass")
	assert.Equal(t, "03/ex1 (lesson done)", at(passing(c, "02/ex1", "02/ex2", "02/ex3"), target{lesson: &lesson2}),
		"a finished lesson: on to the next lesson")
	assert.Equal(t, "02/ex3", at(passing(c, "02/ex3"), ex("02/ex3")), "a named exercise, even one that passes")

	a.savePlace(c, find(t, c, "02/ex1"))
	assert.Equal(t, "02/ex1", at(passing(c), none), "no name: the learner's place")
	assert.Equal(t, "02/ex2", at(passing(c, "02/ex1"), none),
		"once it passes, the next exercise of the same lesson, not 01/ex1")

	a.savePlace(c, find(t, c, "02/ex3"))
	assert.Equal(t, "02/ex1", at(passing(c, "02/ex3"), none), "an exercise skipped in the same lesson comes before other lessons")
	assert.Equal(t, "03/ex1", at(passing(c, "02/ex1", "02/ex2", "02/ex3"), none), "a finished lesson: the one after it")

	a.savePlace(c, find(t, c, "03/ex2"))
	assert.Equal(t, "01/ex1", at(passing(c, "02/ex1", "02/ex2", "02/ex3", "03/ex1", "03/ex2"), none), "after the last lesson, round to the first")

	everything := make([]string, 0, len(list))
	for _, e := range list {
		everything = append(everything, e.ID)
	}
	assert.Equal(t, "all done", at(passing(c, everything...), none))
	assert.Equal(t, "all done", at(passing(c, everything...), target{lesson: &lesson2}))

	// Leaving an exercise for later (watch's n key): the next one, and the
	// same one only when nothing else is left.
	next, ok := nextAfter(list, passing(c), find(t, c, "01/ex3"))
	assert.True(t, ok)
	assert.Equal(t, "01/ex1", next.ID, "the rest of the lesson first, wrapping round inside it")
	next, _ = nextAfter(list, passing(c, everything[1:]...), find(t, c, "01/ex1"))
	assert.Equal(t, "01/ex1", next.ID)

	// An exercise that cannot run because a sibling's file does not
	// compile sends the learner to that file.
	v := passing(c)
	v["02/ex1"] = Verdict{Status: statusBuild, Elsewhere: true}
	v["02/ex2"] = Verdict{Status: statusBuild, Elsewhere: true}
	v["02/ex3"] = Verdict{Status: statusBuild, Compile: []string{"ex3_x.go:3:1: syntax error"}}
	assert.Equal(t, "02/ex3", at(v, target{lesson: &lesson2}))

	// A place remembered for another clone, or an exercise that is gone,
	// is no place.
	other := courseOf(t, 3, 3, 2)
	a.savePlace(other, find(t, other, "03/ex1"))
	a.savePlace(c, course.Exercise{ID: "09/ex9"})
	assert.Equal(t, "01/ex1", at(passing(c), none))
}

func TestParseTarget(t *testing.T) {
	root := fakeCourse(t)
	c, err := course.Load(root)
	require.NoError(t, err)
	for name, want := range map[string]string{
		"01/ex2": "exercise 01/ex2", "1/2": "exercise 01/ex2", stub2: "exercise 01/ex2",
		"02": "lesson 02_more", "2": "lesson 02_more", "02_more": "lesson 02_more", "02_more/": "lesson 02_more",
	} {
		tg, err := parseTarget(c, name)
		require.NoError(t, err, name)
		got := ""
		if tg.exercise != nil {
			got = "exercise " + tg.exercise.ID
		} else {
			got = "lesson " + tg.lesson.Dir
		}
		assert.Equal(t, want, got, name)
	}
	_, err = parseTarget(c, "7")
	assert.ErrorContains(t, err, `no lesson or exercise "7"`)
	assert.True(t, looksLikeTarget("04") && looksLikeTarget("04/ex1") && looksLikeTarget(`04_bulkhead\`))
	assert.False(t, looksLikeTarget("stauts"), "a mistyped command stays a mistyped command")
}

// TestTheRunnerFollowsTheLearner runs the real commands on the fake
// course: naming a lesson goes there, a new invocation resumes there,
// commands without a name mean the exercise the learner is on, and the
// place is kept outside the tree (git status shows only the learner's
// own file).
func TestTheRunnerFollowsTheLearner(t *testing.T) {
	root := gitCourse(t)
	cache := t.TempDir()

	a, out, _ := testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"02"}), "a lesson in place of a command")
	assert.Contains(t, out.String(), "  ✗ 02/ex1  greet someone  ← next\n")
	assert.Contains(t, out.String(), "Next: 02/ex1, greet someone\n")

	// A new invocation, as after closing the terminal.
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), nil))
	assert.Contains(t, out.String(), "Next: 02/ex1, greet someone\n", "resumes where the learner was, not at 01/ex1")
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"hint"}))
	assert.True(t, strings.HasPrefix(out.String(), "02/ex1, greet someone\n"), "hint without a name: the exercise the learner is on")
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"solution", "--yes"}))
	assert.Contains(t, out.String(), "+\treturn \"hello, \" + name\n", "solution without a name: the same exercise")

	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"status", "01"}))
	assert.Contains(t, out.String(), "Next: 01/ex1, double a number\n")
	copyFile(t, root, solutionOf(stub1), stub1)
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"01"}))
	assert.Contains(t, out.String(), "Next: 01/ex2, halve a number\n", "with 01/ex1 solved, lesson 01 goes on at 01/ex2")
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"01/ex1"}))
	assert.Contains(t, out.String(), "Next: 01/ex1, double a number\n  edit ", "a named exercise, though it passes")
	assert.Contains(t, out.String(), "  passes         every test of it passes; go run ./workshop moves on\n")
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), nil))
	assert.Contains(t, out.String(), "Next: 01/ex2, halve a number\n", "and a plain run moves on from it")

	write(t, root, stub2, "package exercises\n\nfunc Half(n int) int { return n }\n")
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"reset", "--yes"}), "reset without a name: the exercise the learner is on")
	assert.Contains(t, out.String(), "✓ "+filepath.FromSlash(stub2)+" is the course's version again.")

	assert.Equal(t, " M "+stub1+"\n", git(t, root, "status", "--porcelain", "--untracked-files=all"),
		"the learner's place is kept outside the tree")
	assert.FileExists(t, filepath.Join(root, ".git", placeFile))

	// A fresh clone starts afresh, wherever it is and whatever the cache
	// holds.
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, root, "clone", "-q", root, clone)
	a, out, _ = testApp(t, clone, "", cache)
	require.Equal(t, 0, a.run(t.Context(), nil))
	assert.Contains(t, out.String(), "Next: 01/ex1, double a number\n")
}

// TestAStubSavedLaterMovesThePlace: a learner who was sent to lesson 02,
// then opened 01/ex2 in an editor and saved it, is on 01/ex2, not on
// 02/ex1 and not at the first exercise of the course.
func TestAStubSavedLaterMovesThePlace(t *testing.T) {
	root := gitCourse(t)
	cache := t.TempDir()
	a, _, _ := testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"02"}))

	c, err := course.Load(root)
	require.NoError(t, err)
	set := a.placeTime(c)
	require.False(t, set.IsZero(), "status 02 set the place")
	write(t, root, stub2, "package exercises\n\nfunc Half(n int) int { return n }\n")
	later := set.Add(time.Second) // file times can be coarser than the steps of a test
	require.NoError(t, os.Chtimes(filepath.Join(root, filepath.FromSlash(stub2)), later, later))

	a, out, _ := testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), nil))
	assert.Contains(t, out.String(), "Next: 01/ex2, halve a number\n")
	assert.Contains(t, out.String(), "  failing        TestEx2Half\n", "an edited stub is no longer not started")

	// Touched but as shipped, a stub says nothing about the learner.
	git(t, root, "checkout", "--", stub2)
	a, _, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), []string{"02"}))
	pristinePath := filepath.Join(root, filepath.FromSlash(stub1))
	later = a.placeTime(c).Add(time.Second)
	require.NoError(t, os.Chtimes(pristinePath, later, later))
	a, out, _ = testApp(t, root, "", cache)
	require.Equal(t, 0, a.run(t.Context(), nil))
	assert.Contains(t, out.String(), "Next: 02/ex1, greet someone\n")
}
