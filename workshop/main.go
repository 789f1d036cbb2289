// Command workshop is the learner's runner for the Reliability Patterns
// Workshop. From anywhere inside the workshop tree:
//
//	go run ./workshop           where you are: every exercise ✓/✗ and what next
//	go run ./workshop 04        go to lesson 04 (or 04/ex3: that exercise)
//	go run ./workshop watch     re-run the exercise you work on at every save
//	go run ./workshop hint      the hint for the exercise you are on
//	go run ./workshop list      the course map
//	go run ./workshop verify    every exercise, afresh; exit status 1 if any fails
//	go run ./workshop reset 01/ex2
//	go run ./workshop solution 01/ex2
//
// The course is discovered from the tree (package course): lessons by
// directory number, exercises by file number, titles and hints from the
// stubs' doc comments. Verdicts are cached by the content of every file
// that can change them, so asking twice costs nothing. It needs nothing
// but the go command: no make, no shell, the same on every OS.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"reliability/workshop/course"
)

func main() {
	// Ctrl-C (or a closed terminal) cancels ctx: a running go test is
	// stopped with its test binary, and watch returns cleanly instead of
	// dying mid-line.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	a := newApp()
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// app is one invocation of the runner: where it reads and writes, and
// what it has learnt about the machine so far. Tests build their own.
type app struct {
	stdout, stderr io.Writer
	stdin          *bufio.Reader
	dir            string // where to start looking for the workshop root
	color          bool   // ANSI colours on stdout
	cacheDir       string // verdicts and backups; "" means no cache
	race           string // "auto", "on" or "off" (WORKSHOP_RACE)
	goCmd          string // the go command
	quietRuns      bool   // do not announce slow test runs (watch does its own)

	// stdinFile is standard input as a file, so that watch can tell a
	// terminal (one-key commands) from a pipe; nil in tests that need
	// neither.
	stdinFile *os.File

	mu           sync.Mutex      // guards what follows: watch tests in the background
	tool         *toolchain      // probed once, on first need
	noted        map[string]bool // notes already printed
	pruned       bool            // the cache was pruned this run
	manifest     course.Manifest // exercises.sum, read on first need
	manifestRead bool
	testRuns     atomic.Int32 // go test invocations, so tests can count them
}

func newApp() *app {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	return &app{
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stdin:     bufio.NewReader(os.Stdin),
		stdinFile: os.Stdin,
		dir:       dir,
		color:     colorWanted(os.Stdout, os.Getenv),
		cacheDir:  defaultCacheDir(os.Getenv),
		race:      os.Getenv("WORKSHOP_RACE"),
		goCmd:     "go",
	}
}

// exitUsage is the exit status for a command line the runner cannot
// understand, as with the go command and flag.ExitOnError.
const exitUsage = 2

// usageError is a mistake in how the runner was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one thing the runner does. args are what follows its name.
type command struct {
	name, args, help string
	run              func(a *app, ctx context.Context, c *course.Course, args []string) (int, error)
	flags            string // the flags, for the command's own -h
}

// commands are the runner's commands, in the order the help lists them.
var commands = []command{
	{"status", "[lesson|exercise]", "every exercise ✓/✗, a progress bar and what to do next (default); naming a lesson or an exercise goes there", (*app).cmdStatus, ""},
	{"watch", "[--poll] [--interval D] [lesson|exercise]", "test the exercise you work on at every save; on a terminal, keys: h hint, n next, l list, q quit", (*app).cmdWatch,
		"  --poll        compare file contents, not sizes and times (network or\n" +
			"                container file systems whose times cannot be trusted)\n" +
			"  --interval D  how often to look: 100ms, or 500ms with --poll\n"},
	{"hint", "[lesson|exercise]", "the hint for an exercise (default: the one you are on)", (*app).cmdHint, ""},
	{"list", "", "the course map: lessons, exercises and their files", (*app).cmdList, ""},
	{"verify", "", "run every exercise afresh; exit status 1 if any fails", (*app).cmdVerify, ""},
	{"reset", "[--yes] [exercise]", "put one stub back as the course ships it (asks first; default: the exercise you are on)", (*app).cmdReset,
		"  --yes, -y     do not ask first\n"},
	{"solution", "[--yes] [exercise]", "the code of the solution that differs from yours (asks first while your exercise fails; default: the exercise you are on)", (*app).cmdSolution,
		"  --yes, -y     do not ask first\n"},
}

// run executes one command line and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	name := "status"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if looksLikeTarget(name) {
		// go run ./workshop 04: a lesson or an exercise in place of a
		// command is where to go.
		name, args = "status", append([]string{name}, args...)
	}
	switch name {
	case "help", "-h", "-help", "--help":
		a.usage(a.stdout)
		return 0
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == name {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(a.stderr, "workshop: unknown command %q\n\n", name)
		a.usage(a.stderr)
		return exitUsage
	}
	root, err := course.FindRoot(a.dir)
	if err != nil {
		fmt.Fprintln(a.stderr, wrapText("workshop: "+err.Error(), maxColumns, "  "))
		return 1
	}
	c, err := course.Load(root)
	if err != nil {
		fmt.Fprintln(a.stderr, wrapText("workshop: reading the course: "+err.Error(), maxColumns, "  "))
		return 1
	}
	c.FillDocs()
	code, err := cmd.run(a, ctx, c, args)
	var ue usageError
	switch {
	case errors.Is(err, errHelp):
		help := strings.ToUpper(cmd.help[:1]) + cmd.help[1:] + "."
		fmt.Fprintf(a.stdout, "usage: go run ./workshop %s\n\n%s\n", strings.TrimSpace(name+" "+cmd.args), wrapText(help, 72, ""))
		if cmd.flags != "" {
			fmt.Fprintf(a.stdout, "\n%s", cmd.flags)
		}
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "%s\nusage: go run ./workshop %s\n", wrapText("workshop "+name+": "+ue.msg, maxColumns, "  "),
			strings.TrimSpace(name+" "+cmd.args))
		return exitUsage
	case err != nil && ctx.Err() != nil:
		// Ctrl-C: whatever was under way stopped; that is not a failure
		// of the learner's code, but not a finished command either.
		fmt.Fprintln(a.stderr, "workshop: interrupted")
		return 130
	case err != nil:
		fmt.Fprintln(a.stderr, wrapText("workshop: "+err.Error(), maxColumns, "  "))
		return 1
	}
	return code
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `usage: go run ./workshop [command]

Your way through the workshop's exercises: where you are, what to do
next, and a loop that tests your code every time you save it.

commands:
`)
	for _, c := range commands {
		line := c.name
		if c.args != "" {
			line += " " + c.args
		}
		if len(line) > 22 {
			fmt.Fprintf(w, "  %s\n  %-22s  %s\n", line, "", wrapText(c.help, 52, "                          "))
			continue
		}
		fmt.Fprintf(w, "  %-22s  %s\n", line, wrapText(c.help, 52, "                          "))
	}
	fmt.Fprint(w, `
An exercise is named by its lesson and number: 01/ex2 (also 1/2, or the
stub's path); a lesson by its number: 04. Naming one (go run ./workshop
04, watch 04/ex3) takes you there, and the runner remembers it: a plain
go run ./workshop or watch resumes where you are, and after a pass goes
on to the next exercise of the same lesson. You edit the stub, e.g.
01_retry/exercises/ex2_jitter.go; its test file says what done means and
is not yours to change.

Colour only on a terminal; NO_COLOR=1 turns it off. Without cgo and a C
compiler tests run without -race (said once); WORKSHOP_RACE=off forces
that, WORKSHOP_CACHE=DIR moves the verdict cache.
`)
}

// note prints a remark to stderr once per invocation.
func (a *app) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.noted[msg] {
		return
	}
	if a.noted == nil {
		a.noted = map[string]bool{}
	}
	a.noted[msg] = true
	fmt.Fprintln(a.stderr, "note: "+wrapText(msg, 72, "      "))
}
