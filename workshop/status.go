package main

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"reliability/workshop/course"
)

// cmdStatus shows where the learner is: every exercise with ✓ or ✗, a
// progress bar, and the next exercise with what to edit, what fails and
// how to get a hint.
func (a *app) cmdStatus(ctx context.Context, c *course.Course, args []string) (int, error) {
	if _, err := parseArgs("status", args, nil, 0); err != nil {
		return 0, err
	}
	all := c.Exercises()
	if len(all) == 0 {
		return 1, fmt.Errorf("no exercises found under %s (looked for NN_topic/exercises/exK_name.go)", c.Root)
	}
	a.changedCourseFiles(c, nil)
	v, err := a.verdicts(ctx, c, all, false)
	if err != nil {
		return 1, err
	}
	next, more := nextExercise(all, v)
	a.printCourse(c, v, next.ID)
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, a.bar(countDone(all, v), len(all)))
	fmt.Fprintln(a.stdout)
	if !more {
		a.printAllDone(len(all))
		return 0, nil
	}
	a.printNext("Next", next, v[next.ID], true)
	return 0, nil
}

// printCourse lists every lesson and exercise with its verdict, marking
// the next one.
func (a *app) printCourse(c *course.Course, v map[string]Verdict, next string) {
	for _, l := range c.Lessons {
		if len(l.Exercises) == 0 {
			continue
		}
		fmt.Fprintln(a.stdout, a.paint(ansiBold, fmt.Sprintf("%02d %s", l.Number, l.Name())))
		for _, e := range l.Exercises {
			line := fmt.Sprintf("  %s %s  %s", a.mark(v[e.ID]), e.ID, exerciseTitle(e))
			if s := v[e.ID]; s.Status == statusBuild || s.Status == statusError {
				line += a.paint(ansiDim, " ("+s.short()+")")
			}
			if e.ID == next {
				line += a.paint(ansiYellow, "  ← next")
			}
			fmt.Fprintln(a.stdout, line)
		}
	}
}

// labelled prints one "  label  value" line of an exercise block; value
// is wrapped to fit 80 columns under itself.
func (a *app) labelled(label, value string) {
	const width, indent = 80 - 17, "                 "
	fmt.Fprintf(a.stdout, "  %-13s  %s\n", label, wrapText(value, width, indent))
}

// maxMessageLines bounds a failure message in a block: the first lines
// say what is wrong.
const maxMessageLines = 8

// printNext shows what to do about exercise e: the file to edit and the
// one not to change, what fails in plain words, and the hint command.
func (a *app) printNext(label string, e course.Exercise, v Verdict, suggestWatch bool) {
	fmt.Fprintf(a.stdout, "%s: %s, %s\n", label, a.paint(ansiBold, e.ID), exerciseTitle(e))
	a.labelled("edit", a.paint(ansiCyan, filepath.FromSlash(e.Stub)))
	a.labelled("do not change", filepath.FromSlash(e.Test)+" (the tests)")
	switch {
	case v.Status == statusBuild && v.Elsewhere:
		a.labelled("first fix", clip(strings.Join(v.Compile, "\n"), maxMessageLines))
		a.labelled("", "(the package does not compile, so no test of this lesson can run)")
	case v.Status == statusBuild:
		a.labelled("compile error", clip(strings.Join(v.Compile, "\n"), maxMessageLines))
	case v.Status == statusError:
		a.labelled("go test says", clip(strings.Join(v.Compile, "\n"), maxMessageLines))
	case len(v.Failures) > 0:
		how := v.Failures[0].Test
		if v.Tests > 1 {
			how += fmt.Sprintf(" (%d of %d tests fail)", len(v.Failures), v.Tests)
		}
		a.labelled("failing", how)
		a.labelled("", a.paint(ansiRed, clip(v.Message, maxMessageLines)))
	case v.Message != "":
		a.labelled("failing", clip(v.Message, maxMessageLines))
	}
	a.labelled("hint", "go run ./workshop hint "+e.ID)
	if suggestWatch {
		a.labelled("at each save", "go run ./workshop watch")
	}
}

func (a *app) printAllDone(total int) {
	fmt.Fprintf(a.stdout, "%s Every exercise passes (%d of %d). Well done.\n", a.paint(ansiGreen, "✓"), total, total)
	fmt.Fprintln(a.stdout, "  Compare your answers with solutions/, and try each lesson's interview")
	fmt.Fprintln(a.stdout, "  traps at the end of its README before you look at the answers.")
}

// exerciseTitle is the title without its closing full stop, or the
// stub's file name when its doc comment has none.
func exerciseTitle(e course.Exercise) string {
	if t := strings.TrimSuffix(strings.TrimSpace(e.Title), "."); t != "" {
		return t
	}
	return path.Base(e.Stub)
}

// clip keeps the first n lines of s, saying how many it left out.
func clip(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n(%d more lines)", len(lines)-n)
}
