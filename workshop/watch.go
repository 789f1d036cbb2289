package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"reliability/workshop/course"
)

// Watch timing. Polling is what works everywhere: editors that save
// through a swap file and rename it over the original, network and
// container file systems that deliver no change events, every OS. A stat
// of a few dozen files every 100 ms costs nothing measurable.
const (
	statInterval  = 100 * time.Millisecond // default: compare sizes and times
	pollInterval  = 500 * time.Millisecond // --poll: compare contents
	minInterval   = 50 * time.Millisecond
	maxInterval   = time.Minute
	settleTimeout = 50 * time.Millisecond // a save must stay still this long
)

func (a *app) cmdWatch(ctx context.Context, c *course.Course, args []string) (int, error) {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	poll := fs.Bool("poll", false, "compare file contents instead of sizes and times")
	interval := fs.Duration("interval", 0, "how often to look")
	rest, err := parseArgs("watch", args, fs, 1)
	if err != nil {
		return 0, err
	}
	if *interval == 0 {
		*interval = statInterval
		if *poll {
			*interval = pollInterval
		}
	}
	if *interval < minInterval || *interval > maxInterval {
		return 0, usagef("--interval must be between %v and %v, got %v", minInterval, maxInterval, *interval)
	}
	if len(c.Exercises()) == 0 {
		return 1, fmt.Errorf("no exercises found under %s: nothing to watch", c.Root)
	}
	var t target
	if len(rest) == 1 {
		if t, err = parseTarget(c, rest[0]); err != nil {
			return 0, usagef("%v", err)
		}
	}
	w := &watcher{a: a, c: c, target: t, poll: *poll, interval: *interval, settle: settleTimeout,
		eval: func(ctx context.Context, list []course.Exercise) (map[string]Verdict, error) {
			return a.verdicts(ctx, c, list, false)
		}}
	return w.start(ctx), nil
}

// start runs the watch loop, with one-key commands when standard input
// is a terminal. Anywhere else (a pipe, CI, a console without a terminal
// mode the runner knows) standard input is left alone and Ctrl-C is the
// way out, as for any command-line tool.
func (w *watcher) start(ctx context.Context) int {
	if in := w.a.stdinFile; in != nil {
		if restore, ok := keyMode(in); ok {
			defer restore()
			done := make(chan struct{})
			defer close(done)
			w.keys = readKeys(in, done)
		}
	}
	return w.run(ctx)
}

