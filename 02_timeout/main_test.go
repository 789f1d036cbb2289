package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"reliability/02_timeout/timeout"
	"reliability/flaky/narrate"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// bubbleGoroutines counts the goroutines in the caller's synctest bubble.
// runtime.NumGoroutine would count the whole test binary, where goroutines
// of earlier tests may still be exiting.
func bubbleGoroutines() int {
	self := make([]byte, 256)
	header, _, _ := strings.Cut(string(self[:runtime.Stack(self, false)]), "\n")
	_, tag, ok := strings.Cut(header, ", synctest bubble ")
	if !ok {
		panic("bubbleGoroutines called outside a synctest bubble")
	}
	buf := make([]byte, 1<<20)
	n := 0
	for _, line := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n") {
		if strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(line, ", synctest bubble "+tag) {
			n++
		}
	}
	return n
}

func testConfig() config {
	return config{seed: 1, calls: 10, latency: 300 * time.Millisecond, timeout: 100 * time.Millisecond}
}

// TestAbandonCountsTheLeak checks the numbers phases 2 and 3 print. Against
// a dependency that ignores its context, Do and DoStdlib return at the
// timeout and leave one goroutine per call running; the plain idiom leaves
// nothing but returns only when the dependency does. Against a dependency
// that honours its context, every wrapper returns at the timeout and leaves
// nothing.
func TestAbandonCountsTheLeak(t *testing.T) {
	c := testConfig()
	for _, w := range wrappers {
		waits := w.name == "plain idiom"
		t.Run(w.name+"/ignoring", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := abandon(w, c.service(true), c.calls, c.timeout, bubbleGoroutines)
				if waits {
					if r.returnedAfter < c.latency || r.timeouts != 0 {
						t.Errorf("returned after %v with %d deadline errors, want no sooner than the latency %v and none",
							r.returnedAfter, r.timeouts, c.latency)
					}
					if r.extraGoroutines != 0 || r.stillWorking != 0 || r.finishedLater != 0 {
						t.Errorf("after return: %+d goroutines, %d working, %d finished later; want +0, 0, 0",
							r.extraGoroutines, r.stillWorking, r.finishedLater)
					}
					return
				}
				if r.returnedAfter != c.timeout || r.timeouts != c.calls {
					t.Errorf("returned after %v with %d deadline errors, want %v and %d", r.returnedAfter, r.timeouts, c.timeout, c.calls)
				}
				if r.extraGoroutines != c.calls || r.stillWorking != c.calls || r.canceled != 0 {
					t.Errorf("after return: %+d goroutines, %d working, %d cancelled; want +%d, %d, 0",
						r.extraGoroutines, r.stillWorking, r.canceled, c.calls, c.calls)
				}
				if r.finishedLater != c.calls || r.drainedAfter < c.latency {
					t.Errorf("%d calls finished for nobody, the last at %v; want %d, no earlier than %v",
						r.finishedLater, r.drainedAfter, c.calls, c.latency)
				}
			})
		})
		t.Run(w.name+"/cooperative", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := abandon(w, c.service(false), c.calls, c.timeout, bubbleGoroutines)
				if r.returnedAfter != c.timeout || r.timeouts != c.calls {
					t.Errorf("returned after %v with %d deadline errors, want %v and %d", r.returnedAfter, r.timeouts, c.timeout, c.calls)
				}
				if r.extraGoroutines != 0 || r.stillWorking != 0 || r.canceled != c.calls || r.finishedLater != 0 {
					t.Errorf("after return: %+d goroutines, %d working, %d cancelled, %d finished later; want +0, 0, %d, 0",
						r.extraGoroutines, r.stillWorking, r.canceled, r.finishedLater, c.calls)
				}
			})
		})
	}
}

// TestRetryLoopBudget checks phase 6's timelines in virtual time: 3 × 200ms + 10ms + 20ms without a budget; with the 500ms budget and
// a 30ms minimum, a third attempt trimmed to the 70ms left and cut off at the
// overall deadline; with a 120ms minimum, no third attempt at all.
func TestRetryLoopBudget(t *testing.T) {
	type line struct {
		at, ran time.Duration
		result  string
	}
	const timedOut = "timeout"
	for _, tt := range []struct {
		name       string
		minAttempt time.Duration // 0: no budget
		wantTook   time.Duration
		want       []line
	}{
		{"no budget", 0, 630 * time.Millisecond, []line{
			{0, 200 * time.Millisecond, timedOut},
			{210 * time.Millisecond, 200 * time.Millisecond, timedOut},
			{430 * time.Millisecond, 200 * time.Millisecond, timedOut},
		}},
		{"budget, 30ms minimum", minAttempts[0], 500 * time.Millisecond, []line{
			{0, 200 * time.Millisecond, timedOut},
			{210 * time.Millisecond, 200 * time.Millisecond, timedOut},
			{430 * time.Millisecond, 70 * time.Millisecond, "cut off at the overall deadline"},
		}},
		{"budget, 120ms minimum", minAttempts[1], 430 * time.Millisecond, []line{
			{0, 200 * time.Millisecond, timedOut},
			{210 * time.Millisecond, 200 * time.Millisecond, timedOut},
			{430 * time.Millisecond, 0, "not started: too little time left"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var budget *timeout.Budget
				if tt.minAttempt > 0 {
					b, err := timeout.NewBudget(perAttempt, tt.minAttempt)
					if err != nil {
						t.Fatal(err)
					}
					budget = &b
				}
				took, timeline := retryLoop(budget)
				if took != tt.wantTook {
					t.Errorf("the loop took %v, want %v", took, tt.wantTook)
				}
				var got []line
				for _, a := range timeline {
					got = append(got, line{a.at, a.ran, errText(a.err)})
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("timeline (started at, ran, result):\n got %v\nwant %v", got, tt.want)
				}
			})
		})
	}
}

