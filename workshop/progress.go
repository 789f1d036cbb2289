package main

import (
	"context"
	"time"

	"reliability/workshop/course"
)

// verdicts returns the verdict of every exercise in list. Unless fresh,
// a verdict stored under the lesson's current key is reused; the rest
// run, all in one go test invocation.
func (a *app) verdicts(ctx context.Context, c *course.Course, list []course.Exercise, fresh bool) (map[string]Verdict, error) {
	tc, err := a.toolchain(ctx)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	k := newKeyer(c, tc)
	out := map[string]Verdict{}
	var todo []course.Exercise
	for _, e := range list {
		key, ok := keys[e.Lesson]
		if !ok {
			if key, err = k.lessonKey(e.Lesson); err != nil {
				return nil, err
			}
			keys[e.Lesson] = key
		}
		if !fresh {
			if v, ok := a.cachedVerdict(key, e.Number); ok {
				out[e.ID] = v
				continue
			}
		}
		todo = append(todo, e)
	}
	if len(todo) == 0 {
		return out, nil
	}
	if !a.quietRuns {
		// Say what is going on when it takes a while: the first run
		// builds the race runtime and every dependency.
		slow := time.AfterFunc(time.Second, func() {
			a.note("testing %d %s; the first run also builds what they import", len(todo), plural(len(todo), "exercise", "exercises"))
		})
		defer slow.Stop()
	}
	got, err := a.runExercises(ctx, c, tc, todo)
	if err != nil {
		return nil, err
	}
	// Store a verdict only if the files still have the content it was
	// computed from: after a save during the run nobody knows which
	// version the compiler saw.
	after := newKeyer(c, tc)
	still := map[string]bool{}
	for lesson, key := range keys {
		now, err := after.lessonKey(lesson)
		still[lesson] = err == nil && now == key
	}
	for _, e := range todo {
		v := got[e.ID]
		out[e.ID] = v
		if still[e.Lesson] && v.Status != statusError {
			a.storeVerdict(keys[e.Lesson], e.Number, v)
		}
	}
	return out, nil
}

// nextExercise returns the first exercise in course order that is not
// done, or false when every one is. When that exercise cannot run
// because another exercise's file does not compile, that other exercise
// comes first: its file is the one to fix.
func nextExercise(list []course.Exercise, v map[string]Verdict) (course.Exercise, bool) {
	for _, e := range list {
		if !v[e.ID].Done() {
			return runnable(list, v, e), true
		}
	}
	return course.Exercise{}, false
}

// countDone counts the exercises in list that are done.
func countDone(list []course.Exercise, v map[string]Verdict) int {
	n := 0
	for _, e := range list {
		if v[e.ID].Done() {
			n++
		}
	}
	return n
}