// readKeys delivers the bytes read from r one by one until r fails or
// done is closed.
func readKeys(r io.Reader, done <-chan struct{}) <-chan byte {
	ch := make(chan byte)
	go func() {
		defer close(ch)
		buf := make([]byte, 64)
		for {
			n, err := r.Read(buf)
			for _, b := range buf[:n] {
				select {
				case ch <- b:
				case <-done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// watcher re-runs the exercise the learner works on whenever they save.
type watcher struct {
	a        *app
	c        *course.Course
	target   target        // where to start; none: the learner's place
	keys     <-chan byte   // key presses, on a terminal; nil otherwise
	poll     bool          // compare contents at every look, not sizes and times
	interval time.Duration // how often to look
	settle   time.Duration // how long a change must stay still before a run
	// eval returns verdicts (from the cache or a go test run); tests
	// replace it to check the loop without running go test.
	eval func(ctx context.Context, list []course.Exercise) (map[string]Verdict, error)
}

// fileSig is what the watcher compares: size and time, or content.
type fileSig struct {
	size int64
	mod  time.Time
	sum  [sha256.Size]byte
}

// snapshot describes every file of every lesson's exercises directory
// that a build can read (Go files, testdata), skipping editor litter.
// With content it hashes each file too.
func (w *watcher) snapshot(content bool) map[string]fileSig {
	out := map[string]fileSig{}
	for _, l := range w.c.Lessons {
		if len(l.Exercises) == 0 {
			continue
		}
		root := w.c.Abs(l.ExercisesDir())
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // gone between listing and reading: the next look sees it
			}
			if p != root && isLitter(d.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(w.c.Root, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() || !(strings.HasSuffix(rel, ".go") || strings.Contains(rel, "/testdata/")) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			sig := fileSig{size: info.Size(), mod: info.ModTime()}
			if content {
				data, err := os.ReadFile(p)
				if err != nil {
					return nil
				}
				sig = fileSig{sum: sha256.Sum256(data)}
			}
			out[rel] = sig
			return nil
		})
	}
	return out
}

// changedFiles lists the files whose content differs between two
// content snapshots, including files added or removed, sorted.
func changedFiles(before, after map[string]fileSig) []string {
	var out []string
	for p, s := range after {
		if b, ok := before[p]; !ok || b.sum != s.sum {
			out = append(out, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func sameSnapshot(a, b map[string]fileSig) bool {
	if len(a) != len(b) {
		return false
	}
	for p, s := range a {
		if t, ok := b[p]; !ok || !t.mod.Equal(s.mod) || t.size != s.size || t.sum != s.sum {
			return false
		}
	}
	return true
}

// testResult is the outcome of one background run: the focus
// exercise's tests after a save, or, once they pass, the verdicts of
// every exercise (mostly cached) to find the next one.
type testResult struct {
	seq     int
	focus   course.Exercise
	verdict Verdict            // the focus exercise's, after a save
	all     map[string]Verdict // every verdict, for the next exercise
	took    time.Duration
	err     error
}

// run is the watch loop. It looks at the files every interval; once a
// change has stayed still for settle and the content really differs, it
// tests the exercise concerned in the background. A save during a run
// cancels that run and starts another, so the verdict shown is always
// about the files as they are. It returns when every exercise passes or
// ctx is cancelled (Ctrl-C).
func (w *watcher) run(ctx context.Context) int {
	a := w.a
	list := w.c.Exercises()
	// Look before the first evaluation, so that a save while it runs is
	// a change like any other.
	base := w.snapshot(true) // the content last tested
	seen := w.snapshot(w.poll)
	verdicts, err := w.eval(ctx, list)
	if ctx.Err() != nil {
		fmt.Fprintln(a.stdout, "Stopped watching.")
		return 0
	}
	if err != nil {
		fmt.Fprintln(a.stderr, "workshop:", err)
		return 1
	}
	focus, more, lessonDone := a.focus(w.c, list, verdicts, w.target)
	if !more {
		a.printAllDone(len(list))
		return 0
	}
	a.savePlace(w.c, focus)
	a.quietRuns = true // from now on every run is announced by the loop
	how := "file sizes and times"
	if w.poll {
		how = "file contents"
	}
	if w.keys != nil {
		fmt.Fprintf(a.stdout, "Watching your exercises (%s, every %v).\n", how, w.interval)
		fmt.Fprintln(a.stdout, keysLegend)
	} else {
		fmt.Fprintf(a.stdout, "Watching your exercises (%s, every %v). Ctrl-C stops.\n", how, w.interval)
	}
	fmt.Fprintln(a.stdout, a.bar(countDone(list, verdicts), len(list)))
	fmt.Fprintln(a.stdout)
	if lessonDone {
		l := w.target.lesson
		fmt.Fprintf(a.stdout, "%s Every exercise of %02d %s passes.\n\n", a.paint(ansiGreen, "✓"), l.Number, l.Name())
	}
	a.printNext(w.c, "Now", focus, verdicts[focus.ID], false)

	ticker := time.NewTicker(w.interval)
	defer ticker.Stop()
	settle := time.NewTimer(w.settle)
	settle.Stop()
	defer settle.Stop()

	// At most one run is current (seq); superseded ones are cancelled and
	// their results dropped, but always received, so none leaks.
	results := make(chan testResult)
	inflight, seq := 0, 0
	cancelRun := context.CancelFunc(func() {})
	start := func(job func(context.Context) testResult) {
		cancelRun()
		runCtx, cancel := context.WithCancel(ctx)
		cancelRun = cancel
		seq++
		inflight++
		go func(seq int) {
			r := job(runCtx)
			r.seq = seq
			results <- r
		}(seq)
	}
	defer func() {
		cancelRun()
		for ; inflight > 0; inflight-- {
			<-results
		}
	}()
	keys := w.keys
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(a.stdout, "\nStopped watching.")
			return 0

		case k, open := <-keys:
			if !open {
				keys = nil // standard input ended: Ctrl-C still works
				continue
			}
			switch k {
			case 'q', 'Q', ctrlD:
				fmt.Fprintln(a.stdout, "\nStopped watching.")
				return 0
			case 'h', 'H':
				fmt.Fprintln(a.stdout)
				a.printHint(focus)
			case 'l', 'L':
				fmt.Fprintln(a.stdout)
				a.printCourse(w.c, verdicts, focus.ID, "← now")
				fmt.Fprintln(a.stdout, a.bar(countDone(list, verdicts), len(list)))
			case 'n', 'N':
				// Leave this exercise for later: the same search as after
				// a pass, which starts after the current one.
				fmt.Fprintf(a.stdout, "\nLeaving %s for now; on to the next one…\n", focus.ID)
				start(func(ctx context.Context) testResult {
					all, err := w.eval(ctx, list)
					return testResult{all: all, err: err}
				})
			default:
				if k > ' ' && k < 0x7f {
					fmt.Fprintln(a.stdout, keysLegend)
				}
			}

		case <-ticker.C:
			if now := w.snapshot(w.poll); !sameSnapshot(now, seen) {
				seen = now
				settle.Reset(w.settle)
			}

		case <-settle.C:
			now := w.snapshot(true)
			changed := changedFiles(base, now)
			if len(changed) == 0 {
				continue // touched, or saved unchanged
			}
			base = now
			if f := w.focusFor(changed, focus, verdicts); f.ID != focus.ID {
				focus = f
				a.savePlace(w.c, focus)
			}
			w.printTesting(changed, focus)
			f := focus
			start(func(ctx context.Context) testResult {
				began := time.Now()
				v, err := w.eval(ctx, []course.Exercise{f})
				return testResult{focus: f, verdict: v[f.ID], took: time.Since(began), err: err}
			})

		case r := <-results:
			inflight--
			if r.seq != seq || errors.Is(r.err, context.Canceled) {
				continue // a later save superseded this run
			}
			if r.err != nil {
				fmt.Fprintln(a.stderr, "workshop:", r.err)
				continue
			}
			if r.all == nil {
				// The focus exercise's own verdict, as soon as it is known.
				verdicts[r.focus.ID] = r.verdict
				if !r.verdict.Done() {
					w.printFailure(r)
					continue
				}
				w.printPass(r)
				start(func(ctx context.Context) testResult {
					all, err := w.eval(ctx, list)
					return testResult{all: all, err: err}
				})
				continue
			}
			verdicts = r.all
			fmt.Fprintln(a.stdout, a.bar(countDone(list, verdicts), len(list)))
			next, more := nextAfter(list, verdicts, focus)
			if !more {
				fmt.Fprintln(a.stdout)
				a.printAllDone(len(list))
				return 0
			}
			focus = next
			a.savePlace(w.c, focus)
			fmt.Fprintln(a.stdout)
			a.printNext(w.c, "Now", focus, verdicts[focus.ID], false)
		}
	}
}

// focusFor decides which exercise a save concerns: the one whose stub
// was saved; else, for another file of the lesson being worked on, that
// exercise still; else the exercise to work on in the lesson the file
// belongs to (its first that does not pass, or its first).
func (w *watcher) focusFor(changed []string, focus course.Exercise, v map[string]Verdict) course.Exercise {
	list := w.c.Exercises()
	for _, e := range list {
		for _, p := range changed {
			if p == e.Stub {
				return e
			}
		}
	}
	for _, p := range changed {
		if course.LessonOf(p) == focus.Lesson {
			return focus
		}
	}
	lesson := course.LessonOf(changed[0])
	var first *course.Exercise
	for i, e := range list {
		if e.Lesson != lesson {
			continue
		}
		if !v[e.ID].Done() {
			return runnable(list, v, e)
		}
		if first == nil {
			first = &list[i]
		}
	}
	if first != nil {
		return *first
	}
	return focus
}

// maxFailuresShown bounds the failing tests printed after a save.
const maxFailuresShown = 3

// printTesting announces a run after a save: when, which files, which
// exercise.
func (w *watcher) printTesting(changed []string, e course.Exercise) {
	a := w.a
	now := time.Now().Format("15:04:05")
	what := describeFiles(changed)
	if columns(fmt.Sprintf("%s %s changed: testing %s…", now, what, e.ID)) > maxColumns {
		what = fmt.Sprintf("%d files", len(changed))
	}
	fmt.Fprintf(a.stdout, "\n%s %s changed: testing %s…\n", a.paint(ansiDim, now), what, a.paint(ansiBold, e.ID))
}

// printPass says that the exercise just saved passes.
func (w *watcher) printPass(r testResult) {
	a := w.a
	fmt.Fprintln(a.stdout, fitLine(fmt.Sprintf("%s %s, %s", a.paint(ansiGreen, "✓"), r.focus.ID, exerciseTitle(r.focus)),
		fmt.Sprintf(": passes (%s)", r.took.Round(100*time.Millisecond))))
}

// printFailure shows what the tests said after a save, in plain words.
func (w *watcher) printFailure(r testResult) {
	a, v, e := w.a, r.verdict, r.focus
	fmt.Fprintln(a.stdout, fitLine(fmt.Sprintf("%s %s, %s", a.mark(v), e.ID, exerciseTitle(e)),
		fmt.Sprintf(": %s (%s)", a.describe(w.c, e, v), r.took.Round(100*time.Millisecond))))
	const indent = "      "
	switch {
	case v.Status == statusBuild || v.Status == statusError:
		for _, line := range v.Compile {
			fmt.Fprintln(a.stdout, "    "+a.paint(ansiRed, wrapText(line, maxColumns-4, "    ")))
		}
	case len(v.Failures) == 0:
		fmt.Fprintln(a.stdout, "    "+wrapText(v.Message, maxColumns-4, "    "))
	}
	for i, f := range v.Failures {
		if i == maxFailuresShown {
			fmt.Fprintf(a.stdout, "    %d more failing %s; to see every failure:\n      %s\n",
				len(v.Failures)-i, plural(len(v.Failures)-i, "test", "tests"), runCommand(e))
			break
		}
		fmt.Fprintln(a.stdout, "    "+f.Test)
		for _, m := range f.Messages {
			fmt.Fprintln(a.stdout, indent+a.paint(ansiRed, wrapText(clip(m, maxMessageLines), maxColumns-len(indent), indent)))
		}
	}
	fmt.Fprintln(a.stdout, "  edit  "+a.paint(ansiCyan, filepath.FromSlash(e.Stub)))
	if w.keys != nil {
		fmt.Fprintln(a.stdout, "  hint  press h, or: go run ./workshop hint "+e.ID)
	} else {
		fmt.Fprintln(a.stdout, "  hint  go run ./workshop hint "+e.ID)
	}
}

// keysLegend lists watch's one-key commands.
const keysLegend = "Keys: h hint, n next exercise, l list, q quit."

// ctrlD ends input on a terminal; without line editing it arrives as a
// key, and means what q does.
const ctrlD = 0x04

// fitLine joins head and tail on one line when they fit 80 columns, and
// otherwise puts tail, without its leading punctuation, on the next line.
func fitLine(head, tail string) string {
	if columns(head+tail) <= maxColumns {
		return head + tail
	}
	return head + "\n  " + strings.TrimLeft(tail, ":, ")
}

// describeFiles names up to three changed files by their base names.
func describeFiles(paths []string) string {
	var names []string
	for i, p := range paths {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(paths)-i))
			break
		}
		names = append(names, path.Base(p))
	}
	return strings.Join(names, ", ")
}
