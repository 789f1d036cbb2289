package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"reliability/workshop/course"
)

// cmdHint prints an exercise's hint, from its stub's doc comment. With
// no exercise named it is the one the learner is on; for a lesson, the
// one they are on in that lesson.
func (a *app) cmdHint(ctx context.Context, c *course.Course, args []string) (int, error) {
	rest, err := parseArgs("hint", args, nil, 1)
	if err != nil {
		return 0, err
	}
	r, err := a.resolve(ctx, c, rest, false)
	if err != nil {
		return 1, err
	}
	if !r.ok {
		all := c.Exercises()
		fmt.Fprintln(a.stdout, "Every exercise passes, so there is no next one. Name one to see its")
		fmt.Fprintln(a.stdout, "hint, e.g. go run ./workshop hint "+all[0].ID)
		return 0, nil
	}
	a.printHint(r.exercise)
	return 0, nil
}

// printHint shows exercise e's hint and the files it is about.
func (a *app) printHint(e course.Exercise) {
	fmt.Fprintf(a.stdout, "%s\n\n", a.titled("", e))
	if e.Hint == "" {
		fmt.Fprintf(a.stdout, "  This exercise has no hint; its task is in the doc comment of\n  %s.\n", filepath.FromSlash(e.Stub))
	} else {
		fmt.Fprintln(a.stdout, indentLines(fitLines(e.Hint, maxColumns-2), "  "))
	}
	fmt.Fprintln(a.stdout)
	a.labelled("edit", a.paint(ansiCyan, filepath.FromSlash(e.Stub)))
	a.labelled("do not change", filepath.FromSlash(e.Test)+" (the tests)")
	a.labelled("test it alone", runCommand(e))
}

// cmdList prints the course map: lessons in order, each with its README
// and demo, and its exercises with their titles and stub files.
func (a *app) cmdList(_ context.Context, c *course.Course, args []string) (int, error) {
	if _, err := parseArgs("list", args, nil, 0); err != nil {
		return 0, err
	}
	all := c.Exercises()
	lessons := 0
	width := 0
	for _, l := range c.Lessons {
		lessons++
		for _, e := range l.Exercises {
			width = max(width, len([]rune(exerciseTitle(e))))
		}
	}
	width = min(width, 44)
	fmt.Fprintf(a.stdout, "Reliability Patterns Workshop: %d lessons, %d exercises\n", lessons, len(all))
	for _, l := range c.Lessons {
		fmt.Fprintln(a.stdout)
		head := fmt.Sprintf("%02d %s", l.Number, l.Name())
		fmt.Fprintln(a.stdout, a.paint(ansiBold, head))
		// Where to read and what to run go on a line of their own, so
		// the map fits 80 columns on a projector.
		var about []string
		if isFile(c.Abs(path.Join(l.Dir, "README.md"))) {
			about = append(about, "read "+filepath.FromSlash(path.Join(l.Dir, "README.md")))
		}
		if isFile(c.Abs(path.Join(l.Dir, "main.go"))) {
			about = append(about, "demo go run ./"+l.Dir)
		}
		if len(about) > 0 {
			fmt.Fprintf(a.stdout, "  %s\n", strings.Join(about, "  "))
		}
		if len(l.Exercises) == 0 {
			fmt.Fprintln(a.stdout, "  (no exercises yet)")
			continue
		}
		fmt.Fprintf(a.stdout, "  exercises in %s%c\n", filepath.FromSlash(l.ExercisesDir()), filepath.Separator)
		for _, e := range l.Exercises {
			t := exerciseTitle(e)
			file := path.Base(e.Stub)
			line := fmt.Sprintf("  %-6s  %s", e.ID, t)
			if pad := max(width-len([]rune(t)), 0); len([]rune(line))+pad+2+len(file) <= 80 {
				fmt.Fprintf(a.stdout, "%s%*s  %s\n", line, pad, "", a.paint(ansiCyan, file))
			} else {
				fmt.Fprintf(a.stdout, "%s\n          %s\n", line, a.paint(ansiCyan, file))
			}
		}
	}
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, "Go to a lesson: go run ./workshop 04   Where you are: go run ./workshop")
	return 0, nil
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
