package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// wrapper is one way of putting a timeout around a call.
type wrapper struct {
	name string
	do   func(context.Context, time.Duration, func(context.Context) error) error
}

var wrappers = []wrapper{
	{"hand-rolled timeout.Do", timeout.Do},
	{"library timeout.DoStdlib", timeout.DoStdlib},
	{"idiom: WithTimeout + call", callAndWait},
}

// callAndWait is the standard idiom, with no goroutine: it gives op a
// deadline and waits for op, however long op takes.
func callAndWait(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return op(ctx)
}

// settle is the pause between two looks at a count that is still moving.
const settle = time.Millisecond

// settled returns count once it has stopped changing, giving goroutines
// that were told to stop the chance to exit first: cancellation is not
// instantaneous, a goroutine has to be scheduled to see its context end.
// It gives up after 50 looks and returns the last value.
//
// Settling hides that wind-down on purpose, to count what is left for good;
// it is short here because the flaky service returns the moment its context
// ends. An op with real clean-up to do would still be running for a while
// after Do returned, which leak_test.go in package timeout shows.
func settled(count func() int) int {
	last := count()
	for range 50 {
		time.Sleep(settle)
		n := count()
		if n == last {
			return n
		}
		last = n
	}
	return last
}

// abandonResult is what one batch of timed-out calls left behind.
type abandonResult struct {
	returnedAfter   time.Duration // when the slowest wrapper returned
	timeouts        int           // calls that returned a deadline error
	extraGoroutines int           // goroutines alive after every call returned, above the count before
	stillWorking    int           // dependency calls in flight after every call returned
	canceled        int           // dependency calls that stopped because their context ended
	finishedLater   int           // dependency calls that ran to the end after their caller had gone
	drainedAfter    time.Duration // when the last dependency call ended
}

// abandon makes calls concurrent calls to svc, each through w with timeout
// d, waits until every call has returned, and counts what is still running,
// goroutines included (counted by goroutines, normally
// runtime.NumGoroutine). Then it waits for the dependency to finish on its
// own schedule.
func abandon(w wrapper, svc *flaky.Service, calls int, d time.Duration, goroutines func() int) abandonResult {
	before := goroutines()
	start := time.Now()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		timeouts int
	)
	for range calls {
		wg.Go(func() {
			if err := w.do(context.Background(), d, svc.Call); errors.Is(err, context.DeadlineExceeded) {
				mu.Lock()
				timeouts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r := abandonResult{returnedAfter: time.Since(start), timeouts: timeouts}

	r.extraGoroutines = settled(goroutines) - before
	st := svc.Stats()
	r.stillWorking = st.InFlight
	r.canceled = st.Canceled
	finished := st.Successes + st.Failures

	for svc.Stats().InFlight > 0 {
		time.Sleep(settle)
	}
	r.drainedAfter = time.Since(start)
	st = svc.Stats()
	r.finishedLater = st.Successes + st.Failures - finished
	return r
}

// abandonTable runs every wrapper against a fresh dependency and prints one
// row each. It returns the results in the order of wrappers.
func abandonTable(n *narrate.Narrator, c config, ignoreContext bool) []abandonResult {
	var rows [][]string
	var results []abandonResult
	for _, w := range wrappers {
		r := abandon(w, c.service(ignoreContext), c.calls, c.timeout, runtime.NumGoroutine)
		results = append(results, r)
		later := "-"
		if r.finishedLater > 0 {
			later = fmt.Sprintf("%d, done at %v", r.finishedLater, ms(r.drainedAfter))
		}
		rows = append(rows, []string{
			w.name,
			ms(r.returnedAfter),
			fmt.Sprintf("%d/%d", r.timeouts, c.calls),
			fmt.Sprintf("%+d", r.extraGoroutines),
			fmt.Sprint(r.stillWorking),
			fmt.Sprint(r.canceled),
			later,
		})
	}
	n.Table([]string{"wrapper", "returned after", "deadline errors", "goroutines left (settled)", "still working", "cancelled", "finished for nobody"}, rows)
	return results
}
