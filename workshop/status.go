package main

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"reliability/workshop/course"
)

// cmdStatus shows where the learner is: every exercise with ✓ or ✗, a
// progress bar, and the exercise to work on with what to edit, what
// fails and how to get a hint. A lesson or an exercise named on the
// command line (go run ./workshop 04) becomes the learner's place.
func (a *app) cmdStatus(ctx context.Context, c *course.Course, args []string) (int, error) {
	rest, err := parseArgs("status", args, nil, 1)
	if err != nil {
		return 0, err
	}
	if len(rest) == 1 {
		// A mistyped name is refused before anything runs.
		if _, err := parseTarget(c, rest[0]); err != nil {
			return 0, usagef("%v", err)
		}
	}
	a.changedCourseFiles(c, nil)
	r, err := a.resolve(ctx, c, rest, true)
	if err != nil {
		return 1, err
	}
	all := c.Exercises()
	a.printCourse(c, r.all, r.exercise.ID, "← next")
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, a.bar(countDone(all, r.all), len(all)))
	fmt.Fprintln(a.stdout)
	if !r.ok {
		a.printAllDone(len(all))
		return 0, nil
	}
	if r.lessonDone {
		l := r.target.lesson
		fmt.Fprintf(a.stdout, "%s Every exercise of %02d %s passes.\n\n", a.paint(ansiGreen, "✓"), l.Number, l.Name())
	}
	a.printNext(c, "Next", r.exercise, r.all[r.exercise.ID], true)
	return 0, nil
}

// printCourse lists every lesson and exercise with its verdict, marking
// the one the learner is on.
func (a *app) printCourse(c *course.Course, v map[string]Verdict, current, marker string) {
	for _, l := range c.Lessons {
		if len(l.Exercises) == 0 {
			continue
		}
		fmt.Fprintln(a.stdout, a.paint(ansiBold, fmt.Sprintf("%02d %s", l.Number, l.Name())))
		for _, e := range l.Exercises {
			line := fmt.Sprintf("  %s %s  %s", a.mark(v[e.ID]), e.ID,
				wrapText(exerciseTitle(e), maxColumns-12, "            "))
			if i := strings.LastIndexByte(line, '\n'); i >= 0 {
				fmt.Fprintln(a.stdout, line[:i])
				line = line[i+1:]
			}
			var tail []string
			if s := v[e.ID]; s.Status == statusBuild || s.Status == statusError {
				tail = append(tail, " "+a.paint(ansiDim, "("+s.short()+")"))
			}
			if e.ID == current {
				tail = append(tail, "  "+a.paint(ansiYellow, marker))
			}
			for _, t := range tail {
				// What does not fit beside the title goes on a line of
				// its own, under the title.
				if columns(line+t) > maxColumns {
					fmt.Fprintln(a.stdout, line)
					line = "          " + strings.TrimLeft(t, " ")
					continue
				}
				line += t
			}
			fmt.Fprintln(a.stdout, line)
		}
	}
}

// labelled prints one "  label  value" line of an exercise block; value
// is wrapped to fit 80 columns under itself.
func (a *app) labelled(label, value string) {
	a.labelledPaint(label, "", value)
}

// labelledPaint is labelled with value in colour: wrapped first, so that
// the colour takes no room.
func (a *app) labelledPaint(label, code, value string) {
	const indent = "                 "
	wrapped := wrapText(value, maxColumns-len(indent), indent)
	if code != "" {
		wrapped = a.paint(code, wrapped)
	}
	fmt.Fprintf(a.stdout, "  %-13s  %s\n", label, wrapped)
}

// titled is the line that introduces exercise e, "Next: 04/ex2, its
// title", with a title too long for one line wrapped under itself.
func (a *app) titled(label string, e course.Exercise) string {
	head := label + e.ID + ", "
	title := wrapText(exerciseTitle(e), maxColumns-len(head), strings.Repeat(" ", len(head)))
	return label + a.paint(ansiBold, e.ID) + ", " + title
}

// maxMessageLines bounds a failure message in a block: the first lines
// say what is wrong.
const maxMessageLines = 8

