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
// no exercise named it is the next one to do.
func (a *app) cmdHint(ctx context.Context, c *course.Course, args []string) (int, error) {
	rest, err := parseArgs("hint", args, nil, 1)
	if err != nil {
		return 0, err
	}
	var e course.Exercise
	if len(rest) == 1 {
		if e, err = c.Find(rest[0]); err != nil {
			return 0, usagef("%v", err)
		}
	} else {
		all := c.Exercises()
		if len(all) == 0 {
			return 1, fmt.Errorf("no exercises found under %s", c.Root)
		}
		v, err := a.verdicts(ctx, c, all, false)
		if err != nil {
			return 1, err
		}
		next, more := nextExercise(all, v)
		if !more {
			fmt.Fprintln(a.stdout, "Every exercise passes, so there is no next one. Name one to see its hint,")
			fmt.Fprintln(a.stdout, "e.g. go run ./workshop hint "+all[0].ID)
			return 0, nil
		}
		e = next
	}
	fmt.Fprintf(a.stdout, "%s, %s\n\n", a.paint(ansiBold, e.ID), exerciseTitle(e))
	if e.Hint == "" {
		fmt.Fprintf(a.stdout, "  This exercise has no hint; its task is in the doc comment of %s.\n", filepath.FromSlash(e.Stub))
	} else {
		fmt.Fprintln(a.stdout, indentLines(e.Hint, "  "))
	}
	fmt.Fprintln(a.stdout)
	a.labelled("edit", a.paint(ansiCyan, filepath.FromSlash(e.Stub)))
	a.labelled("do not change", filepath.FromSlash(e.Test)+" (the tests)")
	if e.Run != "" {
		a.labelled("test it alone", e.Run)
	}
	return 0, nil
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
	fmt.Fprintln(a.stdout, "Your progress: go run ./workshop   A hint: go run ./workshop hint 01/ex1")
	return 0, nil
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
