package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"reliability/workshop/course"
)

// reportYours runs the learner's exercises as they are in the tree and
// prints one line per exercise (see reportYoursTo); -yours, which is make
// exercises, is this with verbose on. It returns the tally line.
func reportYours(c *course.Course, changes []course.Change, verbose bool) string {
	return reportYoursTo(os.Stdout, c, changes, verbose)
}

// reportYoursTo runs the learner's exercises as they are in the tree and
// writes to w one line per exercise, every line within width columns, and
// returns a tally such as "your exercises: 5 of 14 pass; 02/ex1 does not
// compile". It never fails make test: the learner's work is theirs. Given
// changes, it covers only the lessons they touch; verbose also prints the
// first lines of each exercise's first failing test, which is what make
// exercises shows.
func reportYoursTo(w io.Writer, c *course.Course, changes []course.Change, verbose bool) string {
	touched := map[string]bool{}
	var lessons []string
	for _, ch := range changes {
		if l := course.LessonOf(ch.Path); !touched[l] {
			touched[l] = true
			lessons = append(lessons, l[:2])
		}
	}
	// A learner's file may have lost its doc comment: take the title
	// from the course's own stub then.
	c.FillDocs()
	const at = "             " // where an exercise's details start
	total, passed := 0, 0
	var broken []string
	for _, l := range c.Lessons {
		if len(l.Exercises) == 0 || cfg.lesson != "" && cfg.lesson != l.Dir || changes != nil && !touched[l.Dir] {
			continue
		}
		pkgPath := importPath(l.ExercisesDir())
		tr := goTestJSONIn(c.Root, nil, nil, append(raceFlags(), "-count=1", "-timeout", "2m", "-ldflags=-w", "./"+l.ExercisesDir())...)
		notCompiling := compileErrors(tr.outputOf(pkgPath) + tr.raw)
		for _, e := range l.Exercises {
			total++
			verdict, fails := exerciseVerdict(tr, pkgPath, e)
			if files, ok := notCompiling[e.Number]; ok {
				verdict = "does not compile: " + files
				broken = append(broken, e.ID+" does not compile")
			} else if len(notCompiling) > 0 {
				verdict = "not run: the package does not compile"
			} else if verdict == "" {
				verdict = "no TestEx" + fmt.Sprint(e.Number) + " test ran"
			}
			mark := "✗"
			if verdict == "pass" {
				mark = "✓"
				passed++
			}
			fmt.Fprintln(w, wrap(strings.TrimSuffix(e.Title, "."), fmt.Sprintf("    %s %-7s ", mark, e.ID), at))
			if verdict != "pass" {
				fmt.Fprintln(w, wrap(verdict, at, at))
			}
			if verbose && len(fails) > 0 {
				// The first failure is the one to fix first; the rest
				// are one command away.
				for _, line := range firstFailure(tr.outputOf(pkgPath+" "+fails[0]), 3) {
					fmt.Fprintln(w, wrap(line, at, at+"  "))
				}
				fmt.Fprintln(w, wrap(fmt.Sprintf("all of them: go test -run Ex%d ./%s", e.Number, l.ExercisesDir()), at, at))
			}
		}
		if verbose && len(notCompiling) > 0 {
			for _, line := range strings.Split(tail(tr.outputOf(pkgPath)+tr.raw, 25), "\n") {
				fmt.Fprintln(w, wrap(line, "        ", "          "))
			}
		}
	}
	line := fmt.Sprintf("your exercises: %d of %d pass", passed, total)
	if changes != nil {
		line += " (in the lessons you changed: " + strings.Join(lessons, ", ") + ")"
	}
	if len(broken) > 0 {
		line += "; " + strings.Join(broken, ", ")
	}
	if !cfg.race && verbose {
		fmt.Fprintln(w, "    (without -race: data races in your code go unreported)")
	}
	return line
}

// untouchedLine is the summary's line about the learner's exercises when
// every exercise file is the course's own.
func untouchedLine(c *course.Course) string {
	n := len(c.Exercises())
	return fmt.Sprintf("your exercises: 0 of %d pass (none started; the runner, go run ./workshop, says where to begin)", n)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// firstFailure keeps the lines of a test's output that say what went
// wrong, each once and at most n of them: not the === RUN and --- FAIL
// framing, nor the same message repeated by a table's rows.
func firstFailure(out string, n int) []string {
	var keep []string
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || seen[t] || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") || t == "FAIL" || t == "PASS" {
			continue
		}
		seen[t] = true
		keep = append(keep, t)
		if len(keep) == n {
			break
		}
	}
	return keep
}

// exerciseVerdict sums up one exercise's tests in a run: "pass" when all
// ran and passed, "k of n tests fail" otherwise, or "" when none ran.
func exerciseVerdict(tr testRun, pkgPath string, e course.Exercise) (string, []string) {
	// In the order the tests ran (source order): the first test of an
	// exercise checks its basics, so its failure is the one to read first.
	var names []string
	seen := map[string]bool{}
	keys := append(append([]string(nil), tr.order...), sortedKeys(tr.tests)...)
	for _, key := range keys {
		test := strings.TrimPrefix(key, pkgPath+" ")
		if n, ok := course.TestExercise(test); ok && n == e.Number && strings.HasPrefix(key, pkgPath+" ") && !seen[test] {
			seen[test] = true
			names = append(names, test)
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	var fails []string
	for _, t := range names {
		if tr.tests[pkgPath+" "+t] != "pass" {
			fails = append(fails, t)
		}
	}
	if len(fails) == 0 {
		return "pass", nil
	}
	return fmt.Sprintf("%d of %d tests fail", len(fails), len(names)), fails
}

var compileErrRE = regexp.MustCompile(`(?m)^\S*?(ex(\d+)_\w+\.go):\d+:\d+: `)

// compileErrors maps exercise numbers to the files whose compile errors
// the output shows; a build failure elsewhere (a shared file) maps to 0.
func compileErrors(out string) map[int]string {
	res := map[int]string{}
	if !strings.Contains(out, "[build failed]") && !strings.Contains(out, "build failed") {
		return res
	}
	for _, m := range compileErrRE.FindAllStringSubmatch(out, -1) {
		n := course.ExerciseOf(m[1])
		if !strings.Contains(res[n], m[1]) {
			res[n] = strings.TrimPrefix(res[n]+", "+m[1], ", ")
		}
	}
	if len(res) == 0 {
		res[0] = "a shared file"
	}
	return res
}