// printNext shows what to do about exercise e: the file to edit and the
// one not to change, what fails in plain words, and the hint command.
func (a *app) printNext(c *course.Course, label string, e course.Exercise, v Verdict, suggestWatch bool) {
	fmt.Fprintln(a.stdout, a.titled(label+": ", e))
	a.labelled("edit", a.paint(ansiCyan, filepath.FromSlash(e.Stub)))
	a.labelled("do not change", filepath.FromSlash(e.Test)+" (the tests)")
	switch {
	case v.Done() && suggestWatch:
		a.labelled("passes", "every test of it passes; go run ./workshop moves on")
	case v.Done():
		a.labelled("passes", "every test of it passes")
	case v.Status == statusBuild && v.Elsewhere:
		a.labelled("first fix", clip(strings.Join(v.Compile, "\n"), maxMessageLines))
		a.labelled("", "(the package does not compile, so no test of this lesson can run)")
	case v.Status == statusBuild:
		a.labelled("compile error", clip(strings.Join(v.Compile, "\n"), maxMessageLines))
	case v.Status == statusError:
		a.labelled("go test says", clip(strings.Join(v.Compile, "\n"), maxMessageLines))
	case len(v.Failures) > 0 && a.notStarted(c, e):
		// The stub as shipped fails every test for want of code, not
		// because of a mistake: say so, and what the tests expect.
		n := len(v.Failures)
		a.labelled("not started", fmt.Sprintf("your file is still the stub: %d %s to make pass", n, plural(n, "test", "tests")))
		a.labelled("first test", v.Failures[0].Test)
		a.labelled("", clip(plainExpectation(v.Message), maxMessageLines))
	case len(v.Failures) > 0:
		how := v.Failures[0].Test
		if v.Tests > 1 {
			how += fmt.Sprintf(" (%d of %d tests fail)", len(v.Failures), v.Tests)
		}
		a.labelled("failing", how)
		a.labelledPaint("", ansiRed, clip(v.Message, maxMessageLines))
		if len(v.Failures) > 1 {
			a.labelled("all failures", runCommand(e))
		}
	case v.Message != "":
		a.labelled("failing", clip(v.Message, maxMessageLines))
	}
	a.labelled("hint", "go run ./workshop hint "+e.ID)
	if suggestWatch {
		a.labelled("at each save", "go run ./workshop watch")
	}
}

// notStartedRE matches a test's own "not started" at the start of its
// message, which the runner's label already says.
var notStartedRE = regexp.MustCompile(`(?i)^not started\s*[:;,.]\s*`)

// plainExpectation is a failure message on an untouched stub, without a
// "not started" of its own.
func plainExpectation(msg string) string {
	if rest := notStartedRE.ReplaceAllString(msg, ""); rest != "" {
		return rest
	}
	return msg
}

// notStarted reports whether exercise e's stub is exactly as the course
// ships it (exercises.sum says so), so that failing tests mean "not
// started" rather than a mistake.
func (a *app) notStarted(c *course.Course, e course.Exercise) bool {
	a.mu.Lock()
	if !a.manifestRead {
		a.manifestRead = true
		a.manifest, _ = c.ReadManifest()
	}
	m := a.manifest
	a.mu.Unlock()
	id, ok := m[e.Stub]
	if !ok {
		return false
	}
	data, err := c.ReadFile(e.Stub)
	return err == nil && course.BlobID(data) == id
}

// describe is an exercise's verdict in a few words, for a status line:
// as short says, or "not started" for a failing stub as shipped.
func (a *app) describe(c *course.Course, e course.Exercise, v Verdict) string {
	if v.Status == statusFail && a.notStarted(c, e) {
		return "not started"
	}
	return v.short()
}

// runCommand is the go test command that runs exercise e's tests alone
// and shows every failure: the stub's "Run:" line, or one built the same
// way.
func runCommand(e course.Exercise) string {
	if e.Run != "" {
		return e.Run
	}
	return fmt.Sprintf("go test -run Ex%d ./%s/", e.Number, path.Dir(e.Stub))
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
