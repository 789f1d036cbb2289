package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// runExercises checks every lesson's exercise tests twice: with each stub
// replaced by its solution, where every test must pass, and with the
// stubs as committed, where every test must fail. The second run is what
// keeps the exercises honest: a test that passes on a stub checks nothing.
//
// Both runs use go test -overlay, so a learner's working tree is never
// touched, and the stubs come from git's HEAD, so a learner who has
// already solved some exercises gets the same verdict as a fresh clone.
func runExercises(ws *workspace) result {
	sets, problems := findExercises(ws)
	r := result{failed: len(problems)}
	for _, p := range problems {
		r.detail += p + "\n"
	}
	tmp, err := os.MkdirTemp("", "exercises-")
	if err != nil {
		return result{failed: 1, line: err.Error()}
	}
	defer os.RemoveAll(tmp)

	var perLesson []string
	onSolutions, failOnStubs := 0, 0
	for _, set := range sets {
		pkg := "./" + filepath.ToSlash(set.dir)
		solOverlay, err := writeOverlay(tmp, set.lesson+"-solutions.json", set, func(stub string) (string, error) {
			return set.solutions[stub], nil
		})
		if err != nil {
			r.failed++
			r.detail += err.Error() + "\n"
			continue
		}
		stubOverlay, err := writeOverlay(tmp, set.lesson+"-stubs.json", set, func(stub string) (string, error) {
			return committedCopy(tmp, stub)
		})
		if err != nil {
			r.failed++
			r.detail += err.Error() + "\n"
			continue
		}
		tests, err := listTests(pkg, solOverlay)
		if err != nil {
			r.failed++
			r.detail += err.Error() + "\n"
			continue
		}

		sol := goTestJSON("-race", "-shuffle=on", "-count=1", "-overlay", solOverlay, pkg)
		stub := goTestJSON("-count=1", "-overlay", stubOverlay, pkg)
		pkgPath := importPath(set.dir)
		passed, failed := 0, 0
		for _, t := range tests {
			key := pkgPath + " " + t
			switch sol.tests[key] {
			case "pass":
				passed++
			default:
				r.failed++
				r.detail += fmt.Sprintf("%s: %s does not pass on the solution:\n%s\n", set.lesson, t, tail(sol.outputOf(key)+sol.raw, 30))
			}
			switch stub.tests[key] {
			case "fail":
				failed++
			case "pass":
				r.failed++
				r.detail += fmt.Sprintf("%s: %s PASSES on the committed stub: it checks nothing the stub lacks\n", set.lesson, t)
			default:
				r.failed++
				r.detail += fmt.Sprintf("%s: %s did not run on the stubs (do they compile? does one panic?):\n%s\n", set.lesson, t, tail(stub.raw+stub.outputOf(pkgPath), 30))
			}
		}
		r.passed += passed + failed
		onSolutions += passed
		failOnStubs += failed
		perLesson = append(perLesson, fmt.Sprintf("%s %d/%d", set.lesson, passed, len(tests)))
	}
	r.line = fmt.Sprintf("%d exercise tests pass on solutions, %d fail on stubs (%s)",
		onSolutions, failOnStubs, strings.Join(perLesson, ", "))
	return r
}

// committedCopy writes the committed (HEAD) version of a stub into dir and
// returns its path. Outside a git checkout, or for a stub not committed
// yet, it falls back to the working-tree file and says so.
func committedCopy(dir, stub string) (string, error) {
	// "HEAD:./path" is relative to the current directory, so this works
	// even when the workshop sits inside a larger repository.
	out, err := exec.Command("git", "show", "HEAD:./"+filepath.ToSlash(stub)).Output()
	if err != nil {
		fmt.Printf("    note: %s is not in git's HEAD; checking the working-tree file\n", stub)
		return stub, nil
	}
	path := filepath.Join(dir, strings.ReplaceAll(filepath.ToSlash(stub), "/", "_"))
	return path, os.WriteFile(path, out, 0o644)
}

// importPath maps a directory such as 01_retry/exercises to its import
// path; module paths mirror directories under the reliability/ prefix.
func importPath(dir string) string {
	return "reliability/" + filepath.ToSlash(dir)
}
