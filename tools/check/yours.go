package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"reliability/workshop/course"
)

// reportYours runs the learner's exercises as they are in the tree and
// prints one line per exercise and a tally such as "your exercises: 5 of
// 14 pass; 02/ex1 does not compile". It never fails make test: the
// learner's work is theirs. Given changes, it covers only the lessons
// they touch; verbose also prints each failing test's output, which is
// what make exercises shows.
//
// It returns the exit status for -yours: 0 when every exercise it ran
// passes, 1 otherwise.
func reportYours(c *course.Course, changes []course.Change, verbose bool) int {
	saved := workdir
	workdir = c.Root
	defer func() { workdir = saved }()

	touched := map[string]bool{}
	for _, ch := range changes {
		touched[course.LessonOf(ch.Path)] = true
	}
	total, passed := 0, 0
	var broken []string
	for _, l := range c.Lessons {
		if len(l.Exercises) == 0 || cfg.lesson != "" && cfg.lesson != l.Dir || changes != nil && !touched[l.Dir] {
			continue
		}
		pkgPath := importPath(l.ExercisesDir())
		tr := goTestJSON(append(raceFlags(), "-count=1", "-timeout", "2m", "./"+l.ExercisesDir())...)
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
			fmt.Printf("    %s %s %-40s %s\n", mark, e.ID, e.Title, verdict)
			if verbose && len(fails) > 0 {
				for _, t := range fails {
					fmt.Println(indent(indent(tail(tr.outputOf(pkgPath+" "+t), 25))))
				}
			}
		}
		if verbose && len(notCompiling) > 0 {
			fmt.Println(indent(indent(tail(tr.outputOf(pkgPath)+tr.raw, 25))))
		}
	}
	line := fmt.Sprintf("your exercises: %d of %d pass", passed, total)
	if len(broken) > 0 {
		line += "; " + strings.Join(broken, ", ")
	}
	fmt.Println("    " + line)
	if !cfg.race && verbose {
		fmt.Println("    (without -race: data races in your code go unreported)")
	}
	if passed < total {
		return 1
	}
	return 0
}

// exerciseVerdict sums up one exercise's tests in a run: "pass" when all
// ran and passed, "k of n tests fail" otherwise, or "" when none ran.
func exerciseVerdict(tr testRun, pkgPath string, e course.Exercise) (string, []string) {
	var names []string
	for key := range tr.tests {
		test := strings.TrimPrefix(key, pkgPath+" ")
		if n, ok := course.TestExercise(test); ok && n == e.Number && strings.HasPrefix(key, pkgPath+" ") {
			names = append(names, test)
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	sort.Strings(names)
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
