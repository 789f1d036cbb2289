package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"reliability/workshop/course"
)

// cmdSolution shows an exercise's solution as a diff against the
// learner's file. Peeking too early spoils the exercise, so while the
// exercise still fails it asks first (--yes skips the question).
func (a *app) cmdSolution(ctx context.Context, c *course.Course, args []string) (int, error) {
	flags := newYesFlags("solution")
	yes := flags.yes
	rest, err := parseArgs("solution", args, flags.set, 1)
	if err != nil {
		return 0, err
	}
	if len(rest) == 0 {
		return 0, usagef("name the exercise, e.g. 01/ex2")
	}
	e, err := c.Find(rest[0])
	if err != nil {
		return 0, usagef("%v", err)
	}
	sol, err := c.ReadFile(e.Solution)
	if err != nil {
		return 1, fmt.Errorf("this copy of the workshop has no solution for %s (%s is missing)", e.ID, filepath.FromSlash(e.Solution))
	}
	yours, _ := c.ReadFile(e.Stub)
	if !*yes {
		v, err := a.verdicts(ctx, c, []course.Exercise{e}, false)
		if err != nil {
			return 1, err
		}
		if s := v[e.ID]; !s.Done() {
			fmt.Fprintf(a.stdout, "%s does not pass yet (%s).\n", e.ID, s.short())
			fmt.Fprintf(a.stdout, "Reading the answer now skips the part that teaches the most; a hint may be\nenough: go run ./workshop hint %s\n", e.ID)
			if !a.confirm("Show the solution anyway?") {
				fmt.Fprintln(a.stdout, "Not shown.")
				return 1, nil
			}
		}
	}
	if string(yours) == string(sol) {
		fmt.Fprintf(a.stdout, "Your %s is the solution, line for line.\n", filepath.FromSlash(e.Stub))
		return 0, nil
	}
	fmt.Fprintf(a.stdout, "The solution of %s, %s, as changes to your file\n(- yours, + the solution):\n\n", e.ID, exerciseTitle(e))
	d := unifiedDiff(filepath.FromSlash(e.Stub)+" (yours)", filepath.FromSlash(e.Solution), string(yours), string(sol), 3)
	for _, line := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
			line = a.paint(ansiBold, line)
		case strings.HasPrefix(line, "@@"):
			line = a.paint(ansiCyan, line)
		case strings.HasPrefix(line, "-"):
			line = a.paint(ansiRed, line)
		case strings.HasPrefix(line, "+"):
			line = a.paint(ansiGreen, line)
		}
		fmt.Fprintln(a.stdout, line)
	}
	return 0, nil
}