func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"-h"}, 0, "Usage: go run ./02_timeout"},
		{[]string{"-calls", "0"}, 2, "-calls is 0, want 1 to 1000"},
		{[]string{"-calls", "1001"}, 2, "-calls is 1001, want 1 to 1000"},
		{[]string{"-latency", "5s"}, 2, "-latency is 5s, want 40ms to 1s"},
		{[]string{"-latency", "39ms"}, 2, "-latency is 39ms, want 40ms to 1s"},
		{[]string{"-timeout", "0s"}, 2, "-timeout is 0s, want at least 20ms"},
		{[]string{"-timeout", "151ms"}, 2, "more than half of -latency 300ms"},
		{[]string{"-timeout", "300ms", "-latency", "200ms"}, 2, "more than half of -latency 200ms"},
		{[]string{"-seed", "x"}, 2, "invalid value"},
		{[]string{"-nope"}, 2, "flag provided but not defined"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-calls", "3", "extra"}, 2, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			if code := run(tt.args, &stdout, &stderr); code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr: %s)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q should contain %q", stderr.String(), tt.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("nothing should reach stdout, got %q", stdout.String())
			}
			checkWidth(t, "stderr of "+strings.Join(tt.args, " "), stderr.String())
		})
	}
}

// checkWidth fails the test for every line of out wider than 80 columns,
// tabs expanded as a terminal does.
func checkWidth(t *testing.T, what, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if w := columns(line); w > 80 {
			t.Errorf("%s, line %d is %d columns wide, want at most 80:\n%s", what, i+1, w, line)
		}
	}
}

// columns is the width of line on a terminal with tab stops every 8.
func columns(line string) int {
	w := 0
	for _, r := range line {
		if r == '\t' {
			w += 8 - w%8
		} else {
			w++
		}
	}
	return w
}

// TestDemo runs the whole demo in virtual time, with in-memory connections
// in place of loopback sockets, at the default flags and at the corners of
// the accepted ranges. Every line must fit 80 columns, the run must end
// well within 30 s, and the numbers the narration relies on must hold.
func TestDemo(t *testing.T) {
	for _, c := range []config{
		testConfig(),
		{seed: 7, calls: 1, latency: minLatency, timeout: minTimeout},
		{seed: 7, calls: maxCalls, latency: maxLatency, timeout: maxLatency / 2},
		{seed: 7, calls: maxCalls, latency: minLatency, timeout: minTimeout},
	} {
		t.Run(fmt.Sprintf("calls=%d latency=%v timeout=%v", c.calls, c.latency, c.timeout), func(t *testing.T) {
			if err := c.validate(); err != nil {
				t.Fatalf("the test's config is rejected: %v", err)
			}
			synctest.Test(t, func(t *testing.T) {
				var out strings.Builder
				start := time.Now()
				demo(narrate.New(&out, false), c, pipeNet(bubbleGoroutines))
				if took := time.Since(start); took > 20*time.Second {
					t.Errorf("the demo took %v, want well under the 30s limit", took)
				}
				checkWidth(t, "the demo's output", out.String())
				for _, want := range []string{
					fmt.Sprintf("goroutines left after Do ............. %+d ignoring, +0 honouring", c.calls),
					fmt.Sprintf("work finished for nobody ............. %d of %d calls", c.calls, c.calls),
					"HTTP calls cut off, server stopped ... 3 of 3",
					"slow client, no header deadline ...... open 1s, until the client quit",
					"slow client, ReadHeaderTimeout ....... closed by the server at 200ms",
					// Phase 6 speaks the demo's one unit system, scaled
					// like every other phase, and says so.
					"    worst case = 3 × 200ms + 10ms + 20ms = 630ms   (timeout.WorstCase)\n",
					"  As everywhere in this demo, read every millisecond as ten: 200ms\n" +
						"  stands for 2s, the worst case for 6.3s.",
					"worst case, 3 × 200ms + backoff ...... 630ms",
					"retry loop, no budget ................ 630ms",
					"500ms budget, 30ms minimum ........... 500ms",
					"500ms budget, 120ms minimum .......... 430ms",
				} {
					if !strings.Contains(out.String(), want) {
						t.Errorf("the summary should say %q:\n%s", want, out.String())
					}
				}
				if t.Failed() {
					t.Log(out.String())
				}
			})
		})
	}
}

func TestHelpFitsEightyColumns(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-h exited with %d", code)
	}
	checkWidth(t, "-h", stderr.String())
	for _, flag := range []string{"-seed", "-step", "-calls", "-latency", "-timeout"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("-h should explain %s:\n%s", flag, stderr.String())
		}
	}
}
