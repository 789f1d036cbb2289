package main

import (
	"context"
	"fmt"

	"reliability/workshop/course"
)

// cmdVerify runs every exercise afresh, ignoring the cache, and exits
// with status 1 unless all pass: an instructor's check of a class's
// work, or a script's. Changed test files do not help: the course's
// tests are used (see courseOverlay), and a note names each such file.
func (a *app) cmdVerify(ctx context.Context, c *course.Course, args []string) (int, error) {
	if _, err := parseArgs("verify", args, nil, 0); err != nil {
		return 0, err
	}
	all := c.Exercises()
	if len(all) == 0 {
		return 1, fmt.Errorf("no exercises found under %s: nothing to verify", c.Root)
	}
	tc, err := a.toolchain(ctx)
	if err != nil {
		return 1, err
	}
	how := "without -race"
	if tc.race.Load() {
		how = "with -race"
	}
	fmt.Fprintf(a.stdout, "verify: running all %d exercises afresh (%s)\n\n", len(all), how)
	a.changedCourseFiles(c, nil)
	v, err := a.verdicts(ctx, c, all, true)
	if err != nil {
		return 1, err
	}
	for _, l := range c.Lessons {
		if len(l.Exercises) == 0 {
			continue
		}
		fmt.Fprintln(a.stdout, a.paint(ansiBold, fmt.Sprintf("%02d %s", l.Number, l.Name())))
		for _, e := range l.Exercises {
			fmt.Fprintf(a.stdout, "  %s %s  %s\n", a.mark(v[e.ID]), e.ID, exerciseTitle(e))
			if s := v[e.ID]; !s.Done() {
				why := a.describe(c, e, s)
				switch {
				case s.Status == statusBuild && len(s.Compile) > 0:
					why += ": " + s.Compile[0]
				case s.Message != "":
					why += ": " + firstLine(plainExpectation(s.Message))
				}
				fmt.Fprintf(a.stdout, "         %s\n", a.paint(ansiDim, clipRunes(why, 71)))
			}
		}
	}
	done := countDone(all, v)
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, a.bar(done, len(all)))
	if done < len(all) {
		fmt.Fprintf(a.stdout, "verify: FAIL, %d of %d exercises do not pass\n", len(all)-done, len(all))
		return 1, nil
	}
	fmt.Fprintf(a.stdout, "verify: ok, all %d exercises pass\n", len(all))
	return 0, nil
}

// clipRunes shortens s to n columns, ending with … when it cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
