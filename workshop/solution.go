package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"reliability/workshop/course"
)

// cmdSolution shows the code of an exercise's solution that differs from
// the learner's file (without a name: the exercise they are on). Peeking too early spoils the exercise, so while the
// exercise still fails it asks first (--yes skips the question).
func (a *app) cmdSolution(ctx context.Context, c *course.Course, args []string) (int, error) {
	flags := newYesFlags("solution")
	yes := flags.yes
	rest, err := parseArgs("solution", args, flags.set, 1)
	if err != nil {
		return 0, err
	}
	r, err := a.resolve(ctx, c, rest, false)
	if err != nil {
		return 1, err
	}
	if !r.ok {
		return 0, usagef("every exercise passes: name the exercise whose solution to show, e.g. %s", c.Exercises()[0].ID)
	}
	e := r.exercise
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
			fmt.Fprintf(a.stdout, "%s does not pass yet (%s).\n", e.ID, a.describe(c, e, s))
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
	d := codeDiff(string(yours), string(sol), 3)
	if d == "" {
		fmt.Fprintf(a.stdout, "Your code in %s is the solution's; only comments differ.\n", filepath.FromSlash(e.Stub))
		return 0, nil
	}
	// The stub's doc comment (the task, twenty lines or more) would show
	// as removed lines before the few that matter: the diff is of the
	// code alone.
	a.printSolutionHeader(e)
	for _, line := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
		switch {
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

// printSolutionHeader introduces the solution's diff: which exercise,
// how to read the diff, and where the whole file is.
func (a *app) printSolutionHeader(e course.Exercise) {
	fmt.Fprintln(a.stdout, a.titled("", e))
	fmt.Fprintln(a.stdout, "The solution's code, as changes to yours (- yours, + the solution),")
	fmt.Fprintln(a.stdout, "comments outside functions left out. The whole file:")
	fmt.Fprintf(a.stdout, "  %s\n\n", filepath.FromSlash(e.Solution))
}
